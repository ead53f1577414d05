import { LineIndex } from '@imds-guard/core';
import { parseTree, type Node, type ParseError } from 'jsonc-parser';
import type { SyntaxProblem } from '../analyser.js';
import { flattenDeepNesting } from '../cloudformation/parse-json.js';
import { ShellTextBuilder, type EmbeddedShell } from '../embedded/index.js';
import type { ProvisionerScript } from './provisioners.js';

const OPTIONS = { allowTrailingComma: true, disallowComments: false } as const;

const SHELLS: Record<string, { language: NonNullable<EmbeddedShell['language']>; local: boolean }> = {
  shell: { language: 'sh', local: false },
  powershell: { language: 'powershell', local: false },
  'shell-local': { language: 'sh', local: true },
};

const JSON_ESCAPES: Record<string, string> = { '"': '"', '\\': '\\', '/': '/', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t' };

/**
 * Templates in JSON: legacy Packer templates (`"builders"` and `"provisioners"`, Go templates
 * such as `{{user `region`}}` in strings) and HCL2 templates in JSON syntax (`*.pkr.json`,
 * `"build": {"provisioner": …}`, HCL interpolations in strings). `syntax` is undefined when the
 * file is neither, so that other JSON files are left alone.
 */
export interface JsonTemplate {
  readonly syntax: 'legacy' | 'hcl' | undefined;
  readonly scripts: readonly ProvisionerScript[];
  readonly syntaxProblems: readonly SyntaxProblem[];
}

export function parsePackerJson(host: string, path: string): JsonTemplate {
  const errors: ParseError[] = [];
  const root = parseTree(flattenDeepNesting(host), errors, OPTIONS);
  const legacy = root?.type === 'object' && property(root, 'builders') !== undefined && property(root, 'provisioners') !== undefined;
  const hcl = !legacy && /\.pkr\.json$/i.test(path) && root?.type === 'object';
  const syntax = legacy ? 'legacy' : hcl ? 'hcl' : undefined;
  if (!root || !syntax) return { syntax, scripts: [], syntaxProblems: [] };
  const lines = new LineIndex(host);
  const syntaxProblems = errors.slice(0, 10).map((e) => lines.position(e.offset));
  const eol = host.includes('\r\n') ? '\r\n' : '\n';
  const scripts: ProvisionerScript[] = [];
  const add = (kind: string, type: string, settings: Node, sources: readonly string[]) => {
    const shell = SHELLS[type];
    const inline = property(settings, 'inline');
    if (!shell || inline?.type !== 'array') return;
    const piece = inlinePiece(host, inline, syntax, eol);
    if (!piece) return;
    const where = shell.local ? ', which runs on the machine running Packer, not on the build instance' : '';
    scripts.push({ piece: { ...piece, context: `in the inline commands of ${kind} "${type}"${where}`, language: shell.language }, sources: shell.local ? [] : sources });
  };
  if (syntax === 'legacy') {
    for (const p of elements(property(root, 'provisioners'))) {
      const type = property(p, 'type');
      if (type?.type === 'string') add('provisioner', String(type.value), p, []);
    }
  } else {
    for (const build of objects(property(root, 'build'))) {
      const sources = elements(property(build, 'sources')).flatMap((s) => (s.type === 'string' ? [String(s.value)] : []));
      for (const block of objects(property(build, 'provisioner'))) {
        for (const entry of block.children ?? []) {
          const [key, value] = entry.children ?? [];
          if (key?.type === 'string') for (const settings of objects(value)) add('provisioner', String(key.value), settings, sources);
        }
      }
    }
  }
  return { syntax, scripts, syntaxProblems };
}

function property(node: Node | undefined, name: string): Node | undefined {
  if (node?.type !== 'object') return undefined;
  const entry = node.children?.find((p) => p.children?.[0]?.value === name);
  return entry?.children?.[1];
}

function elements(node: Node | undefined): Node[] {
  return node?.type === 'array' ? (node.children ?? []) : [];
}

/** A block in HCL's JSON syntax: one object, or an array of them. */
function objects(node: Node | undefined): Node[] {
  if (node?.type === 'object') return [node];
  return elements(node).filter((n) => n.type === 'object');
}

/** The strings of an `inline` array joined by newlines, escapes decoded; undefined when one is not a string. */
function inlinePiece(host: string, inline: Node, syntax: 'legacy' | 'hcl', eol: string): EmbeddedShell | undefined {
  const b = new ShellTextBuilder();
  const starts: number[] = [];
  let previousEnd: number | undefined;
  let opaque = 0;
  for (const element of inline.children ?? []) {
    if (element.type !== 'string') return undefined;
    const start = element.offset + 1;
    const end = element.offset + element.length - 1;
    if (previousEnd !== undefined) b.decoded(previousEnd, start, '\n');
    let run = start;
    for (let i = start; i < end; i++) {
      let decoded: string | undefined;
      let length = 0;
      const c = host[i]!;
      if (c === '\\') {
        const next = host[i + 1] ?? '';
        if (next === 'u' && /^[0-9a-fA-F]{4}$/.test(host.slice(i + 2, i + 6))) {
          decoded = String.fromCharCode(parseInt(host.slice(i + 2, i + 6), 16));
          length = 6;
        } else {
          decoded = JSON_ESCAPES[next];
          length = 2;
        }
        if (decoded === undefined) return undefined;
      } else if (syntax === 'legacy' && host.startsWith('{{', i)) {
        // A Go template action (`{{user `region`}}`, `{{ .Vars }}`): unknown to the shell.
        const close = host.indexOf('}}', i + 2);
        if (close < 0 || close + 2 > end) return undefined;
        decoded = `\${__packer_${++opaque}}`;
        length = close + 2 - i;
      } else if (syntax === 'hcl' && (host.startsWith('$${', i) || host.startsWith('%%{', i))) {
        decoded = host.slice(i + 1, i + 3);
        length = 3;
      } else if (syntax === 'hcl' && (host.startsWith('${', i) || host.startsWith('%{', i))) {
        const close = host.indexOf('}', i + 2);
        if (close < 0 || close + 1 > end) return undefined;
        decoded = c === '$' ? `\${__hcl_${++opaque}}` : '';
        length = close + 1 - i;
      }
      if (decoded === undefined) continue;
      b.verbatim(run, host.slice(run, i)).decoded(i, i + length, decoded);
      run = i + length;
      i += length - 1;
    }
    b.verbatim(run, host.slice(run, end));
    starts.push(element.offset);
    previousEnd = end;
  }
  if (previousEnd === undefined) return undefined;
  return b.build({
    escape: (text, at) => {
      const start = starts.filter((s) => s <= at).at(-1);
      if (start === undefined || /[\u0000-\u0008\u000b-\u001f\u007f]/.test(text)) return undefined;
      if (syntax === 'legacy' && text.includes('{{')) return undefined;
      const templated = syntax === 'hcl' ? text.replaceAll('${', () => '$${').replaceAll('%{', () => '%%{') : text;
      const lineStart = host.lastIndexOf('\n', start - 1) + 1;
      const before = host.slice(lineStart, start);
      const separator = /^[ \t]*$/.test(before) ? `",${eol}${before}"` : '", "';
      return templated.replace(/["\\\t\n]/g, (c) => (c === '\n' ? separator : c === '\t' ? '\\t' : `\\${c}`));
    },
  });
}
