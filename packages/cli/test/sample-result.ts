import { LineIndex, type Finding } from '@imds-guard/core';
import type { ScanResult, ScannedFile } from '@imds-guard/scanner';

/**
 * A hand-made scan result for reporter tests, so they do not depend on what the analyser finds.
 * The text is inert: nothing here is ever executed.
 */
export const SCRIPT = '#!/bin/sh\n\tcurl -s "$BASE/latest/meta-data/instance-id"\necho done\n';
const start = SCRIPT.indexOf('curl');
const end = SCRIPT.indexOf('\n', start);
const insertAt = start + 'curl -s'.length;

export function sampleFinding(file: string, overrides: Partial<Finding> = {}): Finding {
  return {
    ruleId: 'no-imdsv1-request',
    messageId: 'missingToken',
    severity: 'error',
    message: 'curl reads $BASE/latest/meta-data/instance-id without the X-aws-ec2-metadata-token header',
    file,
    ...new LineIndex(SCRIPT).location(start, end),
    start,
    end,
    fix: {
      description: 'send the session token',
      safety: 'safe',
      edits: [{ start: insertAt, end: insertAt, text: ' -H "X-aws-ec2-metadata-token: $TOKEN"' }],
    },
    ...overrides,
  };
}

export function sampleResult(): ScanResult {
  const files: ScannedFile[] = [
    { path: '/repo/scripts/boot.sh', file: 'scripts/boot.sh', text: SCRIPT, bom: false },
    { path: '/repo/with space/ä#1.sh', file: 'with space/ä#1.sh', text: SCRIPT, bom: false },
  ];
  return {
    files,
    findings: [
      sampleFinding('scripts/boot.sh'),
      sampleFinding('scripts/boot.sh', { severity: 'warning', messageId: 'cannotDetermine', message: 'cannot tell', fix: undefined, line: 3, column: 1, endLine: 3, endColumn: 5 }),
      sampleFinding('with space/ä#1.sh', { severity: 'note', fix: { description: 'unsafe one', safety: 'unsafe', edits: [{ start: 0, end: 0, text: '' }] } }),
    ],
    errors: [{ file: 'scripts/bin.sh', message: 'binary file (a NUL byte in the first 8 KiB); not analysed' }],
  };
}
