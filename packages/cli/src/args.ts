import { parseArgs } from 'node:util';
import { DEFAULT_MAX_FILE_BYTES } from '@imds-guard/scanner';
import type { Severity } from '@imds-guard/core';
import { isFormatName, type FormatName } from './reporters/index.js';

const SEVERITIES: readonly Severity[] = ['error', 'warning', 'note'];

export type Command =
  | { readonly kind: 'help' }
  | { readonly kind: 'version' }
  | {
      readonly kind: 'scan';
      readonly paths: string[];
      readonly format: FormatName;
      readonly output?: string;
      readonly fix: boolean;
      readonly unsafeFixes: boolean;
      readonly maxFileBytes: number;
      readonly failOn: Severity;
      /** --include / --exclude, repeatable: .gitignore-syntax patterns relative to the cwd. */
      readonly include: string[];
      readonly exclude: string[];
      readonly includeCdkOut: boolean;
      /** No progress bar, no summary line on stderr. */
      readonly quiet: boolean;
    };

export class UsageError extends Error {}

export const HELP = `Usage: imds-guard scan [options] [paths...]

Finds EC2 instance metadata service v1 (IMDSv1) usage in shell scripts, and
configuration that lets instances accept it.
Paths are files or directories (default: the current directory). Inside
directories, files that .gitignore lists are skipped, and so are node_modules,
.git, dist, build, .terraform, vendor and cdk.out; a file named on the command
line is always scanned.

Options:
  -f, --format <text|json|sarif>  report format (default: text)
  -o, --output <file>             write the report to a file instead of stdout
      --fix                       apply safe fixes, then report what remains
      --unsafe-fixes              with --fix, also apply fixes that may change behaviour
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
could not be analysed; 2 usage error.
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
  if (command !== 'scan') throw new UsageError(`unknown command '${command}'; the only command is 'scan'`);

  const format = values.format ?? 'text';
  if (!isFormatName(format)) throw new UsageError(`unknown format '${format}'; use text, json or sarif`);
  if (values['unsafe-fixes'] && !values.fix) throw new UsageError('--unsafe-fixes only has an effect together with --fix');
  if (values.output === '') throw new UsageError('--output needs a file name');
  const failOn = (values['fail-on'] ?? 'warning') as Severity;
  if (!SEVERITIES.includes(failOn)) throw new UsageError(`unknown severity '${values['fail-on']}' for --fail-on; use error, warning or note`);

  for (const option of ['include', 'exclude'] as const) {
    if (values[option]?.some((p) => p.trim() === '')) throw new UsageError(`--${option} needs a pattern`);
  }

  return {
    kind: 'scan',
    paths,
    format,
    output: values.output,
    fix: values.fix ?? false,
    unsafeFixes: values['unsafe-fixes'] ?? false,
    maxFileBytes: parseByteCount(values['max-file-size']),
    failOn,
    include: values.include ?? [],
    exclude: values.exclude ?? [],
    includeCdkOut: values['include-cdk-out'] ?? false,
    quiet: values.quiet ?? false,
  };
}

function parseByteCount(value: string | undefined): number {
  if (value === undefined) return DEFAULT_MAX_FILE_BYTES;
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(Number(value)) || Number(value) === 0) {
    throw new UsageError(`--max-file-size takes a positive whole number of bytes, not '${value}'`);
  }
  return Number(value);
}
