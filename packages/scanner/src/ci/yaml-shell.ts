import { isScalar, isSeq, Scalar, type Node } from 'yaml';
import { ShellTextBuilder, type EmbeddedShell } from '../embedded/shell-text.js';

/**
 * Shell text taken from YAML scalars (a `run: |` block, the items of a `script:` list, a cloud-config
 * `runcmd`), with every shell character mapped back to the YAML source, and fixes written back in
 * the style of the scalar they land in.
 *
 * Each scalar is decoded from its source text (block indentation stripped, flow lines folded,
 * escapes and `''` resolved) and the result is compared with the value the `yaml` parser gave it.
 * When the two differ (a style this decoder does not follow), the scalar still goes to the shell
 * analyser, as one opaque piece: its findings point at the scalar's start and carry no fix.
 */

interface Part {
  readonly hostStart: number;
  readonly hostEnd: number;
  readonly text: string;
  readonly verbatim: boolean;
}

/** Writes shell text into the host at host offset `at`, or says it cannot. */
type Encoder = (text: string, at: number) => string | undefined;

interface Span {
  /** Host offsets of the scalar's content (inside the quotes, after the block header). */
  readonly start: number;
  readonly end: number;
  readonly encode?: Encoder;
  /** A flow scalar that is a block sequence item: a whole new line can become an item before it. */
  readonly item?: { readonly quote: '' | "'" | '"'; readonly dashColumn: number };
}

/** Splits host text that the shell would not see as written (`${{ … }}` in GitHub Actions). */
export type OpaqueSplitter = (text: string) => readonly { readonly text: string; readonly opaque?: string }[];

export interface ScalarOptions {
  /** The scalar is one item of a block sequence that a runner joins into one script. */
  readonly item?: boolean;
  /** Reported but never fixed (an argv element that the runner quotes itself). */
  readonly noFix?: boolean;
}

export class YamlShellBuilder {
  private readonly b = new ShellTextBuilder();
  private readonly spans: Span[] = [];
  private readonly eol: string;

  constructor(
    private readonly host: string,
    private readonly opaque?: OpaqueSplitter,
  ) {
    this.eol = host.includes('\r\n') ? '\r\n' : '\n';
  }

  get isEmpty(): boolean {
    return this.spans.length === 0;
  }

  /**
   * Variables the runner puts in the shell's environment (`variables:`, `env:`), written as
   * assignments before the script so that `$METADATA/instance-id` resolves. They map to their YAML
   * values, but are never edited. Call before adding any scalar.
   */
  environment(vars: readonly (readonly [string, Node | null | undefined])[]): this {
    for (const [name, node] of vars) {
      if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name) || !isScalar(node) || !node.range || node.value === null || typeof node.value === 'object') continue;
      let value = String(node.value);
      if (this.opaque) value = this.opaque(value).map((p) => p.opaque ?? p.text).join('');
      this.b.decoded(node.range[0], node.range[1], `${name}='${value.replaceAll("'", `'\\''`)}'\n`);
    }
    return this;
  }

  /** Text the runner puts between pieces (the newline that joins two list items), at host offset `at`. */
  joiner(at: number, text: string): this {
    this.b.decoded(at, at, text);
    return this;
  }

  /** Adds a scalar's value; false when the node is not a string scalar. */
  scalar(node: Node | null | undefined, options: ScalarOptions = {}): boolean {
    if (!isScalar(node) || typeof node.value !== 'string' || !node.range) return false;
    const decoded = decodeScalar(this.host, node);
    if (!decoded || joined(decoded.parts) !== expectedText(node)) {
      const [start, end] = node.range;
      this.b.decoded(start, end, node.value);
      this.spans.push({ start, end });
      return true;
    }
    for (const part of decoded.parts) this.emit(part);
    const encode = options.noFix ? undefined : encoderFor(this.host, node, decoded, this.eol);
    const item = options.item && !options.noFix ? itemInfo(this.host, node) : undefined;
    this.spans.push({ start: decoded.start, end: decoded.end, ...(encode ? { encode } : {}), ...(item ? { item } : {}) });
    return true;
  }

  /**
   * A list of words that the runner quotes one by one and joins with spaces, as cloud-init does
   * for a `runcmd` item that is a list (`'curl' '-s' 'http://…'`). Reported, never fixed: a fix
   * would have to add list elements, and a token variable would not expand inside those quotes.
   */
  argv(seq: Node): boolean {
    if (!isSeq(seq) || !seq.range) return false;
    let first = true;
    for (const element of seq.items) {
      if (!isScalar(element) || !element.range) continue;
      const [start, end] = element.range;
      if (!first) this.b.decoded(start, start, ' ');
      first = false;
      const value = element.value === null ? '' : String(element.value);
      if (typeof element.value === 'string' && !value.includes("'")) {
        this.b.decoded(start, start, "'");
        this.scalar(element, { noFix: true });
        this.b.decoded(end, end, "'");
      } else {
        this.b.decoded(start, end, `'${value.replaceAll("'", `'\\''`)}'`);
      }
    }
    this.spans.push({ start: seq.range[0], end: seq.range[1] });
    return !first;
  }

  build(extra: Omit<EmbeddedShell, 'text' | 'toHost' | 'toHostEnd' | 'escape'> = {}): EmbeddedShell {
    const spans = [...this.spans];
    const eol = this.eol;
    return this.b.build({
      ...extra,
      escape(text, at) {
        // At an item's first character the insertion may belong to that item or end the one before.
        const span = spans.find((s) => s.start === at) ?? spans.find((s) => s.start <= at && at <= s.end);
        if (!span) return undefined;
        if (span.item && at === span.start && /^[^\n]*\n$/.test(text)) return newItemBefore(text.slice(0, -1), span.item, eol);
        return span.encode?.(text, at);
      },
    });
  }

  private emit(part: Part): void {
    if (!part.verbatim) {
      this.b.decoded(part.hostStart, part.hostEnd, part.text);
      return;
    }
    if (!this.opaque) {
      this.b.verbatim(part.hostStart, part.text);
      return;
    }
    let at = part.hostStart;
    for (const piece of this.opaque(part.text)) {
      if (piece.opaque === undefined) this.b.verbatim(at, piece.text);
      else this.b.decoded(at, at + piece.text.length, piece.opaque);
      at += piece.text.length;
    }
  }
}

interface Decoded {
  readonly parts: Part[];
  readonly start: number;
  readonly end: number;
  /** Block scalars: the number of spaces every content line starts with. */
  readonly indent?: number;
}

const joined = (parts: readonly Part[]) => parts.map((p) => p.text).join('');

/** The parser's value, with block chomping evened out (trailing newlines do not matter to a shell). */
function expectedText(node: Scalar): string {
  const value = node.value as string;
  if (node.type !== Scalar.BLOCK_LITERAL && node.type !== Scalar.BLOCK_FOLDED) return value;
  const body = value.replace(/\n+$/, '');
  return body === '' ? '' : `${body}\n`;
}

function decodeScalar(host: string, node: Scalar): Decoded | undefined {
  const [start, end] = node.range!;
  switch (node.type) {
    case Scalar.BLOCK_LITERAL:
    case Scalar.BLOCK_FOLDED:
      return decodeBlock(host, start, end, node.type === Scalar.BLOCK_FOLDED);
    case Scalar.QUOTE_DOUBLE:
      return host[start] === '"' && host[end - 1] === '"' ? decodeFlow(host, start + 1, end - 1, 'double') : undefined;
    case Scalar.QUOTE_SINGLE:
      return host[start] === "'" && host[end - 1] === "'" ? decodeFlow(host, start + 1, end - 1, 'single') : undefined;
    case Scalar.PLAIN:
      return decodeFlow(host, start, end, 'plain');
    default:
      return undefined;
  }
}

interface Line {
  /** Host offset of the first character after the block indentation. */
  readonly start: number;
  /** Host offset of the line's end (before `\r\n` or `\n`). */
  readonly end: number;
  /** Host offset of the next line's start. */
  readonly next: number;
  readonly blank: boolean;
}

/**
 * `|` and `>` scalars: the header line, then lines that start with the block's indentation. A
 * literal keeps its line breaks; a folded scalar turns a break between two ordinary lines into a
 * space and keeps the rest (YAML 1.2, §8.1.3).
 */
function decodeBlock(host: string, start: number, end: number, folded: boolean): Decoded | undefined {
  const headerEnd = host.indexOf('\n', start);
  if (headerEnd < 0 || headerEnd >= end) return { parts: [], start: end, end };
  const header = /^[|>]([1-9])?[+-]?|^[|>][+-]?([1-9])?/.exec(host.slice(start, headerEnd));
  if (!header) return undefined;
  const contentStart = headerEnd + 1;
  const raw: { from: number; end: number; next: number }[] = [];
  for (let at = contentStart; at < end; ) {
    const nl = host.indexOf('\n', at);
    const next = nl < 0 || nl >= end ? end : nl + 1;
    const lineEnd = nl < 0 || nl >= end ? end : host[nl - 1] === '\r' ? nl - 1 : nl;
    raw.push({ from: at, end: lineEnd, next });
    at = next;
  }
  const explicit = header[1] ?? header[2];
  let indent: number;
  if (explicit) {
    const parentIndent = /^ */.exec(host.slice(host.lastIndexOf('\n', start - 1) + 1))![0].length;
    indent = parentIndent + Number(explicit);
  } else {
    const first = raw.find((l) => host.slice(l.from, l.end).trim() !== '');
    if (!first) return { parts: [], start: contentStart, end };
    indent = /^ */.exec(host.slice(first.from, first.end))![0].length;
  }
  const lines: Line[] = raw.map((l) => {
    const spaces = /^ */.exec(host.slice(l.from, l.end))![0].length;
    const cut = Math.min(spaces, indent);
    return { start: l.from + cut, end: l.end, next: l.next, blank: host.slice(l.from, l.end).trim() === '' && spaces <= indent };
  });
  const lastContent = lines.findLastIndex((l) => !l.blank);
  if (lastContent < 0) return { parts: [], start: contentStart, end, indent };
  const parts: Part[] = [];
  const indentPart = (l: Line, from: number) => {
    if (l.start > from) parts.push({ hostStart: from, hostEnd: l.start, text: '', verbatim: false });
  };
  let lineFrom = contentStart;
  for (let i = 0; i <= lastContent; i++) {
    const l = lines[i]!;
    indentPart(l, lineFrom);
    if (l.end > l.start) parts.push({ hostStart: l.start, hostEnd: l.end, text: host.slice(l.start, l.end), verbatim: true });
    if (i === lastContent) {
      parts.push(breakPart(host, l, '\n'));
      break;
    }
    if (!folded) {
      parts.push(breakPart(host, l, '\n'));
      lineFrom = l.next;
      continue;
    }
    // Folded: the break after an ordinary line, with the blank lines after it, is one decoded part.
    let j = i + 1;
    while (lines[j]!.blank) j++;
    const next = lines[j]!;
    const ordinary = (x: Line) => !x.blank && host[x.start] !== ' ' && host[x.start] !== '\t';
    const blanks = j - i - 1;
    const text = ordinary(l) && ordinary(next) ? (blanks === 0 ? ' ' : '\n'.repeat(blanks)) : '\n'.repeat(blanks + 1);
    parts.push({ hostStart: l.end, hostEnd: next.start, text, verbatim: false });
    i = j - 1;
    lineFrom = next.start;
  }
  return { parts, start: contentStart, end, indent };
}

function breakPart(host: string, l: Line, text: string): Part {
  const verbatim = l.next === l.end + 1 && host[l.end] === '\n' && text === '\n';
  return { hostStart: l.end, hostEnd: l.next, text, verbatim };
}

const DOUBLE_ESCAPES: Record<string, string> = {
  '0': '\0', a: '\x07', b: '\b', t: '\t', '\t': '\t', n: '\n', v: '\v', f: '\f', r: '\r', e: '\x1b',
  ' ': ' ', '"': '"', '/': '/', '\\': '\\', N: '\x85', _: '\xa0', L: '\u2028', P: '\u2029',
};

/**
 * Plain, single- and double-quoted scalars: text runs are verbatim, escapes and `''` are decoded,
 * and a line break with the whitespace around it folds to a space, or to one newline per blank line.
 */
function decodeFlow(host: string, start: number, end: number, style: 'plain' | 'single' | 'double'): Decoded | undefined {
  const parts: Part[] = [];
  let runStart = start;
  const flush = (to: number) => {
    if (to > runStart) parts.push({ hostStart: runStart, hostEnd: to, text: host.slice(runStart, to), verbatim: true });
  };
  let i = start;
  while (i < end) {
    const c = host[i]!;
    if (style === 'single' && c === "'" && host[i + 1] === "'") {
      flush(i);
      parts.push({ hostStart: i, hostEnd: i + 2, text: "'", verbatim: false });
      i += 2;
      runStart = i;
    } else if (style === 'double' && c === '\\') {
      flush(i);
      const e = host[i + 1];
      if (e === undefined) return undefined;
      if (e === '\n' || (e === '\r' && host[i + 2] === '\n')) {
        // An escaped line break joins the lines without a space.
        let j = i + (e === '\r' ? 3 : 2);
        while (j < end && (host[j] === ' ' || host[j] === '\t')) j++;
        parts.push({ hostStart: i, hostEnd: j, text: '', verbatim: false });
        i = j;
      } else if (e === 'x' || e === 'u' || e === 'U') {
        const n = e === 'x' ? 2 : e === 'u' ? 4 : 8;
        const hex = host.slice(i + 2, i + 2 + n);
        if (!/^[0-9a-fA-F]+$/.test(hex) || hex.length !== n) return undefined;
        parts.push({ hostStart: i, hostEnd: i + 2 + n, text: String.fromCodePoint(parseInt(hex, 16)), verbatim: false });
        i += 2 + n;
      } else if (e in DOUBLE_ESCAPES) {
        parts.push({ hostStart: i, hostEnd: i + 2, text: DOUBLE_ESCAPES[e]!, verbatim: false });
        i += 2;
      } else {
        return undefined;
      }
      runStart = i;
    } else if (c === '\n' || (c === '\r' && host[i + 1] === '\n')) {
      // Trailing whitespace of this line, the break, blank lines and the next line's indentation.
      let from = i;
      while (from > runStart && (host[from - 1] === ' ' || host[from - 1] === '\t')) from--;
      flush(from);
      let j = i;
      let breaks = 0;
      while (j < end) {
        if (host[j] === '\n') {
          breaks++;
          j++;
        } else if (host[j] === ' ' || host[j] === '\t' || host[j] === '\r') j++;
        else break;
      }
      parts.push({ hostStart: from, hostEnd: j, text: breaks === 1 ? ' ' : '\n'.repeat(breaks - 1), verbatim: false });
      i = j;
      runStart = i;
    } else {
      i++;
    }
  }
  flush(end);
  return { parts, start, end };
}

/** How new shell text is written into a scalar of this style, or undefined where it cannot be. */
function encoderFor(host: string, node: Scalar, decoded: Decoded, eol: string): Encoder | undefined {
  switch (node.type) {
    case Scalar.BLOCK_LITERAL: {
      const pad = ' '.repeat(decoded.indent ?? 0);
      return (text) => (text.includes('\r') ? undefined : text.replaceAll('\n', `${eol}${pad}`));
    }
    case Scalar.BLOCK_FOLDED:
      // A new line in a folded block would need blank lines around it; a space at a line start
      // would turn the line into a "more indented" one and change how its neighbours fold.
      return (text, at) => (/[\r\n]/.test(text) || (/^[ \t]/.test(text) && atLineContentStart(host, at)) ? undefined : text);
    case Scalar.QUOTE_DOUBLE:
      return (text) => encodeDouble(text);
    case Scalar.QUOTE_SINGLE:
      return (text) => (/[\r\n]/.test(text) ? undefined : text.replaceAll("'", "''"));
    case Scalar.PLAIN:
      return (text, at) => {
        if (/[\r\n\t]/.test(text)) return undefined;
        const [start, end] = node.range!;
        const after = host.slice(start, at) + text + host.slice(at, end);
        return plainSafe(after, text, at === start) ? text : undefined;
      };
    default:
      return undefined;
  }
}

function atLineContentStart(host: string, at: number): boolean {
  const lineStart = host.lastIndexOf('\n', at - 1) + 1;
  return /^ *$/.test(host.slice(lineStart, at));
}

/** A plain scalar in block context stays one plain scalar with this text (YAML 1.2, §7.3.3). */
function plainSafe(source: string, inserted: string, atStart: boolean): boolean {
  if (source.includes(': ') || source.includes(' #') || source.endsWith(':') || /\s$/.test(source)) return false;
  if (/[[\]{},]/.test(inserted)) return false;
  return !(atStart && /^[-?:,[\]{}#&*!|>'"%@`\s]/.test(inserted));
}

function encodeDouble(text: string): string | undefined {
  let out = '';
  for (const c of text) {
    if (c === '\\' || c === '"') out += `\\${c}`;
    else if (c === '\n') out += '\\n';
    else if (c === '\t') out += '\\t';
    else if (c < ' ' || c === '\x7f') return undefined;
    else out += c;
  }
  return out;
}

/**
 * A block sequence item written as a flow scalar (`- curl …`, `- 'curl …'`): where its dash is,
 * so that a line inserted before its text can become an item of its own.
 */
function itemInfo(host: string, node: Scalar): Span['item'] {
  const [start] = node.range!;
  const lineStart = host.lastIndexOf('\n', start - 1) + 1;
  const prefix = host.slice(lineStart, start);
  if (!/^ *(?:- +)+$/.test(prefix)) return undefined;
  const quote = node.type === Scalar.QUOTE_SINGLE ? "'" : node.type === Scalar.QUOTE_DOUBLE ? '"' : node.type === Scalar.PLAIN ? '' : undefined;
  if (quote === undefined) return undefined;
  return { quote, dashColumn: prefix.lastIndexOf('-') };
}

/**
 * The text inserted at the start of an item's content so that `line` becomes an item before it:
 * the new item is closed, a dash at the same column starts the old one again. The runner joins the
 * items into one script, so a variable the new line sets is seen by the lines after it.
 */
function newItemBefore(line: string, item: NonNullable<Span['item']>, eol: string): string | undefined {
  if (/[\r\n]/.test(line)) return undefined;
  const next = `${eol}${' '.repeat(item.dashColumn)}- `;
  if (item.quote === '"') {
    const encoded = encodeDouble(line);
    return encoded === undefined ? undefined : `${encoded}"${next}"`;
  }
  // A plain item keeps its style; the new line, which has `: ` and quotes, goes in single quotes.
  return item.quote === "'" ? `${line.replaceAll("'", "''")}'${next}'` : `'${line.replaceAll("'", "''")}'${next}`;
}
