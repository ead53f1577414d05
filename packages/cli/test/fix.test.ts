import assert from 'node:assert/strict';
import { chmodSync, readFileSync, statSync } from 'node:fs';
import { after, describe, it } from 'node:test';
import type { Finding, Fix } from '@imds-guard/core';
import type { ScanResult, ScannedFile } from '@imds-guard/scanner';
import { fixFiles } from '../src/fix.ts';
import { tempTree } from './helpers.ts';

const t = tempTree();
after(t.cleanup);

/** A scan result built by hand: fixFiles must not depend on what the analyser finds. */
function resultFor(name: string, original: string, fixes: (Fix & { at: number })[], bom = false): { result: ScanResult; path: string } {
  const path = t.write(name, (bom ? '\ufeff' : '') + original);
  const file: ScannedFile = { path, file: name, text: original, bom };
  const findings: Finding[] = fixes.map(({ at, ...fix }) => ({
    ruleId: 'no-imdsv1-request',
    messageId: 'missingToken',
    severity: 'error',
    message: 'm',
    file: name,
    line: 1,
    column: at + 1,
    endLine: 1,
    endColumn: at + 2,
    start: at,
    end: at + 1,
    fix,
  }));
  return { result: { findings, errors: [], files: [file] }, path };
}

const insert = (at: number, text: string, safety: Fix['safety'] = 'safe') => ({ at, description: 'd', safety, edits: [{ start: at, end: at, text }] });

describe('fixFiles', () => {
  it('applies safe fixes, keeps mode, BOM and CRLF', async () => {
    const original = 'curl -s "$URL"\r\necho ok\r\n';
    const { result, path } = resultFor('safe.sh', original, [insert(7, ' -H "X-aws-ec2-metadata-token: $TOKEN"')], true);
    chmodSync(path, 0o751);
    const run = await fixFiles(result, { unsafe: false });
    assert.deepEqual(run, { written: [path], applied: 1, errors: [] });
    assert.equal(readFileSync(path, 'utf8'), '\ufeffcurl -s -H "X-aws-ec2-metadata-token: $TOKEN" "$URL"\r\necho ok\r\n');
    assert.equal(statSync(path).mode & 0o7777, 0o751);
  });

  it('leaves unsafe fixes alone unless asked', async () => {
    const text = 'aws ec2 x --http-tokens optional\n';
    const at = text.indexOf('optional');
    const { result, path } = resultFor('unsafe.sh', text, [
      { at, description: 'd', safety: 'unsafe', edits: [{ start: at, end: at + 'optional'.length, text: 'required' }] },
    ]);
    assert.deepEqual(await fixFiles(result, { unsafe: false }), { written: [], applied: 0, errors: [] });
    assert.equal(readFileSync(path, 'utf8'), 'aws ec2 x --http-tokens optional\n');
    assert.equal((await fixFiles(result, { unsafe: true })).applied, 1);
    assert.equal(readFileSync(path, 'utf8'), 'aws ec2 x --http-tokens required\n');
  });

  it('does not write a fix that breaks the script, and says why', async () => {
    const { result, path } = resultFor('breaks.sh', 'curl -s "$URL"\n', [insert(7, ' -H "unterminated')]);
    const run = await fixFiles(result, { unsafe: false });
    assert.deepEqual(run.written, []);
    assert.equal(run.errors.length, 1);
    assert.equal(run.errors[0]!.file, 'breaks.sh');
    assert.match(run.errors[0]!.message, /^fix not applied: the fixed file would not parse as well as the original/);
    assert.equal(readFileSync(path, 'utf8'), 'curl -s "$URL"\n');
  });

  it('does not write a fix that mixes line endings', async () => {
    const { result } = resultFor('mixed.sh', 'a\r\nb\r\n', [insert(3, 'x\n')]);
    const run = await fixFiles(result, { unsafe: false });
    assert.deepEqual(run.errors, [{ file: 'mixed.sh', message: 'fix not applied: the fix would mix line endings (the file uses CRLF)' }]);
  });

  it('applies a token fetch shared by two findings once', async () => {
    const shared = { start: 0, end: 0, text: 'TOKEN=$(get-token)\n' };
    const { result, path } = resultFor('shared.sh', 'curl a\ncurl b\n', [
      { at: 4, description: 'd', safety: 'safe', edits: [shared, { start: 4, end: 4, text: ' -H t' }] },
      { at: 11, description: 'd', safety: 'safe', edits: [shared, { start: 11, end: 11, text: ' -H t' }] },
    ]);
    const run = await fixFiles(result, { unsafe: false });
    assert.equal(run.applied, 2);
    assert.equal(readFileSync(path, 'utf8'), 'TOKEN=$(get-token)\ncurl -H t a\ncurl -H t b\n');
  });

  it('refuses to overwrite a file that changed after the scan', async () => {
    const { result, path } = resultFor('raced.sh', 'curl -s "$URL"\n', [insert(7, ' -H t')]);
    t.write('raced.sh', 'curl -s "$URL" # edited meanwhile\n');
    const run = await fixFiles(result, { unsafe: false });
    assert.deepEqual(run.errors, [{ file: 'raced.sh', message: 'fix not applied: cannot write: the file changed after it was scanned' }]);
    assert.equal(readFileSync(path, 'utf8'), 'curl -s "$URL" # edited meanwhile\n');
  });
});
