import { looksLikeShell } from '../../bash/shell-file.js';
import type { Resource } from '../launch-template-links.js';
import { asMap, child, childAt, literal, type TemplateNode } from '../template-node.js';
import { partText, valueText, type TextContext } from './intrinsic-text.js';
import { MappedText } from './mapped-text.js';
import type { ShellSite } from './site.js';

/**
 * Code that `cfn-init` runs from a resource's `AWS::CloudFormation::Init` metadata: each config's
 * `commands` (the `command` and its `test`, each in a shell of its own) and the scripts it writes
 * with `files` (hook scripts, helpers that a command or a service runs later).
 */
export function cfnInitSites(resources: readonly Resource[], ctx: TextContext): ShellSite[] {
  return resources.flatMap((r) => {
    const init = asMap(childAt(r.body, ['Metadata', 'AWS::CloudFormation::Init']));
    if (!init) return [];
    return init.entries.filter((e) => e.key !== 'configSets').flatMap((config) => configSites(config.value, r.id, ctx));
  });
}

function configSites(config: TemplateNode | undefined, owner: string, ctx: TextContext): ShellSite[] {
  const commands = asMap(child(config, 'commands'))?.entries ?? [];
  const files = asMap(child(config, 'files'))?.entries ?? [];
  return [
    ...commands.flatMap((c) =>
      (['command', 'test'] as const).flatMap((key) => {
        const node = child(c.value, key);
        const label = `cfn-init command ${c.key}${key === 'test' ? ' (its test)' : ''}`;
        const text = node && commandText(node, ctx);
        return text ? [{ owner, label, context: `in ${label} of ${owner}`, text }] : [];
      }),
    ),
    ...files.flatMap((f) => {
      const text = valueText(child(f.value, 'content'), ctx);
      if (!text || !looksLikeShell(f.key, text.text.trimStart())) return [];
      const label = `cfn-init file ${f.key}`;
      return [{ owner, label, context: `in ${label} of ${owner}`, text }];
    }),
  ];
}

const SHELLS = /^(\/usr)?(\/bin\/)?(ba|da|k|z)?sh$/;
const SAFE_WORD = /^[A-Za-z0-9_@%+=:,./-]+$/;

/**
 * A string command runs in a shell. A list runs without one, as an argument vector: unless it is
 * `sh -c script`, its words are joined into a command line for the analysis (each one quoted
 * where the shell would otherwise split it) and no fix is written into it, as `$IMDS_TOKEN` would
 * reach the program as it is.
 */
function commandText(node: TemplateNode, ctx: TextContext): MappedText | undefined {
  if (node.kind !== 'seq' || node.tag) return valueText(node, ctx);
  const words = node.items;
  if (words.length === 3 && SHELLS.test(literal(words[0]) ?? '') && literal(words[1]) === '-c') return valueText(words[2], ctx);
  let out = MappedText.empty();
  words.forEach((word, i) => {
    if (i > 0) out = out.concat(MappedText.decoded(words[i - 1]!.end, word.start, ' '));
    const text = partText(word, ctx);
    out = out.concat(SAFE_WORD.test(text.text) ? text : MappedText.decoded(word.start, word.end, `'${text.text.replace(/'/g, `'\\''`)}'`));
  });
  return out.withEscape(() => () => undefined);
}
