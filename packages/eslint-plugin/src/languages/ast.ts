/**
 * The trees the languages hand to ESLint: plain objects (ESLint keeps them while rules run, and
 * tree-sitter's own nodes are fresh objects on every access that hold WASM memory), each with
 * `type`, `range` in UTF-16 offsets, `loc` with 1-based lines and 0-based columns, and its named
 * children. The root always spans the whole file, which ESLint's offset/position conversion needs.
 */
export interface Position {
  readonly line: number;
  readonly column: number;
}

export interface AstNode {
  readonly type: string;
  readonly range: [number, number];
  readonly loc: { readonly start: Position; readonly end: Position };
  readonly children: AstNode[];
  /** The field of its parent this node fills, where the grammar names one (tree-sitter `name`, `argument`, …). */
  readonly field?: string;
}

/** A comment: where ESLint directives and imds-guard-ignore suppressions live. `value` is without its delimiters. */
export interface Comment {
  readonly type: 'Comment';
  readonly value: string;
  readonly range: [number, number];
  readonly loc: { readonly start: Position; readonly end: Position };
}

/** Offsets to ESLint positions (1-based lines, 0-based columns; only \n ends a line, as in the scanner). */
export class Positions {
  private readonly starts: number[] = [0];

  constructor(text: string) {
    for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) this.starts.push(i + 1);
  }

  at(offset: number): Position {
    let lo = 0;
    let hi = this.starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.starts[mid]! <= offset) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo + 1, column: offset - this.starts[lo]! };
  }

  node(type: string, start: number, end: number, field?: string): AstNode {
    return { type, range: [start, end], loc: { start: this.at(start), end: this.at(end) }, children: [], ...(field ? { field } : {}) };
  }

  comment(start: number, end: number, value: string): Comment {
    return { type: 'Comment', value, range: [start, end], loc: { start: this.at(start), end: this.at(end) } };
  }
}

/** The text of a comment without its delimiters: `#`, `//` or `/* … *\/`. */
export function commentValue(raw: string): string {
  if (raw.startsWith('/*')) return raw.slice(2, raw.endsWith('*/') ? -2 : undefined);
  if (raw.startsWith('//')) return raw.slice(2);
  if (raw.startsWith('#')) return raw.slice(1);
  return raw;
}
