import { relative, resolve, sep } from 'node:path';
import type { FileError, Finding } from '@imds-guard/core';
import type { Analyser, SourceFile, SyntaxProblem } from './analyser.js';
import { ANALYSERS } from './analysers.js';
import { discoverFiles } from './discover.js';
import { readSourceFile } from './read.js';

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
  return scanWith(ANALYSERS, paths, options);
}

interface Group {
  readonly analyser: Analyser;
  readonly files: SourceFile[];
  matters: boolean;
}

export async function scanWith(analysers: readonly Analyser[], paths: readonly string[], options: ScanOptions): Promise<ScanResult> {
  const cwd = resolve(options.cwd);
  const discovery = await discoverFiles(paths.length > 0 ? paths : ['.'], { cwd, exclude: options.exclude });
  const errors: FileError[] = discovery.errors.map((e) => ({ file: displayPath(cwd, e.file), message: e.message }));
  const findings: Finding[] = [];
  const read = new Map<string, ScannedFile>();
  const analysed = new Set<string>();
  const groups = new Map<string, Group>();

  const run = async (analyser: Analyser, sources: readonly SourceFile[]) => {
    for (const source of sources) analysed.add(source.path);
    try {
      for (const analysis of await analyser.analyse(sources)) {
        for (const finding of analysis.findings) findings.push({ ...finding, file: analysis.file });
        if (analysis.syntaxProblems.length > 0) errors.push({ file: analysis.file, message: syntaxMessage(analysis.syntaxProblems) });
      }
    } catch (err) {
      // One file the analyser chokes on must not cost the user the results for all the others.
      const message = `analysis failed: ${err instanceof Error ? err.message : String(err)}`;
      for (const source of sources) errors.push({ file: source.file, message });
    }
  };

  for (const candidate of discovery.files) {
    const claiming = analysers.filter((a) => a.claims(candidate.path, candidate.explicit));
    if (claiming.length === 0) continue;
    const file = displayPath(cwd, candidate.path);
    const outcome = readSourceFile(candidate.path, { maxBytes: options.maxFileBytes, file });
    if (!outcome.ok) {
      errors.push(outcome.error);
      continue;
    }
    read.set(candidate.path, { path: candidate.path, file, text: outcome.text, bom: outcome.bom });
    const source: SourceFile = { path: candidate.path, file, text: outcome.text };
    for (const analyser of claiming) {
      const matters = analyser.mayMatter(outcome.text);
      if (analyser.groupOf) {
        const key = `${analyser.name}\0${analyser.groupOf(candidate.path)}`;
        const group = groups.get(key) ?? { analyser, files: [], matters: false };
        groups.set(key, group);
        group.files.push(source);
        group.matters ||= matters;
      } else if (matters) {
        await run(analyser, [source]);
      }
    }
  }
  for (const group of groups.values()) if (group.matters) await run(group.analyser, group.files);

  findings.sort(compareFindings);
  errors.sort((a, b) => compareStrings(a.file, b.file));
  return { findings, errors, files: [...read.values()].filter((f) => analysed.has(f.path)) };
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
