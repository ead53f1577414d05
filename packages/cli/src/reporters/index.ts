import { githubReporter } from './github.js';
import { jsonReporter } from './json.js';
import type { Reporter } from './reporter.js';
import { sarifReporter } from './sarif.js';
import { textReporter } from './text.js';

export type { Reporter, ReportInput } from './reporter.js';
export { githubReporter, jsonReporter, sarifReporter, textReporter };

export const REPORTERS = { text: textReporter, json: jsonReporter, sarif: sarifReporter, github: githubReporter } as const satisfies Record<string, Reporter>;
export type FormatName = keyof typeof REPORTERS;

export function isFormatName(name: string): name is FormatName {
  return Object.hasOwn(REPORTERS, name);
}
