import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Severity } from '@imds-guard/core';
import { compareFindings, scan, type ScanResult } from '@imds-guard/scanner';
import { HELP, parseCommand, UsageError, type Command } from './args.js';
import { fixFiles } from './fix.js';
import { progressBar, type ProgressStream } from './progress.js';
import { REPORTERS } from './reporters/index.js';
import { cliVersion } from './version.js';

export const EXIT_CLEAN = 0;
export const EXIT_PROBLEMS = 1;
export const EXIT_USAGE = 2;

/** What the CLI touches of its process, so that tests can run it in-process. */
export interface CliIo {
  readonly cwd: string;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly stdout: { write(chunk: string): unknown; readonly isTTY?: boolean };
  readonly stderr: ProgressStream;
}

const processIo = (): CliIo => ({ cwd: process.cwd(), env: process.env, stdout: process.stdout, stderr: process.stderr });

/** Runs one command line and returns the exit code; the caller sets it on the process. */
export async function main(argv: string[], io: CliIo = processIo()): Promise<number> {
  let command: Command;
  try {
    command = parseCommand(argv);
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    io.stderr.write(`imds-guard: ${err.message}\nRun 'imds-guard --help' for usage.\n`);
    return EXIT_USAGE;
  }
  if (command.kind === 'help') {
    io.stdout.write(HELP);
    return EXIT_CLEAN;
  }
  if (command.kind === 'version') {
    io.stdout.write(`${cliVersion()}\n`);
    return EXIT_CLEAN;
  }
  try {
    return await runScan(command, io);
  } catch (err) {
    // A crash is not a finding: exit 1 would tell CI "IMDSv1 found" when nothing was checked.
    io.stderr.write(`imds-guard: internal error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    return EXIT_USAGE;
  }
}

async function runScan(command: Extract<Command, { kind: 'scan' }>, io: CliIo): Promise<number> {
  const options = {
    cwd: io.cwd,
    maxFileBytes: command.maxFileBytes,
    includeGlobs: command.include,
    excludeGlobs: command.exclude,
    includeCdkOut: command.includeCdkOut,
  };
  const progress = progressBar(io.stderr, command.quiet);
  let result = await scan(command.paths, { ...options, onProgress: progress?.update });
  let fixed: { files: number; fixes: number } | undefined;
  if (command.fix) {
    const run = await fixFiles(result, { unsafe: command.unsafeFixes });
    // Like eslint --fix: report what is left in the rewritten files, not what was fixed.
    const rescanned = run.written.length > 0 ? await scan(run.written, options) : undefined;
    const written = new Set(run.written);
    const redone = new Set(result.files.filter((f) => written.has(f.path)).map((f) => f.file));
    result = merge(result, rescanned, redone, run.errors);
    fixed = { files: run.written.length, fixes: run.applied };
  }

  progress?.clear();
  const report = REPORTERS[command.format].render({
    result,
    cwd: io.cwd,
    toolVersion: cliVersion(),
    color: command.output === undefined && io.stdout.isTTY === true && io.env.NO_COLOR === undefined,
    unsafeFixes: command.unsafeFixes,
    fixed,
  });
  if (command.output === undefined) {
    io.stdout.write(report);
  } else {
    try {
      writeFileSync(resolve(io.cwd, command.output), report);
    } catch (err) {
      io.stderr.write(`imds-guard: cannot write ${command.output}: ${err instanceof Error ? err.message : String(err)}\n`);
      return EXIT_USAGE;
    }
  }
  progress?.summary();
  return failsGate(result, command.failOn) ? EXIT_PROBLEMS : EXIT_CLEAN;
}

const RANK: Record<Severity, number> = { note: 0, warning: 1, error: 2 };

/** Notes inform; by default warnings (an uncertain verdict) and errors fail, as do unanalysed files. */
function failsGate(result: ScanResult, failOn: Severity): boolean {
  return result.errors.length > 0 || result.findings.some((f) => RANK[f.severity] >= RANK[failOn]);
}

/** The first scan's results, with the rewritten files' results replaced by their re-scan. */
function merge(
  first: ScanResult,
  rescanned: ScanResult | undefined,
  redone: ReadonlySet<string>,
  fixErrors: ScanResult['errors'],
): ScanResult {
  if (!rescanned) return { ...first, errors: sortErrors([...first.errors, ...fixErrors]) };
  const keep = <T extends { file: string }>(items: readonly T[]) => items.filter((x) => !redone.has(x.file));
  return {
    findings: [...keep(first.findings), ...rescanned.findings].sort(compareFindings),
    errors: sortErrors([...keep(first.errors), ...rescanned.errors, ...fixErrors]),
    files: [...keep(first.files), ...rescanned.files],
  };
}

function sortErrors(errors: ScanResult['errors']): ScanResult['errors'] {
  return errors.sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : 0));
}
