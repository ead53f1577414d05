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
}

/** Applies each file's eligible fixes in one pass, verifying the result before it replaces the file. */
export async function fixFiles(result: ScanResult, options: { readonly unsafe: boolean }): Promise<FixRun> {
  const written: string[] = [];
  const errors: FileError[] = [];
  let applied = 0;
  const byFile = groupFixes(result.findings, options.unsafe);
  for (const file of result.files) {
    const fixes = byFile.get(file.file);
    if (!fixes) continue;
    const outcome = applyFixes(file.text, fixes);
    if (outcome.text === file.text) continue;
    const problem = await writeFix(file, outcome.text);
    if (problem) {
      errors.push({ file: file.file, message: `fix not applied: ${problem}` });
    } else {
      written.push(file.path);
      applied += outcome.applied;
    }
  }
  return { written, applied, errors };
}

async function writeFix(file: ScannedFile, fixed: string): Promise<string | undefined> {
  const verdict = await verifyFixedText(file.text, fixed, file.path);
  if (!verdict.ok) return verdict.reason;
  try {
    writeFileAtomic(file.path, fixed, { bom: file.bom, expected: file.text });
    return undefined;
  } catch (err) {
    return `cannot write: ${err instanceof Error ? err.message : String(err)}`;
  }
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
