import type { Node, Tree } from 'web-tree-sitter';
import { ShellTextBuilder, type EmbeddedShell } from '../embedded/index.js';

/** Provisioners whose `inline` commands run in a shell, and where they run. */
const SHELLS: Record<string, { language: NonNullable<EmbeddedShell['language']>; local: boolean }> = {
  shell: { language: 'sh', local: false },
  powershell: { language: 'powershell', local: false },
  'shell-local': { language: 'sh', local: true },
};

/** Blocks of a `build` that can hold provisioners. */
const PROVISIONER_BLOCKS = new Set(['provisioner', 'error-cleanup-provisioner', 'post-processor']);

/** HCL escapes in a quoted template (hashicorp/hcl's spec, "Template Literals"). */
const ESCAPES: Record<string, string> = { n: '\n', r: '\r', t: '\t', '"': '"', '\\': '\\' };

/** A provisioner's inline script and the sources (`source.amazon-ebs.web`) of the build it runs in. */
export interface ProvisionerScript {
  readonly piece: EmbeddedShell;
  readonly sources: readonly string[];
}

/**
 * The `inline` commands of Packer's shell, shell-local and powershell provisioners, as one script
 * each: Packer writes the elements to a file, one per line, and runs it. HCL escapes are decoded
 * (`\"`, `\\`, `\n`, `\u00e9`, `$${` and `%%{`), and an interpolation (`${var.region}`,
 * `${build.ID}`) becomes an unset shell variable, so the shell analyser treats it as unknown.
 * `environment_vars` and `execute_command` do not change what the commands request. `script` and
 * `scripts` name files the shell analyser reads on its own.
 */
export function provisionerPieces(tree: Tree, host: string): ProvisionerScript[] {
  const pieces: ProvisionerScript[] = [];
  const eol = host.includes('\r\n') ? '\r\n' : '\n';
  for (const build of blocks(body(tree.rootNode))) {
    if (blockType(build) !== 'build') continue;
    const sources = buildSources(build);
    for (const block of blocks(body(build))) {
      const kind = blockType(block);
      const name = labels(block)[0];
      const shell = name !== undefined ? SHELLS[name] : undefined;
      if (!kind || !PROVISIONER_BLOCKS.has(kind) || !shell) continue;
      const inline = attribute(body(block), 'inline');
      const tuple = inline && findDescendant(inline, 'tuple');
      if (!tuple) continue;
      const where = shell.local ? ', which runs on the machine running Packer, not on the build instance' : '';
      const piece = inlinePiece(tuple, host, eol);
      if (piece) pieces.push({ piece: { ...piece, context: `in the inline commands of ${kind} "${name}"${where}`, language: shell.language }, sources: shell.local ? [] : sources });
    }
  }
  return pieces;
}

/** `sources = ["source.amazon-ebs.web"]` and `source "source.amazon-ebs.web" { … }` of a build. */
function buildSources(build: Node): string[] {
  const list = attribute(body(build), 'sources');
  const tuple = list && findDescendant(list, 'tuple');
  const listed = named(tuple)
    .map((e) => templateOf(e))
    .filter((t): t is Node => t !== undefined && t.type === 'string_lit')
    .map((t) => named(t).filter((c) => c.type === 'template_literal').map((c) => c.text).join(''));
  const nested = blocks(body(build)).filter((b) => blockType(b) === 'source').map((b) => labels(b)[0] ?? '');
  return [...listed, ...nested].filter((s) => s !== '');
}

function named(node: Node | null | undefined): Node[] {
  return node ? node.namedChildren.filter((n): n is Node => n !== null) : [];
}

function body(node: Node): Node | undefined {
  return named(node).find((n) => n.type === 'body');
}

function blocks(node: Node | undefined): Node[] {
  return named(node).filter((n) => n.type === 'block');
}

function blockType(block: Node): string | undefined {
  const first = named(block)[0];
  return first?.type === 'identifier' ? first.text : undefined;
}

function labels(block: Node): string[] {
  return named(block)
    .filter((n) => n.type === 'string_lit')
    .map((n) => named(n).filter((c) => c.type === 'template_literal').map((c) => c.text).join(''));
}

function attribute(node: Node | undefined, name: string): Node | undefined {
  return named(node).find((n) => n.type === 'attribute' && named(n)[0]?.text === name);
}

function findDescendant(node: Node, type: string): Node | undefined {
  const expression = named(node)[1];
  let current: Node | undefined = expression;
  // attribute → expression → collection_value → tuple
  for (let depth = 0; current && depth < 4; depth++) {
    if (current.type === type) return current;
    current = named(current).length === 1 ? named(current)[0] : undefined;
  }
  return undefined;
}

/** The elements of the tuple joined by newlines; undefined when an element is not a string. */
function inlinePiece(tuple: Node, host: string, eol: string): EmbeddedShell | undefined {
  const b = new ShellTextBuilder();
  const kinds = new Map<number, 'quoted' | 'heredoc'>();
  // Elements are joined where their text ends and starts, quotes included, so that text added
  // at the end of an element's command lands inside its quotes.
  let previousEnd: number | undefined;
  let opaque = 0;
  for (const element of named(tuple).filter((n) => n.type === 'expression')) {
    const template = templateOf(element);
    if (!template) return undefined;
    const quoted = template.type !== 'heredoc_template';
    const coarse = !quoted && isIndentedHeredoc(template);
    const contentStart = coarse ? element.startIndex : quoted ? template.startIndex + 1 : (named(template).find((n) => n.type === 'heredoc_identifier')?.endIndex ?? template.startIndex) + 1;
    if (previousEnd !== undefined) b.decoded(previousEnd, contentStart, '\n');
    if (coarse) {
      // `<<-` strips the common indentation: mapped as a whole, so no fix writes into it.
      b.decoded(element.startIndex, element.endIndex, heredocText(template));
      previousEnd = element.endIndex;
      continue;
    }
    const parts = named(template).filter((n) => n.type === 'template_literal' || n.type === 'template_interpolation' || n.type === 'template_directive');
    let at = contentStart;
    for (const part of parts) {
      if (part.startIndex > at) literal(b, host, at, part.startIndex, quoted);
      if (part.type === 'template_literal') literal(b, host, part.startIndex, part.endIndex, quoted);
      else if (part.type === 'template_interpolation') b.decoded(part.startIndex, part.endIndex, `\${__hcl_${++opaque}}`);
      else b.decoded(part.startIndex, part.endIndex, '');
      at = part.endIndex;
    }
    const contentEnd = quoted ? template.endIndex - 1 : lastLiteralEnd(template, at);
    if (contentEnd > at) literal(b, host, at, contentEnd, quoted);
    kinds.set(element.startIndex, quoted ? 'quoted' : 'heredoc');
    previousEnd = Math.max(at, contentEnd);
  }
  if (previousEnd === undefined) return undefined;
  const elements = [...kinds.keys()].sort((x, y) => x - y);
  return b.build({
    escape: (text, at) => {
      const start = elements.filter((s) => s <= at).at(-1);
      const kind = start === undefined ? undefined : kinds.get(start);
      if (!kind || /[\u0000-\u0008\u000b-\u001f\u007f]/.test(text)) return undefined;
      // Functions, not strings: in a replacement string `$$` would stand for one `$`.
      const templated = text.replaceAll('${', () => '$${').replaceAll('%{', () => '%%{');
      if (kind === 'heredoc') return templated;
      const lineStart = host.lastIndexOf('\n', start! - 1) + 1;
      const before = host.slice(lineStart, start);
      // A new line of the script is a new element: on its own line when the elements are.
      const separator = /^[ \t]*$/.test(before) ? `",${eol}${before}"` : '", "';
      return templated.replace(/["\\\t\n]/g, (c) => (c === '\n' ? separator : c === '\t' ? '\\t' : `\\${c}`));
    },
  });
}

/** The string of a tuple element: a plain string literal, a quoted template or a heredoc. */
function templateOf(element: Node): Node | undefined {
  const value = named(element)[0];
  const inner = named(value)[0];
  if (value?.type === 'literal_value' && inner?.type === 'string_lit') return inner;
  if (value?.type === 'template_expr' && (inner?.type === 'quoted_template' || inner?.type === 'heredoc_template')) return inner;
  return undefined;
}

/** A run of template text: verbatim, except the escapes of a quoted template and `$${`/`%%{`. */
function literal(b: ShellTextBuilder, host: string, start: number, end: number, quoted: boolean): void {
  let run = start;
  for (let i = start; i < end; i++) {
    let decoded: string | undefined;
    let length = 0;
    if ((host.startsWith('$${', i) || host.startsWith('%%{', i)) && i + 3 <= end) {
      decoded = host.slice(i + 1, i + 3);
      length = 3;
    } else if (quoted && host[i] === '\\') {
      const c = host[i + 1] ?? '';
      const digits = c === 'u' ? 4 : c === 'U' ? 8 : 0;
      if (digits > 0 && /^[0-9a-fA-F]+$/.test(host.slice(i + 2, i + 2 + digits))) {
        decoded = String.fromCodePoint(parseInt(host.slice(i + 2, i + 2 + digits), 16));
        length = 2 + digits;
      } else if (ESCAPES[c] !== undefined) {
        decoded = ESCAPES[c];
        length = 2;
      }
    }
    if (decoded === undefined) continue;
    b.verbatim(run, host.slice(run, i)).decoded(i, i + length, decoded);
    run = i + length;
    i += length - 1;
  }
  b.verbatim(run, host.slice(run, end));
}

function isIndentedHeredoc(template: Node): boolean {
  return named(template).some((n) => n.type === 'heredoc_start' && n.text.startsWith('<<-'));
}

/** Where the body of a heredoc ends: before the line holding the closing identifier. */
function lastLiteralEnd(template: Node, fallback: number): number {
  const close = named(template).filter((n) => n.type === 'heredoc_identifier').at(-1);
  if (!close) return fallback;
  return Math.max(fallback, close.startIndex);
}

/** The text of a `<<-` heredoc with its common indentation removed, as HCL does. */
function heredocText(template: Node): string {
  const text = named(template).filter((n) => n.type === 'template_literal').map((n) => n.text).join('');
  const lines = text.split('\n');
  const indent = Math.min(...lines.filter((l) => l.trim() !== '').map((l) => /^[ \t]*/.exec(l)![0].length));
  return lines.map((l) => l.slice(Number.isFinite(indent) ? indent : 0)).join('\n');
}
