import type { Severity } from './rule-meta.js';

/** A replacement of `text.slice(start, end)`; offsets count UTF-16 code units, as JS strings do. */
export interface Edit {
  readonly start: number;
  readonly end: number;
  readonly text: string;
}

export interface Fix {
  readonly description: string;
  readonly safety: 'safe' | 'unsafe';
  readonly edits: readonly Edit[];
}

export interface Location {
  /** 1-based */
  readonly line: number;
  /** 1-based, in UTF-16 code units */
  readonly column: number;
  readonly endLine: number;
  readonly endColumn: number;
}

export interface Finding extends Location {
  readonly ruleId: string;
  readonly messageId: string;
  readonly severity: Severity;
  readonly message: string;
  readonly file: string;
  readonly start: number;
  readonly end: number;
  readonly fix?: Fix;
}

/** A file that could not be analysed; the scan goes on without it. */
export interface FileError {
  readonly file: string;
  readonly message: string;
}
