/**
 * The trees the languages hand to ESLint: plain objects (ESLint keeps them while rules run, and
 * tree-sitter's own nodes are fresh objects on every access that hold WASM memory), each with
 * `type`, `range` in UTF-16 offsets, `loc` with 1-based lines and 0-based columns, and its named
 * children. The root always spans the whole file, which ESLint's offset/position conversion needs.
 */
import { LineIndex } from '@imds-guard/core';

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

/** Offsets to ESLint positions: the scanner's lines (only \n ends one), with 0-based columns. */
export class Positions {
  private readonly lines: LineIndex;

  constructor(text: string) {
    this.lines = new LineIndex(text);
  }

  at(offset: number): Position {
    const { line, column } = this.lines.position(offset);
    return { line, column: column - 1 };
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
