import { relative, resolve, sep } from 'node:path';
import type { FileError, Finding } from '@imds-guard/core';
import { analyseShell, type ShellAnalysis, type SyntaxProblem } from './bash/index.js';
import { discoverFiles } from './discover.js';
import { mayMentionImds } from './prefilter.js';
import { readSourceFile } from './read.js';
import { isShellCandidate } from './shell-candidate.js';

export interface ScanOptions {
  /** Paths are resolved against it, and findings name files relative to it. */
  readonly cwd: string;
  /** Files larger than this are reported and skipped; defaults to DEFAULT_MAX_FILE_BYTES (10 MB). */
  readonly maxFileBytes?: number;
  /** Directory names skipped in a walk; defaults to DEFAULT_EXCLUDES. */
  readonly exclude?: readonly string[];
}

/** A file that was handed to an analyser, kept so that reporters can quote it and --fix can edit it. */
export interface ScannedFile {
  /** Absolute path. */
  readonly path: string;
  /** Relative to the scan's cwd with forward slashes: the `file` of its findings. */
  readonly file: string;
  /** Without the BOM; finding offsets index into this. */
  readonly text: string;
  readonly bom: boolean;
}

export interface ScanResult {
  /** Sorted by file, line and column. */
  readonly findings: Finding[];
  /** Sorted by file. */
  readonly errors: FileError[];
  /** Only the files that were analysed (shell scripts that passed the prefilter). */
  readonly files: ScannedFile[];
}

export function scan(paths: readonly string[], options: ScanOptions): Promise<ScanResult> {
  return scanWith({ shell: analyseShell }, paths, options);
}

/** The analysers a scan dispatches to; a seam for tests, not part of the package's API. */
export interface Analysers {
  readonly shell: (text: string, file: string) => Promise<ShellAnalysis>;
}

export async function scanWith(analysers: Analysers, paths: readonly string[], options: ScanOptions): Promise<ScanResult> {
  const cwd = resolve(options.cwd);
  const discovery = await discoverFiles(paths.length > 0 ? paths : ['.'], { cwd, exclude: options.exclude });
  const errors: FileError[] = discovery.errors.map((e) => ({ file: displayPath(cwd, e.file), message: e.message }));
  const findings: Finding[] = [];
  const files: ScannedFile[] = [];

  for (const candidate of discovery.files) {
    if (!isShellCandidate(candidate.path, candidate.explicit)) continue;
    const file = displayPath(cwd, candidate.path);
    const read = readSourceFile(candidate.path, { maxBytes: options.maxFileBytes, file });
    if (!read.ok) {
      errors.push(read.error);
      continue;
    }
    if (!mayMentionImds(read.text)) continue;
    files.push({ path: candidate.path, file, text: read.text, bom: read.bom });
    try {
      const analysis = await analysers.shell(read.text, file);
      for (const finding of analysis.findings) findings.push({ ...finding, file });
      if (analysis.syntaxProblems.length > 0) errors.push({ file, message: syntaxMessage(analysis.syntaxProblems) });
    } catch (err) {
      // One file the analyser chokes on must not cost the user the results for all the others.
      errors.push({ file, message: `analysis failed: ${err instanceof Error ? err.message : String(err)}` });
    }
  }

  findings.sort(compareFindings);
  errors.sort((a, b) => compareStrings(a.file, b.file));
  return { findings, errors, files };
}

/** Relative to cwd with forward slashes, so output is the same on every platform. */
export function displayPath(cwd: string, path: string): string {
  const rel = relative(cwd, resolve(cwd, path)) || '.';
  return sep === '/' ? rel : rel.split(sep).join('/');
}

function syntaxMessage(problems: readonly SyntaxProblem[]): string {
  const first = problems.reduce((a, b) => (b.line < a.line || (b.line === a.line && b.column < a.column) ? b : a));
  const more = problems.length > 1 ? ` (and ${problems.length - 1} more)` : '';
  return `syntax error at line ${first.line}:${first.column}${more}; findings elsewhere in the file are still reported`;
}

export function compareFindings(a: Finding, b: Finding): number {
  return (
    compareStrings(a.file, b.file) ||
    a.line - b.line ||
    a.column - b.column ||
    a.endLine - b.endLine ||
    a.endColumn - b.endColumn ||
    compareStrings(a.ruleId, b.ruleId)
  );
}

/** Code-unit order, not locale order: the same on every machine. */
function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
