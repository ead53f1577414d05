import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, unlinkSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import type { Finding } from '@imds-guard/core';
import type { ScanResult } from '@imds-guard/scanner';

export const DEFAULT_BASELINE = '.imds-guard-baseline.json';
const VERSION = 1;

/**
 * One accepted finding. It is keyed by what it is, not where: the rule, the file, and a hash of its
 * source text with whitespace collapsed, so that editing other lines, moving the code or
 * re-indenting it keeps it baselined. Identical findings in one file are told apart by their
 * order (`occurrence`): with two baselined, a third is new.
 */
export interface BaselineEntry {
  readonly ruleId: string;
  /** Relative to the baseline file's directory, with forward slashes. */
  readonly file: string;
  readonly fingerprint: string;
  readonly occurrence: number;
  /** The start of the normalised source text, for people reading the file; not compared. */
  readonly snippet: string;
}

export interface BaselineFile {
  readonly $comment?: string;
  readonly version: number;
  readonly findings: BaselineEntry[];
}

export class BaselineError extends Error {}

const SNIPPET_CHARS = 120;

/** The findings' keys in the same order, for a baseline that lives in `baseDir`. */
export function baselineEntries(result: ScanResult, findings: readonly Finding[], cwd: string, baseDir: string): BaselineEntry[] {
  const texts = new Map(result.files.map((f) => [f.file, f.text]));
  const counts = new Map<string, number>();
  // Occurrences count in source order, whatever order the caller has.
  const order = [...findings.keys()].sort((a, b) => findings[a]!.start - findings[b]!.start || findings[a]!.end - findings[b]!.end);
  const entries: BaselineEntry[] = new Array(findings.length);
  for (const i of order) {
    const f = findings[i]!;
    const text = texts.get(f.file);
    // A finding without its file's text (none today) is keyed by its message instead.
    const source = normalise(text === undefined ? f.message : text.slice(f.start, f.end));
    const file = relativeTo(baseDir, resolve(cwd, f.file));
    const fingerprint = `sha256:${createHash('sha256').update(source).digest('hex').slice(0, 16)}`;
    const key = `${f.ruleId}\0${file}\0${fingerprint}`;
    const occurrence = counts.get(key) ?? 0;
    counts.set(key, occurrence + 1);
    const snippet = source.length > SNIPPET_CHARS ? `${source.slice(0, SNIPPET_CHARS - 1)}…` : source;
    entries[i] = { ruleId: f.ruleId, file, fingerprint, occurrence, snippet };
  }
  return entries;
}

/** Whitespace runs, line breaks and `\`-newline continuations all become one space. */
export function normalise(source: string): string {
  return source.replace(/\\\r?\n/g, ' ').replace(/\s+/g, ' ').trim();
}

function relativeTo(dir: string, path: string): string {
  const rel = relative(dir, path);
  return sep === '/' ? rel : rel.split(sep).join('/');
}

const key = (e: Pick<BaselineEntry, 'ruleId' | 'file' | 'fingerprint' | 'occurrence'>) => `${e.ruleId}\0${e.file}\0${e.fingerprint}\0${e.occurrence}`;

export function renderBaseline(entries: readonly BaselineEntry[]): string {
  const sorted = [...entries].sort((a, b) => compare(a.file, b.file) || compare(a.ruleId, b.ruleId) || compare(a.snippet, b.snippet) || compare(a.fingerprint, b.fingerprint) || a.occurrence - b.occurrence);
  const file: BaselineFile = {
    $comment: 'imds-guard baseline: findings accepted when it was written; `imds-guard scan --baseline` reports only others. Rewrite with `imds-guard baseline`.',
    version: VERSION,
    findings: sorted,
  };
  return `${JSON.stringify(file, null, 2)}\n`;
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Writes beside the target and renames, so a reader never sees half a baseline. */
export function writeBaseline(path: string, text: string): void {
  mkdirSync(dirname(path), { recursive: true });
  const temp = join(dirname(path), `.${randomBytes(6).toString('hex')}.imds-guard-baseline.tmp`);
  writeFileSync(temp, text, { flag: 'wx' });
  try {
    renameSync(temp, path);
  } catch (err) {
    try {
      unlinkSync(temp);
    } catch {
      // Never created, or already gone.
    }
    throw err;
  }
}

export function readBaseline(path: string, name: string): BaselineFile {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file (write one with `imds-guard baseline`)' : err instanceof Error ? err.message : String(err);
    throw new BaselineError(`baseline ${name}: cannot read: ${why}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new BaselineError(`baseline ${name}: not valid JSON: ${err instanceof Error ? err.message : String(err)}`);
  }
  const bad = (what: string): never => {
    throw new BaselineError(`baseline ${name}: ${what}; rewrite it with \`imds-guard baseline\``);
  };
  if (typeof json !== 'object' || json === null || Array.isArray(json)) return bad('not a JSON object');
  const obj = json as Record<string, unknown>;
  if (obj.version !== VERSION) bad(`version ${JSON.stringify(obj.version)} is not supported (expected ${VERSION})`);
  if (!Array.isArray(obj.findings)) bad('"findings" must be an array');
  (obj.findings as unknown[]).forEach((e, i) => {
    const entry = e as Record<string, unknown>;
    const ok =
      typeof e === 'object' && e !== null &&
      typeof entry.ruleId === 'string' && typeof entry.file === 'string' && typeof entry.fingerprint === 'string' &&
      Number.isSafeInteger(entry.occurrence) && (entry.occurrence as number) >= 0;
    if (!ok) bad(`findings[${i}] needs ruleId, file, fingerprint (strings) and occurrence (a whole number)`);
  });
  return obj as unknown as BaselineFile;
}

/** Splits a scan's findings into those the baseline holds and new ones. */
export function applyBaseline(
  result: ScanResult,
  baseline: BaselineFile,
  cwd: string,
  baseDir: string,
): { result: ScanResult; baselined: number } {
  const known = new Set(baseline.findings.map(key));
  const entries = baselineEntries(result, result.findings, cwd, baseDir);
  const fresh = result.findings.filter((_, i) => !known.has(key(entries[i]!)));
  return { result: { ...result, findings: fresh }, baselined: result.findings.length - fresh.length };
}
