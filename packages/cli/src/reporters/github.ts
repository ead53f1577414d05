import type { Severity } from '@imds-guard/core';
import type { Reporter } from './reporter.js';

/** GitHub has no "note" command; `notice` is its informational level. */
const COMMAND: Record<Severity, 'error' | 'warning' | 'notice'> = { error: 'error', warning: 'warning', note: 'notice' };

/**
 * GitHub Actions workflow commands: each finding becomes an annotation on the pull request's diff.
 * Paths are relative to the working directory, which in a workflow is the checkout. Everything
 * taken from scanned files is escaped, so a file name or message cannot end the command early or
 * start a new one (`::add-mask::`, `::stop-commands::`).
 */
export const githubReporter: Reporter = {
  render({ result }) {
    const out: string[] = [];
    for (const f of result.findings) {
      const props = [
        `file=${escapeProperty(f.file)}`,
        `line=${f.line}`,
        `col=${f.column}`,
        `endLine=${f.endLine}`,
        `endColumn=${f.endColumn}`,
        `title=${escapeProperty(f.ruleId)}`,
      ];
      out.push(`::${COMMAND[f.severity]} ${props.join(',')}::${escapeData(f.message)}`);
    }
    for (const e of result.errors) {
      out.push(`::error file=${escapeProperty(e.file)},title=${escapeProperty('imds-guard: file not analysed')}::${escapeData(e.message)}`);
    }
    const n = result.findings.length;
    out.push(`imds-guard: ${n} problem${n === 1 ? '' : 's'}, ${result.errors.length} file error${result.errors.length === 1 ? '' : 's'}`);
    return `${out.join('\n')}\n`;
  },
};

/** The message part: `%`, CR and LF, as the runner's own toolkit escapes them. */
export function escapeData(s: string): string {
  return s.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}

/** A `key=value` property: also `:` and `,`, which would end the value. */
export function escapeProperty(s: string): string {
  return escapeData(s).replace(/:/g, '%3A').replace(/,/g, '%2C');
}
