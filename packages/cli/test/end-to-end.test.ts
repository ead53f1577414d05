// The CLI on real scripts, through the real analyser: reports, --fix, and bad input mixed with good.
import assert from 'node:assert/strict';
import { readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { after, describe, it } from 'node:test';
import { runMain, tempTree } from './helpers.ts';

// Every script in this file is only written to disk and analysed, never run: nothing here can reach
// IMDS. Scripts that are executed live in fix-runs.test.ts, behind the loopback emulator's shims.
const V1_SCRIPT = '#!/bin/sh\nID=$(curl -s http://169.254.169.254/latest/meta-data/instance-id)\necho "$ID"\n';

describe('scan on real scripts', () => {
  const t = tempTree();
  after(t.cleanup);
  t.write('boot.sh', V1_SCRIPT);

  it('text: position, rule, code frame and exit 1', async () => {
    const { code, stdout } = await runMain(['scan', '.'], t.root);
    assert.equal(code, 1);
    assert.match(stdout, /^boot\.sh:2:6 +error +curl reads http:\/\/169\.254\.169\.254\/latest\/meta-data\/instance-id without the X-aws-ec2-metadata-token header/m);
    assert.match(stdout, /  2 \| ID=\$\(curl -s http/);
    assert.match(stdout, /1 problem .*1 fixable with --fix/);
  });

  it('json: the documented shape with the fix', async () => {
    const { stdout } = await runMain(['scan', '--format', 'json', '.'], t.root);
    const report = JSON.parse(stdout);
    assert.deepEqual(report.errors, []);
    assert.equal(report.findings.length, 1);
    const [f] = report.findings;
    assert.deepEqual(
      { ruleId: f.ruleId, severity: f.severity, file: f.file, line: f.line, column: f.column, endLine: f.endLine },
      { ruleId: 'no-imdsv1-request', severity: 'error', file: 'boot.sh', line: 2, column: 6, endLine: 2 },
    );
    assert.equal(f.fix.safety, 'safe');
    assert.equal(f.fix.edits.length, 2);
  });

  it('sarif: the result carries the fix as replacements', async () => {
    const { stdout } = await runMain(['scan', '--format', 'sarif', '.'], t.root);
    const run = JSON.parse(stdout).runs[0];
    const [result] = run.results;
    assert.equal(result.ruleId, 'no-imdsv1-request');
    assert.equal(result.locations[0].physicalLocation.artifactLocation.uri, 'boot.sh');
    const replacements = result.fixes[0].artifactChanges[0].replacements;
    assert.ok(replacements.some((r: { insertedContent: { text: string } }) => r.insertedContent.text.includes('X-aws-ec2-metadata-token: $IMDS_TOKEN')));
  });
});

describe('scan --fix on real scripts', () => {
  it('fixes, keeps CRLF and mode, and a second run changes nothing', async () => {
    const t = tempTree();
    try {
      const path = t.write('boot.sh', V1_SCRIPT.replaceAll('\n', '\r\n'));
      const mode = statSync(path).mode;
      const first = await runMain(['scan', '--fix', '.'], t.root);
      assert.equal(first.code, 0, first.stdout + first.stderr);
      const fixed = readFileSync(path, 'utf8');
      assert.equal(
        fixed,
        '#!/bin/sh\r\n' +
          ': "${IMDS_TOKEN:=$(curl -sS -X PUT "http://169.254.169.254/latest/api/token" -H "X-aws-ec2-metadata-token-ttl-seconds: 21600")}"\r\n' +
          'ID=$(curl -H "X-aws-ec2-metadata-token: $IMDS_TOKEN" -s http://169.254.169.254/latest/meta-data/instance-id)\r\n' +
          'echo "$ID"\r\n',
      );
      assert.equal(statSync(path).mode, mode);
      const second = await runMain(['scan', '--fix', '.'], t.root);
      assert.equal(second.code, 0);
      assert.equal(readFileSync(path, 'utf8'), fixed);
    } finally {
      t.cleanup();
    }
  });

  it('applies the aws CLI fixes only with --unsafe-fixes', async () => {
    const t = tempTree();
    try {
      const path = t.write('relax.sh', 'aws ec2 modify-instance-metadata-options --instance-id i-1 --http-tokens optional\n');
      assert.equal((await runMain(['scan', '--fix', '.'], t.root)).code, 1);
      assert.match(readFileSync(path, 'utf8'), /--http-tokens optional/);
      assert.equal((await runMain(['scan', '--fix', '--unsafe-fixes', '.'], t.root)).code, 0);
      assert.match(readFileSync(path, 'utf8'), /--http-tokens required\n$/);
    } finally {
      t.cleanup();
    }
  });
});

describe('bad input next to a real finding', () => {
  const t = tempTree();
  after(t.cleanup);
  t.write('good/boot.sh', V1_SCRIPT);
  t.write('bad/binary.sh', Buffer.from([0x23, 0x21, 0x00, 0xff, 0x10, 0x00]));
  t.write('bad/empty.sh', '');
  t.write('bad/latin1.sh', Buffer.from('echo "caf\xe9"\ncurl http://169.254.169.254/latest/meta-data/\n', 'latin1'));
  t.write('bad/utf16.sh', Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('curl http://169.254.169.254/\n', 'utf16le')]));
  t.write('bad/broken.sh', 'if true; then\n  curl -s http://169.254.169.254/latest/meta-data/ami-id\n');
  symlinkSync('loop-b.sh', t.path('bad/loop-a.sh'));
  symlinkSync('loop-a.sh', t.path('bad/loop-b.sh'));
  symlinkSync('missing.sh', t.path('bad/dangling.sh'));
  // 50 MB of script: one IMDS call, then a long log of ordinary commands.
  const big = t.path('bad/huge.sh');
  writeFileSync(big, 'curl http://169.254.169.254/latest/meta-data/\n' + 'echo "processing batch item"\n'.repeat(1_800_000));

  it('reports each bad file, keeps the good finding, and exits 1', async () => {
    const { code, stdout } = await runMain(['scan', '--format', 'json', '.'], t.root);
    assert.equal(code, 1);
    const report = JSON.parse(stdout);
    const byFile = Object.fromEntries(report.errors.map((e: { file: string; message: string }) => [e.file, e.message]));
    assert.match(byFile['bad/binary.sh'], /binary/i);
    assert.match(byFile['bad/latin1.sh'], /UTF-8/);
    assert.match(byFile['bad/utf16.sh'], /UTF-16/);
    assert.match(byFile['bad/huge.sh'], /size|large|MB|bytes/i);
    assert.match(byFile['bad/broken.sh'], /syntax error/);
    assert.match(byFile['bad/loop-a.sh'], /loop/);
    assert.match(byFile['bad/dangling.sh'], /broken/);
    assert.equal(byFile['bad/empty.sh'], undefined);
    const files = report.findings.map((f: { file: string; line: number }) => `${f.file}:${f.line}`);
    assert.ok(files.includes('good/boot.sh:2'), files.join(', '));
    assert.ok(files.includes('bad/broken.sh:2'), 'a script with a syntax error still reports findings elsewhere');
  });

  it('analyses the 50 MB script when the size limit allows it', async () => {
    const { stdout } = await runMain(['scan', '--format', 'json', '--max-file-size', String(60 * 1024 * 1024), 'bad/huge.sh'], t.root);
    const report = JSON.parse(stdout);
    assert.deepEqual(report.errors, []);
    assert.deepEqual(report.findings.map((f: { line: number; messageId: string }) => [f.line, f.messageId]), [[1, 'missingToken']]);
  });
});

describe('--fail-on', () => {
  it('notes never fail by default, warnings do, and the threshold moves', async () => {
    const t = tempTree();
    try {
      // A root probe is a warning.
      t.write('probe.sh', 'curl -sf http://169.254.169.254/ >/dev/null && echo on-ec2\n');
      assert.equal((await runMain(['scan', '.'], t.root)).code, 1);
      assert.equal((await runMain(['scan', '--fail-on', 'error', '.'], t.root)).code, 0);
      assert.equal((await runMain(['scan', '--fail-on', 'note', '.'], t.root)).code, 1);
      assert.equal((await runMain(['scan', '--fail-on', 'fatal', '.'], t.root)).code, 2);
    } finally {
      t.cleanup();
    }
  });
});
