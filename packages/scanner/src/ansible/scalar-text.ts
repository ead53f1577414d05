import { Scalar } from 'yaml';
import { ShellTextBuilder, type EmbeddedShell } from '../embedded/index.js';

/**
 * The string value of a YAML scalar, with an offset map back into the file, so that a finding in
 * the value lands on the characters it was written as. The `yaml` package parses; this module only
 * locates: it re-reads the scalar's source by the YAML rules of its style (line folding, escapes,
 * block indentation and chomping) and keeps the map only if its reading equals the parsed value.
 * Otherwise the whole value maps to the scalar's first character (findings still land on the
 * right scalar, and no edit can be written into it).
 */
export interface ScalarText {
  readonly piece: EmbeddedShell;
  /** Whether offsets map character for character (false: the coarse map described above). */
  readonly precise: boolean;
  readonly style: Scalar.Type;
  /** Host range of the scalar's source (quotes and block header included). */
  readonly start: number;
  readonly end: number;
}

/** Characters other than tab and newline that no fix writes into YAML. */
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f]/;

export function scalarText(host: string, node: Scalar): ScalarText | undefined {
  const range = node.range;
  if (!range || typeof node.value !== 'string' || !node.type) return undefined;
  const [start, end] = range;
  const value = node.value;
  const mapped = mapScalar(host, start, end, node.type);
  const precise = mapped !== undefined && mapped.text === value;
  const builder = precise ? mapped.builder : new ShellTextBuilder().decoded(start, end, value);
  const escape = precise ? escaperFor(host, start, end, node.type, mapped.indent) : undefined;
  return { piece: builder.build(escape ? { escape } : {}), precise, style: node.type, start, end };
}

interface Mapped {
  readonly builder: ShellTextBuilder;
  readonly text: string;
  /** Content indentation of a block scalar. */
  readonly indent: number;
}

function mapScalar(host: string, start: number, end: number, style: Scalar.Type): Mapped | undefined {
  switch (style) {
    case Scalar.PLAIN:
      return flow(host, start, end, 'plain');
    case Scalar.QUOTE_SINGLE:
      return host[start] === "'" && host[end - 1] === "'" ? flow(host, start + 1, end - 1, 'single') : undefined;
    case Scalar.QUOTE_DOUBLE:
      return host[start] === '"' && host[end - 1] === '"' ? flow(host, start + 1, end - 1, 'double') : undefined;
    case Scalar.BLOCK_LITERAL:
    case Scalar.BLOCK_FOLDED:
      return block(host, start, end, style === Scalar.BLOCK_FOLDED);
    default:
      return undefined;
  }
}

interface Line {
  /** Host offsets of the line's text, without its line break. */
  readonly start: number;
  readonly end: number;
}

function splitLines(host: string, start: number, end: number): Line[] {
  const lines: Line[] = [];
  let at = start;
  for (;;) {
    const nl = host.indexOf('\n', at);
    if (nl < 0 || nl >= end) {
      lines.push({ start: at, end });
      return lines;
    }
    lines.push({ start: at, end: host[nl - 1] === '\r' && nl - 1 >= at ? nl - 1 : nl });
    at = nl + 1;
  }
}

const isBlank = (c: string | undefined) => c === ' ' || c === '\t';

/**
 * Plain and quoted scalars: a line break between two lines folds into a space, or into n newlines
 * when n empty lines follow it; the whitespace around a break is dropped. Quotes add their escapes.
 */
function flow(host: string, start: number, end: number, kind: 'plain' | 'single' | 'double'): Mapped | undefined {
  const b = new ShellTextBuilder();
  const lines = splitLines(host, start, end);
  let text = '';
  let pendingFrom: number | undefined;
  let emptyLines = 0;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    let s = line.start;
    let e = line.end;
    if (i > 0) while (s < e && isBlank(host[s])) s++;
    if (i < lines.length - 1) while (e > s && isBlank(host[e - 1])) e--;
    if (i > 0 && s === e && i < lines.length - 1) {
      emptyLines++;
      continue;
    }
    if (pendingFrom !== undefined) {
      // A double-quoted line that ends in an escaped break joins the next without a space.
      const fold = emptyLines > 0 ? '\n'.repeat(emptyLines) : ' ';
      b.decoded(pendingFrom, s, fold);
      text += fold;
      emptyLines = 0;
    }
    if (kind === 'double' && escapedBreak(host, s, e)) return undefined;
    const piece = kind === 'plain' ? verbatim(b, host, s, e) : kind === 'single' ? singleQuoted(b, host, s, e) : doubleQuoted(b, host, s, e);
    if (piece === undefined) return undefined;
    text += piece;
    pendingFrom = e;
  }
  return { builder: b, text, indent: 0 };
}

function escapedBreak(host: string, s: number, e: number): boolean {
  let slashes = 0;
  for (let i = e - 1; i >= s && host[i] === '\\'; i--) slashes++;
  return slashes % 2 === 1;
}

function verbatim(b: ShellTextBuilder, host: string, s: number, e: number): string {
  const text = host.slice(s, e);
  b.verbatim(s, text);
  return text;
}

function singleQuoted(b: ShellTextBuilder, host: string, s: number, e: number): string {
  let out = '';
  let run = s;
  for (let i = s; i < e; i++) {
    if (host[i] === "'" && host[i + 1] === "'") {
      b.verbatim(run, host.slice(run, i)).decoded(i, i + 2, "'");
      out += `${host.slice(run, i)}'`;
      run = i + 2;
      i++;
    }
  }
  b.verbatim(run, host.slice(run, e));
  return out + host.slice(run, e);
}

const SIMPLE_ESCAPES: Record<string, string> = {
  '0': '\0', a: '\x07', b: '\b', t: '\t', '\t': '\t', n: '\n', v: '\v', f: '\f', r: '\r', e: '\x1b',
  ' ': ' ', '"': '"', '/': '/', '\\': '\\', N: '\u0085', _: '\u00a0', L: '\u2028', P: '\u2029',
};
const HEX_ESCAPES: Record<string, number> = { x: 2, u: 4, U: 8 };

function doubleQuoted(b: ShellTextBuilder, host: string, s: number, e: number): string | undefined {
  let out = '';
  let run = s;
  for (let i = s; i < e; i++) {
    if (host[i] !== '\\') continue;
    const c = host[i + 1] ?? '';
    let decoded: string | undefined = SIMPLE_ESCAPES[c];
    let length = 2;
    const digits = HEX_ESCAPES[c];
    if (digits !== undefined) {
      const hex = host.slice(i + 2, i + 2 + digits);
      if (!/^[0-9a-fA-F]+$/.test(hex) || hex.length !== digits) return undefined;
      decoded = String.fromCodePoint(parseInt(hex, 16));
      length = 2 + digits;
    }
    if (decoded === undefined) return undefined;
    b.verbatim(run, host.slice(run, i)).decoded(i, i + length, decoded);
    out += host.slice(run, i) + decoded;
    run = i + length;
    i += length - 1;
  }
  b.verbatim(run, host.slice(run, e));
  return out + host.slice(run, e);
}

/**
 * Block scalars (`|`, `>`, with `-`/`+` chomping): the content indentation is that of the first
 * non-empty line and is stripped; a folded scalar joins adjacent lines that are not more indented
 * with a space. Explicit indentation indicators are left to the coarse map.
 */
function block(host: string, start: number, end: number, folded: boolean): Mapped | undefined {
  const headerEnd = host.indexOf('\n', start);
  if (headerEnd < 0 || headerEnd >= end) return undefined;
  const header = /^[|>]([-+]?)\s*(#.*)?$/.exec(host.slice(start, headerEnd).replace(/\r$/, ''));
  if (!header) return undefined;
  const chomp = header[1];
  const lines = splitLines(host, headerEnd + 1, end);
  if (lines.length > 0 && lines.at(-1)!.start === end) lines.pop();
  const first = lines.find((l) => host.slice(l.start, l.end).trim() !== '');
  if (!first) return undefined;
  let indent = 0;
  while (host[first.start + indent] === ' ') indent++;
  const b = new ShellTextBuilder();
  let text = '';
  const content = lines.map((l) => (l.end - l.start > indent ? { ...l, body: l.start + indent } : undefined));
  const lastContent = content.findLastIndex((c) => c !== undefined);
  let previous: { end: number; more: boolean } | undefined;
  let emptyLines = 0;
  for (let i = 0; i <= lastContent; i++) {
    const line = content[i];
    if (!line) {
      emptyLines++;
      continue;
    }
    const lead = host.slice(line.start, line.body);
    if (lead !== ' '.repeat(indent)) return undefined;
    const more = isBlank(host[line.body]);
    if (previous) {
      const join = !folded ? '\n'.repeat(emptyLines + 1) : !previous.more && !more ? (emptyLines > 0 ? '\n'.repeat(emptyLines) : ' ') : '\n'.repeat(emptyLines + 1);
      b.decoded(previous.end, line.body, join);
      text += join;
    } else {
      b.decoded(start, line.body, '\n'.repeat(emptyLines));
      text += '\n'.repeat(emptyLines);
    }
    text += verbatim(b, host, line.body, line.end);
    previous = { end: line.end, more };
    emptyLines = 0;
  }
  const trailing = lines.length - 1 - lastContent;
  const tail = chomp === '-' ? '' : chomp === '+' ? '\n'.repeat(trailing + 1) : '\n';
  if (previous) {
    b.decoded(previous.end, end, tail);
    text += tail;
  }
  return { builder: b, text, indent };
}

/** How text inserted into the scalar at host offset `at` must be written, per style; undefined when it cannot be. */
function escaperFor(host: string, start: number, end: number, style: Scalar.Type, indent: number): EmbeddedShell['escape'] {
  const eol = host.includes('\r\n') ? '\r\n' : '\n';
  switch (style) {
    case Scalar.BLOCK_LITERAL:
      return (text) => (CONTROL.test(text) ? undefined : text.replaceAll('\n', `${eol}${' '.repeat(indent)}`));
    case Scalar.BLOCK_FOLDED:
      // A newline would need a blank line, and leading blanks would make a line "more indented".
      return (text, at) => (CONTROL.test(text) || text.includes('\n') || (isBlank(text[0]) && host[at - 1] === ' ' && atLineBody(host, at)) ? undefined : text);
    case Scalar.QUOTE_DOUBLE:
      return (text) => (CONTROL.test(text) ? undefined : text.replace(/["\\\n\t]/g, (c) => ({ '"': '\\"', '\\': '\\\\', '\n': '\\n', '\t': '\\t' })[c]!));
    case Scalar.QUOTE_SINGLE:
      return (text) => (CONTROL.test(text) || text.includes('\n') ? undefined : text.replaceAll("'", "''"));
    case Scalar.PLAIN:
      return (text, at) =>
        CONTROL.test(text) || /\n|: |:$| #|^#|\t/.test(text) || at <= start || at >= end ? undefined : text;
    default:
      return undefined;
  }
}

function atLineBody(host: string, at: number): boolean {
  const lineStart = host.lastIndexOf('\n', at - 1) + 1;
  return /^ *$/.test(host.slice(lineStart, at));
}

/**
 * The scalar rewritten as a literal block scalar holding `value`, for a key at column `keyColumn`:
 * a fix that adds lines to a one-line `shell: curl …` cannot be written in the plain or quoted
 * style. Undefined when a literal block cannot hold the value exactly (control characters, a first
 * line that starts with a blank, several trailing newlines).
 */
export function literalBlock(value: string, keyColumn: number, eol: string, comment: string): string | undefined {
  if (CONTROL.test(value) || /\n\n$/.test(value) || value === '') return undefined;
  const lines = value.replace(/\n$/, '').split('\n');
  if (isBlank(lines[0]![0]) || lines[0] === '') return undefined;
  if (lines.some((l) => /^\s+$/.test(l))) return undefined;
  const pad = ' '.repeat(keyColumn + 2);
  // A value without a final newline gains one: the shell and `raw` read the same script either way.
  return `|${comment ? ` ${comment}` : ''}${lines.map((l) => `${eol}${l === '' ? '' : pad + l}`).join('')}`;
}
