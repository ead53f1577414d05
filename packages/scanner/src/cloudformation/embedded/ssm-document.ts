import type { Resource } from '../launch-template-links.js';
import { asMap, child, childAt, literal, type TemplateNode } from '../template-node.js';
import { itemsText, valueText, type TextContext } from './intrinsic-text.js';
import type { MappedText } from './mapped-text.js';
import type { ShellSite } from './site.js';

type Language = 'sh' | 'powershell';

const PLUGINS: Readonly<Record<string, Language>> = { 'aws:runShellScript': 'sh', 'aws:runPowerShellScript': 'powershell' };
const RUN_DOCUMENTS: Readonly<Record<string, Language>> = { 'AWS-RunShellScript': 'sh', 'AWS-RunPowerShellScript': 'powershell' };

/**
 * An SSM document is recognised by its content: a `schemaVersion` and the steps of its kind
 * (`mainSteps` from 2.0 on, `runtimeConfig` in 1.2). Other YAML and JSON files are not claimed.
 */
export function isSsmDocument(root: TemplateNode | undefined): boolean {
  const map = asMap(root);
  const version = literal(child(map, 'schemaVersion'));
  if (!map || !version || !/^\d+\.\d+$/.test(version)) return false;
  return child(map, 'mainSteps')?.kind === 'seq' || asMap(child(map, 'runtimeConfig')) !== undefined;
}

/**
 * The scripts of an SSM document: `aws:runShellScript` and `aws:runPowerShellScript` steps (in
 * `mainSteps` of a Command document, in `runtimeConfig` of a 1.2 one), and Automation
 * `aws:runCommand` steps that run AWS-RunShellScript. Each `runCommand` list is one script, its
 * lines joined by newlines; `{{ parameter }}` placeholders become words.
 */
export function ssmDocumentSites(content: TemplateNode, name: string, ctx: TextContext): ShellSite[] {
  const sites: ShellSite[] = [];
  const add = (node: TemplateNode | undefined, language: Language, where: string) => {
    const text = node && scriptText(node, ctx);
    if (text) sites.push({ label: where, context: `in ${where} of SSM document ${name}`, text: withParameterWords(text), language });
  };
  const steps = child(content, 'mainSteps');
  for (const [i, step] of (steps?.kind === 'seq' ? steps.items : []).entries()) {
    const action = literal(child(step, 'action')) ?? '';
    const where = `step ${literal(child(step, 'name')) ?? i + 1}`;
    if (PLUGINS[action]) add(childAt(step, ['inputs', 'runCommand']), PLUGINS[action], where);
    if (action === 'aws:runCommand') {
      const language = RUN_DOCUMENTS[literal(childAt(step, ['inputs', 'DocumentName'])) ?? ''];
      if (language) add(childAt(step, ['inputs', 'Parameters', 'commands']), language, where);
    }
  }
  for (const plugin of asMap(child(content, 'runtimeConfig'))?.entries ?? []) {
    const language = PLUGINS[plugin.key];
    const properties = child(plugin.value, 'properties');
    if (!language || properties?.kind !== 'seq') continue;
    properties.items.forEach((p, i) => add(child(p, 'runCommand'), language, `${plugin.key} ${literal(child(p, 'id')) ?? i + 1}`));
  }
  return sites;
}

/** SSM documents and associations declared in a template. */
export function ssmResourceSites(resources: readonly Resource[], ctx: TextContext): ShellSite[] {
  return resources.flatMap((r) => {
    if (r.type === 'AWS::SSM::Document') {
      const content = child(r.properties, 'Content');
      return content && asMap(content) ? ssmDocumentSites(content, r.id, ctx) : [];
    }
    if (r.type === 'AWS::SSM::Association') {
      const language = RUN_DOCUMENTS[literal(child(r.properties, 'Name')) ?? ''];
      const text = language && scriptText(childAt(r.properties, ['Parameters', 'commands']), ctx);
      if (!text) return [];
      return [{ label: 'commands', context: `in the commands of SSM association ${r.id}`, text: withParameterWords(text), language }];
    }
    return [];
  });
}

/** A list of lines (the usual form) or one string. */
function scriptText(node: TemplateNode | undefined, ctx: TextContext): MappedText | undefined {
  if (node?.kind === 'seq' && !node.tag) return node.items.length > 0 ? itemsText(node.items, '\n', ctx) : undefined;
  return valueText(node, ctx);
}

/** `{{ InstanceName }}` and `{{ssm:/path}}` are filled in by SSM before the script runs. */
function withParameterWords(text: MappedText): MappedText {
  let out = text;
  for (const m of [...text.text.matchAll(/\{\{\s*([^{}]*?)\s*\}\}/g)].reverse()) {
    out = out.replace(m.index, m.index + m[0].length, `__SSM_${m[1]!.replace(/[^A-Za-z0-9]+/g, '_')}__`);
  }
  return out;
}
