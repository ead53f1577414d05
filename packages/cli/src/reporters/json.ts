import { getRule, type Finding } from '@imds-guard/core';
import type { Reporter } from './reporter.js';

/**
 * A stable, documented shape for scripts and CI: `start`/`end` of fix edits are UTF-16 offsets
 * into the file's text without its BOM, like everything else in a Finding.
 */
export const jsonReporter: Reporter = {
  render({ result, baselined, suppressed }) {
    const report = {
      findings: result.findings.map(toJson),
      errors: result.errors.map((e) => ({ file: e.file, message: e.message })),
      // How many findings were left out, and why: in the --baseline file, or an imds-guard-ignore comment.
      baselined: baselined ?? 0,
      suppressed: suppressed ?? 0,
    };
    return `${JSON.stringify(report)}\n`;
  },
};

function toJson(f: Finding) {
  return {
    ruleId: f.ruleId,
    code: getRule(f.ruleId)?.code,
    messageId: f.messageId,
    severity: f.severity,
    message: f.message,
    file: f.file,
    line: f.line,
    column: f.column,
    endLine: f.endLine,
    endColumn: f.endColumn,
    ...(f.fix && {
      fix: {
        description: f.fix.description,
        safety: f.fix.safety,
        edits: f.fix.edits.map((e) => ({ start: e.start, end: e.end, text: e.text })),
      },
    }),
  };
}
