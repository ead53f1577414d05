import type { ScalarNode, Syntax } from '../template-node.js';
import { MappedText, type Region, type Segment } from './mapped-text.js';

/**
 * The value of a string scalar with where each character sits in the file, and how new text is
 * written inside it. The parsers give the value; this walks the scalar's source by the YAML 1.2
 * and JSON rules (escapes, line folding, block indentation and chomping) to find each character.
 * The result is checked against the parser's value: where the walk disagrees (a construct it
 * does not follow), the scalar counts as one decoded piece, so findings still land on it, at its
 * first line, and no fix is written into it.
 */
export function scalarText(host: string, node: ScalarNode, syntax: Syntax): MappedText | undefined {
  if (node.value === null) return undefined;
  const walked = walk(host, node, syntax);
  if (walked && walked.text === node.value) return walked;
  return MappedText.decoded(node.start, node.end, node.value);
}

function walk(host: string, node: ScalarNode, syntax: Syntax): MappedText | undefined {
  if (syntax === 'json') return jsonString(host, node);
  switch (node.style) {
    case 'double':
      return flowScalar(host, node, 'double');
    case 'single':
      return flowScalar(host, node, 'single');
    case 'plain':
      return flowScalar(host, node, 'plain');
    case 'block':
      return blockScalar(host, node);
  }
}

/** Collects segments, merging neighbouring verbatim characters into one segment. */
class Segments {
  readonly list: Segment[] = [];

  verbatim(hostStart: number, hostEnd: number, host: string): void {
    if (hostEnd <= hostStart) return;
    const last = this.list.at(-1);
    if (last?.verbatim && last.hostEnd === hostStart) this.list[this.list.length - 1] = { ...last, text: last.text + host.slice(hostStart, hostEnd), hostEnd };
    else this.list.push({ text: host.slice(hostStart, hostEnd), hostStart, hostEnd, verbatim: true });
  }

  decoded(hostStart: number, hostEnd: number, text: string): void {
    this.list.push({ text, hostStart, hostEnd, verbatim: false });
  }
}

// --- JSON -------------------------------------------------------------------------------------

const JSON_ESCAPES: Record<string, string> = { '"': '"', '\\': '\\', '/': '/', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t' };

function jsonString(host: string, node: ScalarNode): MappedText | undefined {
  if (host[node.start] !== '"' || host[node.end - 1] !== '"') return undefined;
  const out = new Segments();
  const end = node.end - 1;
  for (let i = node.start + 1; i < end; ) {
    if (host[i] !== '\\') {
      let j = i;
      while (j < end && host[j] !== '\\') j++;
      out.verbatim(i, j, host);
      i = j;
      continue;
    }
    const c = host[i + 1] ?? '';
    if (c === 'u') {
      const digits = host.slice(i + 2, i + 6);
      if (!/^[0-9a-fA-F]{4}$/.test(digits)) return undefined;
      out.decoded(i, i + 6, String.fromCharCode(parseInt(digits, 16)));
      i += 6;
    } else {
      out.decoded(i, i + 2, JSON_ESCAPES[c] ?? c);
      i += 2;
    }
  }
  return new MappedText(out.list, [{ start: node.start + 1, end, escape: (text) => JSON.stringify(text).slice(1, -1) }]);
}

// --- YAML flow scalars (plain, single- and double-quoted) --------------------------------------

type FlowStyle = 'plain' | 'single' | 'double';

const YAML_ESCAPES: Record<string, string> = {
  ...{ '0': '\0', a: '\x07', b: '\b', t: '\t', '\t': '\t', n: '\n', v: '\v', f: '\f', r: '\r', e: '\x1b' },
  ...{ ' ': ' ', '"': '"', '/': '/', '\\': '\\', N: '\x85', _: '\xa0', L: '\u2028', P: '\u2029' },
};
const HEX_LENGTH: Record<string, number> = { x: 2, u: 4, U: 8 };

/**
 * A flow scalar: escapes (double-quoted), `''` (single-quoted), and line folding: a line break
 * with the white space around it is one space, or one newline per empty line that follows it.
 */
function flowScalar(host: string, node: ScalarNode, style: FlowStyle): MappedText | undefined {
  const quoted = style !== 'plain';
  const from = node.start + (quoted ? 1 : 0);
  const to = node.end - (quoted ? 1 : 0);
  if (quoted && host[node.start] !== (style === 'single' ? "'" : '"')) return undefined;
  const out = new Segments();
  let i = from;
  while (i < to) {
    const c = host[i]!;
    if (c === '\n' || c === '\r' || ((c === ' ' || c === '\t') && onlySpaceToBreak(host, i, to))) {
      const fold = folding(host, i, to);
      out.decoded(i, fold.end, fold.text);
      i = fold.end;
    } else if (style === 'single' && c === "'" && host[i + 1] === "'") {
      out.decoded(i, i + 2, "'");
      i += 2;
    } else if (style === 'double' && c === '\\') {
      const e = host[i + 1] ?? '';
      if (e === '\n' || e === '\r') {
        // An escaped line break: no space, and the next line's indentation is not content.
        const lineEnd = i + 1 + (host.startsWith('\r\n', i + 1) ? 2 : 1);
        let j = lineEnd;
        while (j < to && (host[j] === ' ' || host[j] === '\t')) j++;
        out.decoded(i, j, '');
        i = j;
      } else if (HEX_LENGTH[e]) {
        const n = HEX_LENGTH[e]!;
        const digits = host.slice(i + 2, i + 2 + n);
        const code = /^[0-9a-fA-F]+$/.test(digits) && digits.length === n ? parseInt(digits, 16) : NaN;
        if (!(code <= 0x10ffff)) return undefined;
        out.decoded(i, i + 2 + n, String.fromCodePoint(code));
        i += 2 + n;
      } else if (e in YAML_ESCAPES) {
        out.decoded(i, i + 2, YAML_ESCAPES[e]!);
        i += 2;
      } else return undefined;
    } else {
      out.verbatim(i, i + 1, host);
      i++;
    }
  }
  if (style !== 'plain') return new MappedText(out.list, [{ start: from, end: to, escape: flowEscape(style) }]);
  const unquoted = new Set<string>();
  return new MappedText(out.list, [{ start: from, end: to, escape: plainEscape(unquoted, host.slice(from, to)), unquoted }]);
}

function onlySpaceToBreak(host: string, i: number, to: number): boolean {
  let j = i;
  while (j < to && (host[j] === ' ' || host[j] === '\t')) j++;
  return j < to && (host[j] === '\n' || host[j] === '\r');
}

/** From trailing white space at `i` over the line break and the empty lines after it. */
function folding(host: string, i: number, to: number): { end: number; text: string } {
  let j = i;
  let breaks = 0;
  while (j < to) {
    const c = host[j];
    if (c === ' ' || c === '\t' || c === '\r') j++;
    else if (c === '\n') {
      breaks++;
      j++;
    } else break;
  }
  return { end: j, text: breaks <= 1 ? ' ' : '\n'.repeat(breaks - 1) };
}

function flowEscape(style: 'single' | 'double'): Region['escape'] {
  if (style === 'double') {
    return (text) => (/[\x00-\x08\x0b-\x1f\x7f]/.test(text) ? undefined : text.replace(/[\\"]/g, (c) => `\\${c}`).replace(/\n/g, '\\n').replace(/\t/g, '\\t'));
  }
  // A line break in a single-quoted scalar is written as an empty line; not worth the risk.
  return (text) => (/[\n\r]/.test(text) ? undefined : text.replace(/'/g, "''"));
}

/**
 * Inside a plain scalar, `: ` and ` #` would end it, flow indicators end it in a flow collection,
 * and a line break would be folded into a space. Text with them is let through and noted, so that
 * the scalar is rewritten double-quoted as a whole (for a scalar on one line only).
 */
function plainEscape(unquoted: Set<string>, source: string): Region['escape'] {
  return (text, at) => {
    if (/[\r\x00-\x08\x0b-\x1f\x7f]/.test(text)) return undefined;
    if (/[\n\t#,[\]{}'"\\]|: |:$/.test(text)) {
      if (/[\r\n]/.test(source)) return undefined;
      unquoted.add(`${at}\u0000${text}`);
    }
    return text;
  };
}

// --- YAML block scalars (`|` and `>`) -----------------------------------------------------------

/** Host offsets of a line: its start, its content (after the indentation), its end, and after its line break. */
interface BlockLine {
  readonly start: number;
  readonly content: number;
  readonly end: number;
  readonly next: number;
  readonly empty: boolean;
}

/**
 * A literal (`|`) or folded (`>`) block scalar: the indentation of each line is not content, and
 * folded style turns the line break between two ordinary lines into a space. Chomping (`-`, `+`)
 * only decides how many of the final line breaks belong to the value.
 */
function blockScalar(host: string, node: ScalarNode): MappedText | undefined {
  const header = /^([|>])([1-9]?[+-]?|[+-][1-9])[ \t]*(#[^\n]*)?\r?\n/.exec(host.slice(node.start, node.end));
  if (!header) return undefined;
  const folded = header[1] === '>';
  const lines = blockLines(host, node.start + header[0].length, node.end);
  if (lines.length === 0) return undefined;
  const out = new Segments();
  lines.forEach((line, n) => {
    out.decoded(line.start, line.content, '');
    out.verbatim(line.content, line.end, host);
    if (line.next === line.end) return;
    out.decoded(line.end, line.next, folded ? foldedBreak(host, lines, n) : '\n');
  });
  // `decoded` above wrote '\r\n' as a decoded '\n'; a plain '\n' is the file's own character.
  const segments = out.list.map((s) => (!s.verbatim && s.text === '\n' && host.slice(s.hostStart, s.hostEnd) === '\n' ? { ...s, verbatim: true } : s));
  const mapped = new MappedText(segments);
  const value = node.value ?? '';
  if (!mapped.text.startsWith(value)) return undefined;
  const firstContent = lines.find((l) => !l.empty)!;
  const indent = host.slice(firstContent.start, firstContent.content);
  const eol = host.includes('\r\n') ? '\r\n' : '\n';
  const first = lines[0]!.start;
  const last = lines.at(-1)!.end;
  const escape: Region['escape'] = (text) => {
    if (/[\r\x00-\x08\x0b-\x1f\x7f]/.test(text)) return undefined;
    // A new line in folded style would be folded into a space.
    if (folded && text.includes('\n')) return undefined;
    return text.replace(/\n/g, `${eol}${indent}`);
  };
  return new MappedText(mapped.truncate(value.length).segments, [{ start: first, end: last, escape }]);
}

/** The lines of a block scalar's content, up to the first line indented less than the first one. */
function blockLines(host: string, from: number, to: number): BlockLine[] {
  const raw: { start: number; end: number; next: number; spaces: number; blank: boolean }[] = [];
  for (let i = from; i < to; ) {
    let nl = host.indexOf('\n', i);
    if (nl < 0 || nl >= to) nl = to;
    const end = host[nl - 1] === '\r' && nl > i ? nl - 1 : nl;
    let spaces = 0;
    while (host[i + spaces] === ' ' && i + spaces < end) spaces++;
    raw.push({ start: i, end, next: Math.min(nl + 1, to), spaces, blank: i + spaces === end });
    i = nl + 1;
  }
  const indent = raw.find((l) => !l.blank)?.spaces;
  if (indent === undefined) return [];
  const lines: BlockLine[] = [];
  for (const l of raw) {
    if (!l.blank && l.spaces < indent) break;
    const content = Math.min(l.start + indent, l.end);
    lines.push({ start: l.start, content, end: l.end, next: l.next, empty: l.blank && l.spaces <= indent });
  }
  return lines;
}

/**
 * In folded style a line break between two ordinary lines (not more indented, not empty) is a
 * space; followed by empty lines it disappears and each empty line gives a newline. Breaks next
 * to more-indented lines are kept.
 */
function foldedBreak(host: string, lines: readonly BlockLine[], n: number): string {
  const line = lines[n]!;
  // Each empty line gives one newline: the break before it is the one that was dropped.
  if (line.empty) return '\n';
  let j = n + 1;
  while (j < lines.length && lines[j]!.empty) j++;
  const next = lines[j];
  if (!next) return '\n';
  const ordinary = (l: BlockLine) => !/^[ \t]/.test(host.slice(l.content, l.end));
  if (!ordinary(line) || !ordinary(next)) return '\n';
  return j === n + 1 ? ' ' : '';
}
