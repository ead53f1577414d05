import { realpathSync } from 'node:fs';
import { sep } from 'node:path';
import { applyFixes, type FileError, type Finding, type Fix } from '@imds-guard/core';
import { verifyFixedText, type ScannedFile, type ScanResult } from '@imds-guard/scanner';
import { writeFileAtomic } from './atomic-write.js';

export interface FixRun {
  /** Absolute paths of the files that were rewritten. */
  readonly written: string[];
  /** Fixes applied across those files. */
  readonly applied: number;
  /** Files whose fixes were computed but not written, and why. */
  readonly errors: FileError[];
  /** With `dryRun`: each file's text before and after, in scan order; nothing is written. */
  readonly previews?: { readonly file: string; readonly before: string; readonly after: string }[];
}

export interface FixOptions {
  readonly unsafe: boolean;
  /** Compute and verify the fixes, but write nothing (--fix-dry-run). */
  readonly dryRun?: boolean;
  /**
   * Real paths of the directories the scan was asked to cover; a file whose real path is outside
   * all of them (a symlink named on the command line that points elsewhere) is not written.
   */
  readonly roots?: readonly string[];
}

/** Applies each file's eligible fixes in one pass, verifying the result before it replaces the file. */
export async function fixFiles(result: ScanResult, options: FixOptions): Promise<FixRun> {
  const written: string[] = [];
  const previews: NonNullable<FixRun['previews']> = [];
  const errors: FileError[] = [];
  let applied = 0;
  const byFile = groupFixes(result.findings, options.unsafe);
  for (const file of result.files) {
    const fixes = byFile.get(file.file);
    if (!fixes) continue;
    const outcome = applyFixes(file.text, fixes);
    if (outcome.text === file.text) continue;
    const problem = await writeFix(file, outcome.text, options);
    if (problem) {
      errors.push({ file: file.file, message: `fix not applied: ${problem}` });
    } else {
      if (options.dryRun) previews.push({ file: file.file, before: file.text, after: outcome.text });
      else written.push(file.path);
      applied += outcome.applied;
    }
  }
  return { written, applied, errors, ...(options.dryRun && { previews }) };
}

async function writeFix(file: ScannedFile, fixed: string, options: FixOptions): Promise<string | undefined> {
  const verdict = await verifyFixedText(file.text, fixed, file.path);
  if (!verdict.ok) return verdict.reason;
  if (options.roots) {
    const outside = outsideRoots(file.path, options.roots);
    if (outside) return outside;
  }
  if (options.dryRun) return undefined;
  try {
    writeFileAtomic(file.path, fixed, { bom: file.bom, expected: file.text });
    return undefined;
  } catch (err) {
    return `cannot write: ${err instanceof Error ? err.message : String(err)}`;
  }
}

/** Why `path` may not be written: its real path is in none of the roots (undefined: it may). */
function outsideRoots(path: string, roots: readonly string[]): string | undefined {
  let real: string;
  try {
    real = realpathSync(path);
  } catch (err) {
    return `cannot resolve: ${err instanceof Error ? err.message : String(err)}`;
  }
  if (roots.some((root) => real === root || real.startsWith(root.endsWith(sep) ? root : root + sep))) return undefined;
  return `it resolves to ${real}, outside the scanned ${roots.length === 1 ? 'directory' : 'directories'} (${roots.join(', ')}); --fix does not write there`;
}

/** In source order, so that when two fixes clash the earlier one in the file wins, predictably. */
function groupFixes(findings: readonly Finding[], unsafe: boolean): Map<string, Fix[]> {
  const groups = new Map<string, { start: number; fix: Fix }[]>();
  for (const f of findings) {
    if (!f.fix || (f.fix.safety === 'unsafe' && !unsafe)) continue;
    const list = groups.get(f.file) ?? [];
    list.push({ start: f.start, fix: f.fix });
    groups.set(f.file, list);
  }
  return new Map([...groups].map(([file, list]) => [file, list.sort((a, b) => a.start - b.start).map((x) => x.fix)]));
}
