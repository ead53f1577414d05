import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { after, describe, it } from 'node:test';
import { readHead, readSourceFile } from '../src/read.ts';
import { tempTree } from '../../testkit/src/temp-tree.ts';

const tree = tempTree();
after(tree.cleanup);

function failure(path: string, options?: Parameters<typeof readSourceFile>[1]): string {
  const r = readSourceFile(path, options);
  assert.equal(r.ok, false, `expected ${path} to be rejected`);
  return r.ok ? '' : r.error.message;
}

describe('readSourceFile', () => {
  it('reads UTF-8 text', () => {
    const r = readSourceFile(tree.write('ok.sh', 'echo "héllo ✓"\n'));
    assert.deepEqual(r, { ok: true, text: 'echo "héllo ✓"\n', bom: false });
  });

  it('reads a 0-byte file as empty text', () => {
    assert.deepEqual(readSourceFile(tree.write('empty.sh', '')), { ok: true, text: '', bom: false });
  });

  it('drops a UTF-8 BOM from the text and remembers it', () => {
    const r = readSourceFile(tree.write('bom.sh', Buffer.from([0xef, 0xbb, 0xbf, ...Buffer.from('echo\r\n')])));
    assert.deepEqual(r, { ok: true, text: 'echo\r\n', bom: true });
  });

  it('rejects a binary file (NUL byte in the first 8 KiB)', () => {
    assert.match(failure(tree.write('bin.sh', Buffer.from('#!/bin/sh\n\0\x01\x02'))), /^binary file/);
  });

  it('looks for NUL bytes only in the first 8 KiB, as git does', () => {
    const r = readSourceFile(tree.write('late-nul.sh', `${'#'.repeat(9000)}\0\n`));
    assert.equal(r.ok, true);
  });

  it('rejects invalid UTF-8', () => {
    assert.match(failure(tree.write('latin1.sh', Buffer.from('echo caf\xe9\n', 'latin1'))), /not valid UTF-8/);
  });

  it('rejects UTF-16 with either byte order mark', () => {
    const le = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('echo\n', 'utf16le')]);
    const be = Buffer.from(Buffer.concat([Buffer.from([0xfe, 0xff]), Buffer.from('echo\n', 'utf16le').swap16()]));
    assert.match(failure(tree.write('le.sh', le)), /UTF-16 is not supported/);
    assert.match(failure(tree.write('be.sh', be)), /UTF-16 is not supported/);
  });

  it('skips a file over the size limit and says so, without reading it', () => {
    const p = tree.write('big.sh', 'x'.repeat(101));
    assert.match(failure(p, { maxBytes: 100 }), /skipped because of its size: 101 bytes is more than the limit of 100 bytes/);
    assert.equal(readSourceFile(p, { maxBytes: 101 }).ok, true);
  });

  it('names the file as the caller asks', () => {
    const r = readSourceFile(tree.write('named.sh', '\0'), { file: 'scripts/named.sh' });
    assert.equal(r.ok ? '' : r.error.file, 'scripts/named.sh');
  });

  it('rejects a directory named like a script', () => {
    mkdirSync(tree.path('dir.sh'));
    assert.equal(failure(tree.path('dir.sh')), 'cannot read: is a directory');
  });

  it('rejects a FIFO without blocking on it', () => {
    execFileSync('mkfifo', [tree.path('fifo.sh')]);
    assert.equal(failure(tree.path('fifo.sh')), 'cannot read: not a regular file (a FIFO, socket or device)');
  });

  it('reports a missing file', () => {
    assert.equal(failure(tree.path('missing.sh')), 'cannot read: no such file or directory');
  });

  it('reports a file it has no permission to read', () => {
    const dir = tree.path('locked');
    mkdirSync(dir);
    chmodSync(dir, 0o755);
    const p = tree.write('locked/secret.sh', 'echo\n');
    chmodSync(p, 0o000);
    const message = process.getuid?.() === 0 ? readAsNobody(p) : failure(p);
    assert.equal(message, 'cannot read: permission denied');
  });
});

describe('readHead', () => {
  it('returns the first bytes, or nothing for what it cannot open', () => {
    assert.equal(readHead(tree.write('head.sh', '#!/bin/bash\necho hi\n'), 12), '#!/bin/bash\n');
    assert.equal(readHead(tree.path('no-such-file')), '');
  });
});

/**
 * Root reads a mode-000 file anyway, so when the suite runs as root (as CI does) the read happens
 * in a child process that drops to the `nobody` user, where permissions apply.
 */
function readAsNobody(path: string): string {
  chmodSync(tree.root, 0o755);
  const readModule = new URL('../src/read.ts', import.meta.url).href;
  const script = `import(${JSON.stringify(readModule)}).then((m) => {
    const r = m.readSourceFile(${JSON.stringify(path)});
    process.stdout.write(r.ok ? 'read it' : r.error.message);
  });`;
  const child = spawnSync(process.execPath, ['--import', import.meta.resolve('tsx'), '-e', script], {
    uid: 65534,
    gid: 65534,
    cwd: fileURLToPath(new URL('.', import.meta.url)),
    encoding: 'utf8',
  });
  assert.equal(child.status, 0, child.stderr);
  return child.stdout;
}
