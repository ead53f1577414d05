import { writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { compareFindings, displayPath, scan, type ScanResult } from '@imds-guard/scanner';
import { HELP, parseCommand, UsageError, type Command } from './args.js';
import { BaselineError, baselineEntries, renderBaseline, writeBaseline } from './baseline.js';
import { ChangedSinceError } from './changed.js';
import { ConfigError } from './config.js';
import { unifiedDiff } from './diff.js';
import { fixFiles } from './fix.js';
import { failsGate, prepareGate, type Gate } from './gate.js';
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
    if (err instanceof ConfigError || err instanceof BaselineError || err instanceof ChangedSinceError) {
      io.stderr.write(`imds-guard: ${err.message}\n`);
      return EXIT_USAGE;
    }
    // A crash is not a finding: exit 1 would tell CI "IMDSv1 found" when nothing was checked.
    io.stderr.write(`imds-guard: internal error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    return EXIT_USAGE;
  }
}

async function runScan(command: Extract<Command, { kind: 'scan' | 'baseline' }>, io: CliIo): Promise<number> {
  const gate = prepareGate(command, io.cwd);
  const options = {
    cwd: io.cwd,
    maxFileBytes: gate.maxFileBytes,
    includeGlobs: command.include,
    excludeGlobs: gate.exclude,
    includeCdkOut: command.includeCdkOut,
    rules: gate.rules,
    ...(gate.only && { only: gate.only }),
  };
  const progress = progressBar(io.stderr, command.quiet);
  let result = await scan(command.paths, { ...options, onProgress: progress?.update });
  if (command.kind === 'baseline') {
    progress?.clear();
    return writeBaselineFile(command.output!, result, io);
  }
  let baselined: number;
  ({ result, baselined } = gate.settle(result));
  let fixed: { files: number; fixes: number } | undefined;
  if (command.fix || command.fixDryRun) {
    const run = await fixFiles(result, { unsafe: command.unsafeFixes, dryRun: command.fixDryRun, roots: gate.roots });
    if (command.fixDryRun) {
      progress?.clear();
      return printDryRun(run, result, gate, command, io);
    }
    // Like eslint --fix: report what is left in the rewritten files, not what was fixed.
    const rescanned = run.written.length > 0 ? gate.settle(await scan(run.written, options)) : undefined;
    const written = new Set(run.written);
    const redone = new Set(result.files.filter((f) => written.has(f.path)).map((f) => f.file));
    result = merge(result, rescanned?.result, redone, run.errors);
    baselined += rescanned?.baselined ?? 0;
    fixed = { files: run.written.length, fixes: run.applied };
  }

  progress?.clear();
  const report = REPORTERS[command.format].render({
    result,
    cwd: io.cwd,
    toolVersion: cliVersion(),
    color: useColour(command.output, io),
    unsafeFixes: command.unsafeFixes,
    fixed,
    baselined,
    suppressed: result.suppressed?.length ?? 0,
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
  return failsGate(result, gate.failOn, command.allowUnanalysed) ? EXIT_PROBLEMS : EXIT_CLEAN;
}

/**
 * Colours only for a terminal: not into --output, not into a pipe or a CI log, not when NO_COLOR
 * is set to anything but '' (no-color.org). FORCE_COLOR=1 (or any value but 0/false) forces them.
 */
function useColour(output: string | undefined, io: CliIo): boolean {
  if (output !== undefined) return false;
  if (io.env.NO_COLOR) return false;
  const force = io.env.FORCE_COLOR;
  if (force !== undefined && force !== '') return force !== '0' && force !== 'false';
  return io.stdout.isTTY === true;
}

/** `imds-guard baseline`: every current finding (after suppressions) into the baseline file. */
function writeBaselineFile(output: string, result: ScanResult, io: CliIo): number {
  const path = resolve(io.cwd, output);
  const entries = baselineEntries(result, result.findings, io.cwd, dirname(path));
  try {
    writeBaseline(path, renderBaseline(entries));
  } catch (err) {
    io.stderr.write(`imds-guard: cannot write ${output}: ${err instanceof Error ? err.message : String(err)}\n`);
    return EXIT_USAGE;
  }
  const files = new Set(result.findings.map((f) => f.file)).size;
  io.stdout.write(`Wrote ${entries.length} finding${entries.length === 1 ? '' : 's'} in ${files} file${files === 1 ? '' : 's'} to ${displayPath(io.cwd, path)}.\n`);
  if (result.errors.length > 0) {
    io.stderr.write(`imds-guard: ${result.errors.length} file(s) could not be analysed; their findings are not in the baseline:\n`);
    for (const e of result.errors) io.stderr.write(`  ${e.file}: ${e.message}\n`);
  }
  return EXIT_CLEAN;
}

/**
 * --fix-dry-run: the unified diff of every file --fix would rewrite, on stdout (or --output), in
 * the `a/`…`b/` form `git apply` takes. Fixes that would be refused are listed on stderr. The exit
 * code is the gate's verdict on the files as they are.
 */
function printDryRun(
  run: Awaited<ReturnType<typeof fixFiles>>,
  result: ScanResult,
  gate: Gate,
  command: Extract<Command, { kind: 'scan' | 'baseline' }>,
  io: CliIo,
): number {
  const previews = run.previews ?? [];
  const diff = previews.map((p) => unifiedDiff(p.before, p.after, `a/${p.file}`, `b/${p.file}`)).join('');
  if (command.output === undefined) {
    io.stdout.write(diff);
  } else {
    try {
      writeFileSync(resolve(io.cwd, command.output), diff);
    } catch (err) {
      io.stderr.write(`imds-guard: cannot write ${command.output}: ${err instanceof Error ? err.message : String(err)}\n`);
      return EXIT_USAGE;
    }
  }
  for (const e of run.errors) io.stderr.write(`imds-guard: ${e.file}: ${e.message}\n`);
  const files = previews.length;
  io.stderr.write(`imds-guard: --fix${command.unsafeFixes ? ' --unsafe-fixes' : ''} would fix ${run.applied} problem${run.applied === 1 ? '' : 's'} in ${files} file${files === 1 ? '' : 's'}; nothing was written.\n`);
  return failsGate(result, gate.failOn, command.allowUnanalysed) ? EXIT_PROBLEMS : EXIT_CLEAN;
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
    suppressed: [...keep(first.suppressed ?? []), ...(rescanned.suppressed ?? [])],
  };
}

function sortErrors(errors: ScanResult['errors']): ScanResult['errors'] {
  return errors.sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : 0));
}
