import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, describe, it } from 'node:test';
import { runMain, tempTree } from './helpers.ts';

const t = tempTree();
after(t.cleanup);
t.write('repo/scripts/binary.sh', Buffer.from('#!/bin/sh\0'));
t.write('repo/scripts/utf16.sh', Buffer.from([0xff, 0xfe, 0x65, 0x00]));
t.write('repo/scripts/quiet.sh', 'echo fine\n');
const repo = t.path('repo');

describe('imds-guard scan', () => {
  it('reports unreadable files in the json shape, relative to cwd', async () => {
    const r = await runMain(['scan', '--format', 'json'], repo);
    assert.equal(r.code, 1);
    assert.deepEqual(JSON.parse(r.stdout), {
      findings: [],
      errors: [
        { file: 'scripts/binary.sh', message: 'binary file (a NUL byte in the first 8 KiB); not analysed' },
        { file: 'scripts/utf16.sh', message: 'UTF-16 is not supported; convert the file to UTF-8' },
      ],
      baselined: 0,
      suppressed: 0,
    });
  });

  it('writes the report to --output instead of stdout', async () => {
    const r = await runMain(['scan', 'scripts', '-f', 'sarif', '--output', 'out/../report.sarif'], repo);
    assert.equal(r.code, 1);
    assert.equal(r.stdout, '');
    const log = JSON.parse(readFileSync(t.path('repo/report.sarif'), 'utf8'));
    assert.equal(log.runs[0].invocations[0].toolExecutionNotifications.length, 2);
  });

  it('exits 2 when the report cannot be written', async () => {
    const r = await runMain(['scan', 'scripts/quiet.sh', '--output', 'no/such/dir/report.json'], repo);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /cannot write no\/such\/dir\/report\.json/);
  });

  it('honours --max-file-size', async () => {
    const r = await runMain(['scan', 'scripts/quiet.sh', '--max-file-size', '4', '--format', 'json'], repo);
    assert.equal(r.code, 1);
    assert.match(JSON.parse(r.stdout).errors[0].message, /^skipped because of its size: 10 bytes/);
  });

  it('colours text only on a terminal without NO_COLOR', async () => {
    const args = ['scan', 'scripts/binary.sh'];
    assert.match((await runMain(args, repo, { tty: true })).stdout, /\x1b\[/);
    assert.doesNotMatch((await runMain(args, repo, { tty: true, env: { NO_COLOR: '1' } })).stdout, /\x1b\[/);
    assert.doesNotMatch((await runMain(args, repo, { tty: false })).stdout, /\x1b\[/);
  });

  it('runs --fix on a clean tree without touching anything', async () => {
    const r = await runMain(['scan', '--fix', '--unsafe-fixes', 'scripts/quiet.sh'], repo);
    assert.deepEqual(r, { code: 0, stdout: 'No problems found.\n', stderr: '' });
    assert.equal(readFileSync(t.path('repo/scripts/quiet.sh'), 'utf8'), 'echo fine\n');
  });
});
