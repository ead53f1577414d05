/**
 * What turns a scan into a CI gate: the configuration file, --changed-since, the baseline, and the
 * directories --fix may write in. main.ts runs the scan; this prepares it and settles its result.
 */
import { realpathSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { Severity } from '@imds-guard/core';
import { DEFAULT_MAX_FILE_BYTES, type RuleSettings, type ScanResult } from '@imds-guard/scanner';
import { applyBaseline, readBaseline, type BaselineFile } from './baseline.js';
import { changedSince } from './changed.js';
import { loadConfig } from './config.js';

export interface GateFlags {
  readonly paths: readonly string[];
  readonly config?: string;
  readonly baseline?: string;
  readonly changedSince?: string;
  readonly maxFileBytes?: number;
  readonly failOn?: Severity;
  readonly exclude: readonly string[];
}

export interface Gate {
  readonly rules: RuleSettings;
  /** The configuration's excludes, then the command line's. */
  readonly exclude: string[];
  readonly maxFileBytes: number;
  readonly failOn: Severity;
  readonly only?: (path: string) => boolean;
  /** Drops the findings the baseline holds (identity without --baseline). */
  readonly settle: (result: ScanResult) => { result: ScanResult; baselined: number };
  /** Real paths of the scanned directories: --fix writes nowhere else. */
  readonly roots: string[];
}

/** Throws ConfigError, ChangedSinceError or BaselineError, all of them usage errors (exit 2). */
export function prepareGate(flags: GateFlags, cwd: string): Gate {
  const config = loadConfig(cwd, flags.config);
  const only = flags.changedSince === undefined ? undefined : changedSince(cwd, flags.changedSince).has;
  let baseline: { file: BaselineFile; dir: string } | undefined;
  if (flags.baseline !== undefined) {
    const path = resolve(cwd, flags.baseline);
    baseline = { file: readBaseline(path, flags.baseline), dir: dirname(path) };
  }
  return {
    rules: config.rules,
    exclude: [...config.exclude, ...flags.exclude],
    maxFileBytes: flags.maxFileBytes ?? config.maxFileSize ?? DEFAULT_MAX_FILE_BYTES,
    failOn: flags.failOn ?? config.failOn ?? 'warning',
    ...(only && { only }),
    settle: (result) => (baseline ? applyBaseline(result, baseline.file, cwd, baseline.dir) : { result, baselined: 0 }),
    roots: scanRoots(flags.paths, cwd),
  };
}

/**
 * A directory argument is a root; a file argument's root is the directory that holds the name
 * given, so `scan link.sh --fix` may not follow link.sh out of it.
 */
export function scanRoots(paths: readonly string[], cwd: string): string[] {
  const roots = new Set<string>();
  for (const given of paths.length > 0 ? paths : ['.']) {
    const abs = resolve(cwd, given);
    let dir = dirname(abs);
    try {
      if (statSync(abs).isDirectory()) dir = abs;
    } catch {
      // Missing or unreadable: the scan reports it; its parent bounds nothing worth writing.
    }
    try {
      roots.add(realpathSync(dir));
    } catch {
      roots.add(dir);
    }
  }
  return [...roots];
}

const RANK: Record<Severity, number> = { note: 0, warning: 1, error: 2 };

/**
 * Notes inform; by default warnings (an uncertain verdict) and errors fail, and so do files that
 * could not be analysed unless --allow-unanalysed.
 */
export function failsGate(result: ScanResult, failOn: Severity, allowUnanalysed = false): boolean {
  return (!allowUnanalysed && result.errors.length > 0) || result.findings.some((f) => RANK[f.severity] >= RANK[failOn]);
}
