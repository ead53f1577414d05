import assert from 'node:assert/strict';
import { chmodSync, readdirSync, readFileSync, readlinkSync, statSync, symlinkSync } from 'node:fs';
import { after, describe, it } from 'node:test';
import { writeFileAtomic } from '../src/atomic-write.ts';
import { tempTree } from './helpers.ts';

const t = tempTree();
after(t.cleanup);

describe('writeFileAtomic', () => {
  it('keeps the mode of the file it replaces', () => {
    for (const mode of [0o755, 0o640, 0o700]) {
      const p = t.write(`mode-${mode.toString(8)}.sh`, 'old\n');
      chmodSync(p, mode);
      writeFileAtomic(p, 'new\n', { bom: false });
      assert.equal(statSync(p).mode & 0o7777, mode);
      assert.equal(readFileSync(p, 'utf8'), 'new\n');
    }
  });

  it('writes the UTF-8 BOM back when asked', () => {
    const p = t.write('bom.sh', '\ufeffold\n');
    writeFileAtomic(p, 'new\n', { bom: true, expected: 'old\n' });
    assert.deepEqual([...readFileSync(p).subarray(0, 3)], [0xef, 0xbb, 0xbf]);
    assert.equal(readFileSync(p, 'utf8'), '\ufeffnew\n');
  });

  it('keeps CRLF line endings byte for byte', () => {
    const p = t.write('crlf.sh', 'a\r\nb\r\n');
    writeFileAtomic(p, 'a\r\nB\r\nc\r\n', { bom: false });
    assert.deepEqual(readFileSync(p), Buffer.from('a\r\nB\r\nc\r\n'));
  });

  it('writes through a symlink and leaves the link in place', () => {
    const target = t.write('real.sh', 'old\n');
    symlinkSync('real.sh', t.path('link.sh'));
    writeFileAtomic(t.path('link.sh'), 'new\n', { bom: false });
    assert.equal(readlinkSync(t.path('link.sh')), 'real.sh');
    assert.equal(readFileSync(target, 'utf8'), 'new\n');
  });

  it('refuses to overwrite a file that changed since it was read', () => {
    const p = t.write('changed.sh', 'edited by someone else\n');
    assert.throws(() => writeFileAtomic(p, 'new\n', { bom: false, expected: 'what we scanned\n' }), /changed after it was scanned/);
    assert.equal(readFileSync(p, 'utf8'), 'edited by someone else\n');
  });

  it('leaves no temporary file behind', () => {
    const names = readdirSync(t.root);
    assert.deepEqual(
      names.filter((n) => n.endsWith('.tmp')),
      [],
    );
  });
});
