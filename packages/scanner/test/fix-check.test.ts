import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { verifyFixedText } from '@imds-guard/scanner';

const V2 = 'curl -s -H "X-aws-ec2-metadata-token: $TOKEN" "$URL"';

describe('verifyFixedText', () => {
  it('accepts a fix that keeps the script parseable', async () => {
    assert.deepEqual(await verifyFixedText('curl -s "$URL"\n', `${V2}\n`, 'a.sh'), { ok: true });
  });

  it('rejects a fix that adds a syntax error', async () => {
    const verdict = await verifyFixedText('curl -s "$URL"\n', 'curl -s -H "X-aws-ec2-metadata-token: $TOKEN "$URL"\n', 'a.sh');
    assert.equal(verdict.ok, false);
    assert.match(verdict.ok ? '' : verdict.reason, /would not parse as well as the original/);
  });

  it('accepts a fix to a script that already had syntax errors, as long as it adds none', async () => {
    const broken = 'if then\ncurl -s "$URL"\n';
    assert.deepEqual(await verifyFixedText(broken, broken.replace('curl -s "$URL"', V2), 'a.sh'), { ok: true });
  });

  it('rejects a bare LF in a CRLF file', async () => {
    const verdict = await verifyFixedText('a\r\ncurl "$URL"\r\n', 'a\r\ncurl \\\n  "$URL"\r\n', 'a.sh');
    assert.deepEqual(verdict, { ok: false, reason: 'the fix would mix line endings (the file uses CRLF)' });
  });

  it('rejects a CRLF in an LF file', async () => {
    const verdict = await verifyFixedText('a\ncurl "$URL"\n', 'a\r\ncurl "$URL"\n', 'a.sh');
    assert.equal(verdict.ok, false);
  });

  it('accepts CRLF edits in a CRLF file', async () => {
    assert.deepEqual(await verifyFixedText('a\r\nb\r\n', 'a\r\nc\r\nb\r\n', 'a.sh'), { ok: true });
  });
});
