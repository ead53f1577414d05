/**
 * The text a Terraform string template renders to, as shell text mapped back onto the host file:
 * heredocs (`<<EOT`, and `<<-EOT` whose common indentation Terraform strips), quoted strings
 * (backslash escapes), and the files `templatefile()` reads. `$${` and `%%{` are the template's
 * escapes for a literal `${` and `%{`; an interpolation `${…}` becomes its value when that is a
 * known string, else an opaque word; a directive tag (`%{ if … }`, `%{ endfor }`) renders to
 * nothing, so every branch and one pass of every loop are in the text the shell analyser reads.
 */
import type { Node, Parser } from 'web-tree-sitter';
import { ShellTextBuilder, type EmbeddedShell } from '../embedded/index.js';

type PieceOptions = Omit<EmbeddedShell, 'text' | 'toHost' | 'toHostEnd' | 'escape'>;

/** The value of an interpolation when it is a known string; undefined leaves an opaque word. */
export type Interpolate = (expression: Node) => string | undefined;

/** A host range the shell sees as other text. */
interface Decoded {
  readonly start: number;
  readonly end: number;
  readonly text: string;
}

/** An interpolation nobody can resolve: a plain word, so the command around it still parses. */
const PLACEHOLDER = '__tf_value__';

const BACKSLASH_ESCAPES: Readonly<Record<string, string>> = { n: '\n', r: '\r', t: '\t', '"': '"', '\\': '\\' };

/**
 * A heredoc (`heredoc_template` node) as shell text. Fixes are written back with `$${`/`%%{`
 * escapes and, in an indented heredoc, with the stripped indentation after each new line.
 */
export function heredocShell(host: string, heredoc: Node, options: PieceOptions, interpolate?: Interpolate): EmbeddedShell | undefined {
  const parts = heredoc.children.filter((c): c is Node => c !== null);
  const opening = parts.find((c) => c.type === 'heredoc_identifier');
  const closing = parts.findLast((c) => c.type === 'heredoc_identifier');
  const flush = parts.some((c) => c.type === 'heredoc_start' && c.text === '<<-');
  if (!opening || !closing || opening === closing) return undefined;
  const from = host.indexOf('\n', opening.endIndex) + 1;
  const to = host.lastIndexOf('\n', closing.startIndex - 1) + 1;
  if (from <= 0 || to < from) return undefined;
  const decoded = tagsOf(host, heredoc, from, to, interpolate);
  const indent = flush ? commonIndent(host, from, to) : 0;
  if (indent > 0) decoded.push(...indentStrips(host, from, to, indent, decoded));
  decoded.push(...templateEscapes(host, from, to, decoded, false));
  const identifier = opening.text;
  return build(host, from, to, decoded, options, (text, at) => {
    const lineStart = host.lastIndexOf('\n', at - 1) + 1;
    const stripped = host.slice(lineStart, Math.min(lineStart + indent, at));
    if (!/^[ \t]*$/.test(stripped)) return undefined;
    const out = escapeTemplate(text).replaceAll('\n', `\n${stripped}`);
    // A new line that reads as the closing marker would end the heredoc early.
    return out.split(/\r?\n/).some((l) => l.trim() === identifier) ? undefined : out;
  });
}

/** A quoted string (`quoted_template` node): fixes are written with backslash escapes. */
export function quotedShell(host: string, quoted: Node, options: PieceOptions, interpolate?: Interpolate): EmbeddedShell | undefined {
  const parts = quoted.children.filter((c): c is Node => c !== null);
  const open = parts.find((c) => c.type === 'quoted_template_start');
  const close = parts.findLast((c) => c.type === 'quoted_template_end');
  if (!open || !close) return undefined;
  const from = open.endIndex;
  const to = close.startIndex;
  const decoded = tagsOf(host, quoted, from, to, interpolate);
  decoded.push(...templateEscapes(host, from, to, decoded, true));
  return build(host, from, to, decoded, options, (text) => escapeQuoted(text));
}

/** The shell text of consecutive quoted strings, one per line (`remote-exec` `inline`). */
export function quotedLinesShell(host: string, quoted: readonly Node[], options: PieceOptions, interpolate?: Interpolate): EmbeddedShell | undefined {
  const decoded: Decoded[] = [];
  let from: number | undefined;
  let to = 0;
  for (const node of quoted) {
    const parts = node.children.filter((c): c is Node => c !== null);
    const open = parts.find((c) => c.type === 'quoted_template_start');
    const close = parts.findLast((c) => c.type === 'quoted_template_end');
    if (!open || !close) return undefined;
    // What lies between two strings (`",\n    "`) is the line break between two commands.
    if (from !== undefined) decoded.push({ start: to, end: open.endIndex, text: '\n' });
    from ??= open.endIndex;
    const own = tagsOf(host, node, open.endIndex, close.startIndex, interpolate);
    decoded.push(...own, ...templateEscapes(host, open.endIndex, close.startIndex, own, true));
    to = close.startIndex;
  }
  if (from === undefined) return undefined;
  return build(host, from, to, decoded, options, (text) => escapeQuoted(text));
}

/**
 * A file `templatefile()` renders. Its tags are found by parsing it as the body of a heredoc, which
 * has exactly a template file's syntax; a file that does not parse cannot be rendered by Terraform
 * either, and is read as plain text without fixes.
 */
export function templateFileShell(parser: Parser, text: string, options: PieceOptions, interpolate?: Interpolate): EmbeddedShell {
  let marker = 'IMDS_GUARD_TEMPLATE';
  while (text.includes(marker)) marker += '_';
  const prefix = `t = <<${marker}\n`;
  const tree = parser.parse(`${prefix}${text}\n${marker}\n`);
  if (!tree) throw new Error('tree-sitter returned no tree');
  try {
    const heredoc = tree.rootNode.hasError ? undefined : tree.rootNode.descendantsOfType('heredoc_template')[0];
    if (!heredoc) return plainFileShell(text, options, false);
    const wrapped = `${prefix}${text}\n`;
    const decoded = tagsOf(wrapped, heredoc, prefix.length, wrapped.length - 1, interpolate).map((d) => ({ ...d, start: d.start - prefix.length, end: d.end - prefix.length }));
    decoded.push(...templateEscapes(text, 0, text.length, decoded, false));
    return build(text, 0, text.length, decoded, options, (t) => escapeTemplate(t));
  } finally {
    tree.delete();
  }
}

/** A file `file()` reads: its text as is. `fixable` false when the host cannot take fixes (gzip). */
export function plainFileShell(text: string, options: PieceOptions, fixable = true): EmbeddedShell {
  return new ShellTextBuilder().verbatim(0, text).build({ ...options, ...(fixable ? { escape: (t: string) => t } : {}) });
}

/** Shell text written into a template: `${` and `%{` must not start an interpolation or directive. */
export function escapeTemplate(text: string): string {
  // A function, not a replacement string: in one, `$$` would stand for a single `$`.
  return text.replace(/([$%])\{/g, (_, sigil: string) => `${sigil}${sigil}{`);
}

function escapeQuoted(text: string): string {
  return escapeTemplate(text.replace(/[\\"\n\r\t]/g, (c) => (c === '\n' ? '\\n' : c === '\r' ? '\\r' : c === '\t' ? '\\t' : `\\${c}`)));
}

function build(host: string, from: number, to: number, decoded: Decoded[], options: PieceOptions, escape: (text: string, at: number) => string | undefined): EmbeddedShell {
  decoded.sort((a, b) => a.start - b.start);
  const builder = new ShellTextBuilder();
  let at = from;
  for (const d of decoded) {
    if (d.start < at || d.end > to) continue;
    builder.verbatim(at, host.slice(at, d.start));
    builder.decoded(d.start, d.end, d.text);
    at = d.end;
  }
  builder.verbatim(at, host.slice(at, to));
  return builder.build({ ...options, escape });
}

/**
 * Interpolations and directive tags inside `[from, to)`, with what each renders to. A strip marker
 * (`${~`, `~}`) also removes the white space next to its tag, new lines included.
 */
function tagsOf(host: string, template: Node, from: number, to: number, interpolate?: Interpolate): Decoded[] {
  const out: Decoded[] = [];
  const stack: Node[] = [template];
  while (stack.length > 0) {
    const node = stack.pop()!;
    const children = node.children.filter((c): c is Node => c !== null);
    const isInterpolation = node.type === 'template_interpolation';
    const isTag = !isInterpolation && children.some((c) => c.type === 'template_directive_start');
    if (!isInterpolation && !isTag) {
      for (let i = children.length - 1; i >= 0; i--) stack.push(children[i]!);
      continue;
    }
    if (node.startIndex < from || node.endIndex > to) continue;
    let start = node.startIndex;
    let end = node.endIndex;
    if (host[start + 2] === '~') while (start > from && /\s/.test(host[start - 1]!)) start--;
    if (host[end - 2] === '~') while (end < to && /\s/.test(host[end])) end++;
    let text = '';
    if (isInterpolation) {
      const expression = children.find((c) => c.type === 'expression');
      text = (expression && interpolate?.(expression)) ?? PLACEHOLDER;
    }
    out.push({ start, end, text });
  }
  // A strip marker may reach into a neighbour's white space; the earlier tag keeps it.
  out.sort((a, b) => a.start - b.start);
  const kept: Decoded[] = [];
  for (const d of out) {
    const last = kept.at(-1);
    if (last && d.start < last.end) kept.push({ ...d, start: last.end });
    else kept.push(d);
  }
  return kept.filter((d) => d.end >= d.start);
}

/** The fewest leading spaces and tabs of the lines in `[from, to)` that hold more than white space. */
function commonIndent(host: string, from: number, to: number): number {
  let least = Infinity;
  for (let line = from; line < to; line = host.indexOf('\n', line) + 1 || to) {
    let i = line;
    while (i < to && (host[i] === ' ' || host[i] === '\t')) i++;
    if (i < to && host[i] !== '\n' && host[i] !== '\r') least = Math.min(least, i - line);
  }
  return least === Infinity ? 0 : least;
}

/** Removes the common indentation from each line, except where a tag already covers it. */
function indentStrips(host: string, from: number, to: number, indent: number, covered: readonly Decoded[]): Decoded[] {
  const out: Decoded[] = [];
  for (let line = from; line < to; line = host.indexOf('\n', line) + 1 || to) {
    let end = line;
    while (end < to && end - line < indent && (host[end] === ' ' || host[end] === '\t')) end++;
    if (end > line && !covered.some((d) => d.start < end && line < d.end)) out.push({ start: line, end, text: '' });
  }
  return out;
}

/** `$${` → `${`, `%%{` → `%{`, and in quoted strings the backslash escapes, outside the tags. */
function templateEscapes(host: string, from: number, to: number, covered: readonly Decoded[], backslashes: boolean): Decoded[] {
  const out: Decoded[] = [];
  const sorted = [...covered].sort((a, b) => a.start - b.start);
  let next = 0;
  for (let i = from; i < to; ) {
    while (next < sorted.length && sorted[next]!.end <= i) next++;
    const tag = sorted[next];
    if (tag && tag.start <= i) {
      i = tag.end;
      continue;
    }
    if (host.startsWith('$${', i) || host.startsWith('%%{', i)) {
      out.push({ start: i, end: i + 3, text: host.slice(i + 1, i + 3) });
      i += 3;
    } else if (backslashes && host[i] === '\\' && i + 1 < to) {
      const unicode = /^\\(?:u([0-9a-fA-F]{4})|U([0-9a-fA-F]{8}))/.exec(host.slice(i, i + 10));
      if (unicode) {
        out.push({ start: i, end: i + unicode[0].length, text: String.fromCodePoint(parseInt(unicode[1] ?? unicode[2]!, 16)) });
        i += unicode[0].length;
      } else {
        out.push({ start: i, end: i + 2, text: BACKSLASH_ESCAPES[host[i + 1]!] ?? host.slice(i, i + 2) });
        i += 2;
      }
    } else {
      i++;
    }
  }
  return out;
}
