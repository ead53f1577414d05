import { parseArgs } from 'node:util';
import { DEFAULT_MAX_FILE_BYTES } from '@imds-guard/scanner';
import type { Severity } from '@imds-guard/core';
import { DEFAULT_BASELINE } from './baseline.js';
import { isFormatName, type FormatName } from './reporters/index.js';

const SEVERITIES: readonly Severity[] = ['error', 'warning', 'note'];

export type Command =
  | { readonly kind: 'help' }
  | { readonly kind: 'version' }
  | {
      /** `baseline` scans like `scan` and writes the findings to `output` instead of reporting them. */
      readonly kind: 'scan' | 'baseline';
      readonly paths: string[];
      readonly format: FormatName;
      readonly output?: string;
      readonly fix: boolean;
      readonly unsafeFixes: boolean;
      /** Undefined when not given: the configuration file's, else the default. */
      readonly maxFileBytes?: number;
      readonly failOn?: Severity;
      /** --config: this configuration file instead of the one found from the cwd up. */
      readonly config?: string;
      /** --baseline: report and fail only on findings this baseline file does not hold. */
      readonly baseline?: string;
      /** --changed-since: only files changed against this git ref. */
      readonly changedSince?: string;
      /** --fix-dry-run: print the diff --fix would apply, write nothing. */
      readonly fixDryRun: boolean;
      /** Files that could not be analysed do not fail the run. */
      readonly allowUnanalysed: boolean;
      /** --include / --exclude, repeatable: .gitignore-syntax patterns relative to the cwd. */
      readonly include: string[];
      readonly exclude: string[];
      readonly includeCdkOut: boolean;
      /** No progress bar, no summary line on stderr. */
      readonly quiet: boolean;
    };

export class UsageError extends Error {}

export const HELP = `Usage: imds-guard scan [options] [paths...]
       imds-guard baseline [options] [paths...]

Finds EC2 instance metadata service v1 (IMDSv1) usage in shell scripts, and
configuration that lets instances accept it.
Paths are files or directories (default: the current directory). Inside
directories, files that .gitignore lists are skipped, and so are node_modules,
.git, dist, build, .terraform, vendor and cdk.out; a file named on the command
line is always scanned.

'baseline' writes the current findings to a file (-o, default
${DEFAULT_BASELINE}) that 'scan --baseline' then leaves out.

Options:
  -f, --format <name>             report format: text (default), json, sarif, or
                                  github (workflow annotations)
  -o, --output <file>             write the report to a file instead of stdout
      --fix                       apply safe fixes, then report what remains
      --unsafe-fixes              with --fix or --fix-dry-run, also apply fixes
                                  that may change behaviour
      --fix-dry-run               print the diff --fix would apply; write nothing
      --baseline <file>           report (and fail on) only findings the
                                  baseline file does not hold
      --changed-since <ref>       only files changed since the branch left <ref>
                                  (committed, staged, unstaged, untracked)
      --config <file>             use this configuration file instead of the
                                  imds-guard.config.json (or package.json key)
                                  found from here up to the git root
      --allow-unanalysed          files that could not be analysed do not fail
      --fail-on <severity>        exit 1 on findings of this severity or worse:
                                  error, warning (default) or note
      --max-file-size <bytes>     skip larger files (default: ${DEFAULT_MAX_FILE_BYTES})
      --include <pattern>         only scan files in directories that match
                                  (.gitignore syntax, relative to the current
                                  directory: '*.tf', 'infra/'); repeatable
      --exclude <pattern>         skip files in directories that match; repeatable
      --include-cdk-out           also scan cdk.out, even when .gitignore lists it
  -q, --quiet                     no progress bar or summary line on stderr
  -h, --help                      show this help
  -v, --version                   show the version

Exit codes: 0 no problems; 1 findings at or above --fail-on, or files that
could not be analysed; 2 usage, configuration or baseline error.
`;

export function parseCommand(argv: readonly string[]): Command {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      strict: true,
      allowPositionals: true,
      options: {
        format: { type: 'string', short: 'f' },
        output: { type: 'string', short: 'o' },
        fix: { type: 'boolean' },
        'unsafe-fixes': { type: 'boolean' },
        'max-file-size': { type: 'string' },
        'fail-on': { type: 'string' },
        include: { type: 'string', multiple: true },
        exclude: { type: 'string', multiple: true },
        'include-cdk-out': { type: 'boolean' },
        quiet: { type: 'boolean', short: 'q' },
        'fix-dry-run': { type: 'boolean' },
        baseline: { type: 'string' },
        'changed-since': { type: 'string' },
        config: { type: 'string' },
        'allow-unanalysed': { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
        version: { type: 'boolean', short: 'v' },
      },
    });
  } catch (err) {
    // parseArgs explains itself well (unknown option, missing value); only the prefix is ours.
    throw new UsageError(err instanceof Error ? err.message : String(err));
  }
  const { values, positionals } = parsed;
  if (values.help) return { kind: 'help' };
  if (values.version) return { kind: 'version' };

  const [command, ...paths] = positionals;
  if (command === undefined) throw new UsageError('no command given; did you mean `imds-guard scan`?');
  if (command !== 'scan' && command !== 'baseline') throw new UsageError(`unknown command '${command}'; the commands are 'scan' and 'baseline'`);
  if (command === 'baseline') {
    for (const option of ['format', 'fix', 'unsafe-fixes', 'fix-dry-run', 'baseline', 'fail-on', 'allow-unanalysed'] as const) {
      if (values[option] !== undefined) throw new UsageError(`--${option} is an option of 'scan', not of 'baseline'`);
    }
  }

  const format = values.format ?? 'text';
  if (!isFormatName(format)) throw new UsageError(`unknown format '${format}'; use text, json, sarif or github`);
  if (values.fix && values['fix-dry-run']) throw new UsageError('--fix writes the fixes and --fix-dry-run shows them; give one of them');
  if (values['unsafe-fixes'] && !values.fix && !values['fix-dry-run']) throw new UsageError('--unsafe-fixes only has an effect together with --fix or --fix-dry-run');
  if (values.output === '') throw new UsageError('--output needs a file name');
  for (const option of ['baseline', 'changed-since', 'config'] as const) {
    if (values[option] === '') throw new UsageError(`--${option} needs a value`);
  }
  const failOn = values['fail-on'] as Severity | undefined;
  if (failOn !== undefined && !SEVERITIES.includes(failOn)) throw new UsageError(`unknown severity '${failOn}' for --fail-on; use error, warning or note`);

  for (const option of ['include', 'exclude'] as const) {
    if (values[option]?.some((p) => p.trim() === '')) throw new UsageError(`--${option} needs a pattern`);
  }

  return {
    kind: command,
    paths,
    format,
    output: command === 'baseline' ? (values.output ?? DEFAULT_BASELINE) : values.output,
    fix: values.fix ?? false,
    unsafeFixes: values['unsafe-fixes'] ?? false,
    maxFileBytes: parseByteCount(values['max-file-size']),
    failOn,
    include: values.include ?? [],
    exclude: values.exclude ?? [],
    includeCdkOut: values['include-cdk-out'] ?? false,
    quiet: values.quiet ?? false,
    config: values.config,
    baseline: values.baseline,
    changedSince: values['changed-since'],
    fixDryRun: values['fix-dry-run'] ?? false,
    allowUnanalysed: values['allow-unanalysed'] ?? false,
  };
}

function parseByteCount(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(Number(value)) || Number(value) === 0) {
    throw new UsageError(`--max-file-size takes a positive whole number of bytes, not '${value}'`);
  }
  return Number(value);
}
