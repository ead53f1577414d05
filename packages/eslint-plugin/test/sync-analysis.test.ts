/**
 * The synchronous bridge to the scanner's asynchronous analysers: the answer is the analyser's
 * own, a failure comes back as an error for that call only, and the thread keeps serving.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ANALYSERS } from '@imds-guard/scanner';
import { analyseSync } from '../src/languages/sync-analysis.ts';

const IMDS = 'http://169.254.169.254';
const source = { path: '/nowhere/boot.sh', file: 'boot.sh', text: `#!/bin/sh\nID=$(curl -s ${IMDS}/latest/meta-data/instance-id)\nwget -qO- ${IMDS}/latest/meta-data/hostname\n` };

describe('analyseSync', () => {
  it('returns what the analyser returns in this thread', async () => {
    const shell = ANALYSERS.find((a) => a.name === 'shell')!;
    const expected = await shell.analyse([source]);
    const actual = analyseSync('shell', [source]);
    assert.equal(actual[0]!.findings.length, 2);
    assert.deepEqual(actual, expected);
  });

  it('throws for a failed analysis, and answers the next call', () => {
    assert.throws(() => analyseSync('no-such-format', [source]), /the no-such-format analysis failed: the scanner has no analyser named no-such-format/);
    assert.equal(analyseSync('shell', [source])[0]!.findings.length, 2);
  });
});
