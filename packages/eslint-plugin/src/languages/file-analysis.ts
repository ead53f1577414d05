/**
 * What `imds-guard scan` reports for one file, computed for ESLint: every scanner analyser that
 * claims the file runs on it (a Terraform file together with the other files of its directory,
 * its module, read from disk), and the file's `imds-guard-ignore` comments are applied the way
 * the scan applies them. Nothing is analysed when no analyser's prefilter matches.
 */
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Finding } from '@imds-guard/core';
import { ANALYSERS, DIRECTIVE, readSourceFile, settleFindings, type Analyser, type SourceFile } from '@imds-guard/scanner';
import { analyseSync } from './sync-analysis.js';

export interface SyntaxProblem {
  readonly line: number;
  readonly column: number;
}

export interface FileFindings {
  /** Sorted by position. */
  readonly findings: Finding[];
  /** Where the parser had to recover (the scan lists these as a file error). */
  readonly syntaxProblems: SyntaxProblem[];
}

const NONE: FileFindings = { findings: [], syntaxProblems: [] };

/** JavaScript and TypeScript are the plugin's own rules' business, not a language's. */
const CANDIDATES = ANALYSERS.filter((a) => a.name !== 'javascript');

const interesting = (analyser: Analyser, text: string) => analyser.mayMatter(text) || text.includes(DIRECTIVE);

/**
 * The analysers that claim `path` (as in a directory scan); a file a config gives to a language
 * that no analyser claims by its name (a `.zsh` mapped to `sh`) gets the language's own.
 */
export function analysersFor(path: string, fallback?: string): Analyser[] {
  const claiming = CANDIDATES.filter((a) => a.claims(path, false));
  return claiming.length > 0 || !fallback ? claiming : CANDIDATES.filter((a) => a.name === fallback);
}

/** Would any analyser look at this text: the cheap test that lets ordinary files through untouched. */
export function mayMatter(path: string, text: string, fallback?: string): boolean {
  return analysersFor(path, fallback).some((a) => interesting(a, text));
}

export function analyseFile(path: string, text: string, fallback?: string): FileFindings {
  const findings: Finding[] = [];
  const syntaxProblems: SyntaxProblem[] = [];
  for (const analyser of analysersFor(path, fallback)) {
    const sources = analyser.groupOf ? groupOf(analyser, path, text) : [{ path, file: path, text }];
    if (!sources.some((s) => interesting(analyser, s.text))) continue;
    const analysis = analyseGroup(analyser, sources).find((a) => a.file === path);
    if (!analysis) continue;
    findings.push(...analysis.findings);
    syntaxProblems.push(...analysis.syntaxProblems);
  }
  if (findings.length === 0 && !text.includes(DIRECTIVE)) return syntaxProblems.length > 0 ? { findings, syntaxProblems } : NONE;
  const settled = settleFindings(unique(findings), [{ file: path, path, text }]);
  return { findings: settled.findings.filter((f) => f.file === path).sort((a, b) => a.start - b.start || a.end - b.end || a.ruleId.localeCompare(b.ruleId)), syntaxProblems };
}

/**
 * The file and the others of its group (for Terraform: the .tf/.tfvars files of its directory),
 * the others as they are on disk. A file that is not on disk (stdin, an editor buffer without a
 * folder) is analysed alone.
 */
function groupOf(analyser: Analyser, path: string, text: string): SourceFile[] {
  const key = analyser.groupOf!(path);
  const sources: SourceFile[] = [{ path, file: path, text }];
  let names: string[];
  try {
    names = readdirSync(dirname(path));
  } catch {
    return sources;
  }
  for (const name of names.sort()) {
    const other = join(dirname(path), name);
    if (other === path || !analyser.claims(other, false) || analyser.groupOf!(other) !== key) continue;
    const read = readSourceFile(other, { file: other });
    if (read.ok) sources.push({ path: other, file: other, text: read.text });
  }
  return sources;
}

/** ESLint lints a module's files one after another: analyse the module once while none of them changes. */
let last: { analyser: string; sources: readonly SourceFile[]; result: ReturnType<typeof analyseSync> } | undefined;

function analyseGroup(analyser: Analyser, sources: readonly SourceFile[]) {
  if (sources.length > 1 && last && last.analyser === analyser.name && sameFiles(last.sources, sources)) return last.result;
  const result = analyseSync(analyser.name, sources);
  if (sources.length > 1) last = { analyser: analyser.name, sources, result };
  return result;
}

function sameFiles(a: readonly SourceFile[], b: readonly SourceFile[]): boolean {
  if (a.length !== b.length) return false;
  const texts = new Map(a.map((s) => [s.path, s.text]));
  return b.every((s) => texts.get(s.path) === s.text);
}

/** One finding per rule, message and span, when two analysers claim the same file. */
function unique(findings: readonly Finding[]): Finding[] {
  const seen = new Set<string>();
  return findings.filter((f) => {
    const key = `${f.start}\0${f.end}\0${f.ruleId}\0${f.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
