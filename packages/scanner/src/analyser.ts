import type { Finding } from '@imds-guard/core';

export interface SyntaxProblem {
  readonly line: number;
  readonly column: number;
}

/** A file handed to an analyser: `file` is the name findings carry, `path` where it lives. */
export interface SourceFile {
  readonly path: string;
  readonly file: string;
  readonly text: string;
}

export interface FileAnalysis {
  readonly file: string;
  readonly findings: readonly Finding[];
  /** Where the parser had to recover; findings elsewhere in the file are still reported. */
  readonly syntaxProblems: readonly SyntaxProblem[];
  /**
   * Set when the analysis is of a file the scan did not hand over, which the analyser read itself
   * (a script a Terraform `templatefile()` names): the scan keeps it for reports and --fix.
   */
  readonly source?: { readonly path: string; readonly text: string; readonly bom?: boolean };
}

/** One language or file format. The scan asks each analyser which files are its own. */
export interface Analyser {
  readonly name: string;
  /** Decided from the path (and at most the first bytes); `explicit` when the user named the file. */
  claims(path: string, explicit: boolean): boolean;
  /** A cheap text test run before any parsing; false means nothing in the file can be reported. */
  mayMatter(text: string): boolean;
  /**
   * Optional, for speed: strings of which every text that `mayMatter` accepts contains at least
   * one, ASCII letters in any case. The scan then looks for them in the raw bytes and neither
   * decodes nor calls `mayMatter` on a file that has none (see `needleTest`). Absent: every file
   * the analyser claims is decoded and given to `mayMatter`.
   */
  readonly needles?: readonly string[];
  /**
   * Files with the same key are analysed together, e.g. a Terraform module is its directory, so
   * variables and templates defined in one file resolve in another. The key is a path every
   * member lies within (a directory, or the file itself), so that the scan, going through files
   * in path order, knows when a group is complete. Absent: each file alone.
   */
  groupOf?(path: string): string;
  /**
   * Pays ahead what its first file in a thread costs beyond the rest, where that is large (ESLint
   * and TypeScript's parser load, ~0.5 s). A scan of a repository with many files the analyser
   * claims has a worker do this before any file, so the cost does not fall at the end; and the
   * main thread, done reading, helps with such an analyser's files only if it has run it already.
   */
  warmUp?(): Promise<void>;
  analyse(files: readonly SourceFile[]): Promise<FileAnalysis[]>;
  /** Used to refuse a fix that makes a file parse worse. */
  countSyntaxErrors(text: string, path: string): Promise<number>;
}
