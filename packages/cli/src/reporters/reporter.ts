import type { ScanResult } from '@imds-guard/scanner';

/** Everything a reporter may need; each one renders the whole report as one string. */
export interface ReportInput {
  readonly result: ScanResult;
  /** The directory findings' `file` paths are relative to. */
  readonly cwd: string;
  readonly toolVersion: string;
  /** ANSI colours; only the text reporter uses it. */
  readonly color: boolean;
  /** --unsafe-fixes was given: unsafe fixes count as fixable in the text summary. */
  readonly unsafeFixes: boolean;
  /** Set after --fix wrote files. */
  readonly fixed?: { readonly files: number; readonly fixes: number };
  /** Findings left out because the --baseline file holds them. */
  readonly baselined?: number;
  /** Findings left out because an imds-guard-ignore comment suppresses them. */
  readonly suppressed?: number;
}

export interface Reporter {
  render(input: ReportInput): string;
}
