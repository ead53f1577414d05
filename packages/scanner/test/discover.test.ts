import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, symlinkSync } from 'node:fs';
import { relative } from 'node:path';
import { after, describe, it } from 'node:test';
import { discoverFiles } from '../src/discover.ts';
import { tempTree } from '../../testkit/src/temp-tree.ts';

const tree = tempTree();
after(tree.cleanup);

const rel = (files: { path: string }[]) => files.map((f) => relative(tree.root, f.path));
const errorsOf = (errors: { file: string; message: string }[]) =>
  errors.map((e) => `${relative(tree.root, e.file)}: ${e.message}`);

describe('discoverFiles', () => {
  it('skips dependency, build and VCS directories at any depth but keeps dot-directories', async () => {
    const t = tempTree();
    try {
      for (const dir of ['node_modules', '.git', 'dist', 'build', '.terraform', 'vendor', 'sub/node_modules', 'a/b/vendor']) {
        t.write(`${dir}/x.sh`, 'echo\n');
      }
      t.write('src/ok.sh', 'echo\n');
      t.write('.github/ok.sh', 'echo\n');
      t.write('builder/ok.sh', 'echo\n');
      const { files, errors } = await discoverFiles(['.'], { cwd: t.root });
      assert.deepEqual(
        files.map((f) => relative(t.root, f.path)),
        ['.github/ok.sh', 'builder/ok.sh', 'src/ok.sh'],
      );
      assert.deepEqual(errors, []);
      assert.ok(files.every((f) => !f.explicit));
    } finally {
      t.cleanup();
    }
  });

  it('takes a file named explicitly even inside an excluded directory', async () => {
    const p = tree.write('node_modules/pkg/install.sh', 'echo\n');
    const { files } = await discoverFiles([p], { cwd: tree.root });
    assert.deepEqual(files, [{ path: p, explicit: true }]);
  });

  it('honours a custom exclude list', async () => {
    const t = tempTree();
    try {
      t.write('node_modules/a.sh', '');
      t.write('scripts/b.sh', '');
      const { files } = await discoverFiles(['.'], { cwd: t.root, exclude: ['scripts'] });
      assert.deepEqual(
        files.map((f) => relative(t.root, f.path)),
        ['node_modules/a.sh'],
      );
    } finally {
      t.cleanup();
    }
  });

  it('reports symlink loops and broken symlinks in a walk, and does not follow links to directories', async () => {
    const t = tempTree();
    try {
      t.write('real.sh', 'echo\n');
      symlinkSync('loop-b', t.path('loop-a'));
      symlinkSync('loop-a', t.path('loop-b'));
      symlinkSync('moved-away.sh', t.path('broken.sh'));
      symlinkSync('.', t.path('self-dir'));
      mkdirSync(t.path('sub'));
      symlinkSync('..', t.path('sub/up'));
      symlinkSync('real.sh', t.path('alias.sh'));
      const { files, errors } = await discoverFiles(['.'], { cwd: t.root });
      assert.deepEqual(
        files.map((f) => relative(t.root, f.path)),
        ['real.sh'],
      );
      assert.deepEqual(
        errors.map((e) => `${relative(t.root, e.file)}: ${e.message}`).sort(),
        ['broken.sh: broken symlink: its target does not exist', 'loop-a: symbolic link loop', 'loop-b: symbolic link loop'],
      );
    } finally {
      t.cleanup();
    }
  });

  it('reports an explicit broken symlink or loop instead of throwing', async () => {
    symlinkSync('nowhere.sh', tree.path('explicit-broken.sh'));
    symlinkSync('explicit-loop', tree.path('explicit-loop'));
    const { files, errors } = await discoverFiles(['explicit-broken.sh', 'explicit-loop'], { cwd: tree.root });
    assert.deepEqual(files, []);
    assert.deepEqual(errorsOf(errors), [
      'explicit-broken.sh: broken symlink: its target does not exist',
      'explicit-loop: symbolic link loop',
    ]);
  });

  it('follows a symlink to a file when it is named explicitly', async () => {
    tree.write('target.sh', 'echo\n');
    symlinkSync('target.sh', tree.path('link.sh'));
    const { files, errors } = await discoverFiles(['link.sh'], { cwd: tree.root });
    assert.deepEqual(rel(files), ['link.sh']);
    assert.deepEqual(errors, []);
  });

  it('reports a path that does not exist', async () => {
    const { files, errors } = await discoverFiles(['no/such/dir'], { cwd: tree.root });
    assert.deepEqual(files, []);
    assert.deepEqual(errorsOf(errors), ['no/such/dir: no such file or directory']);
  });

  it('passes over a FIFO in a walk without blocking on it', async () => {
    const t = tempTree();
    try {
      execFileSync('mkfifo', [t.path('pipe.sh')]);
      t.write('ok.sh', '');
      const { files, errors } = await discoverFiles(['.'], { cwd: t.root });
      assert.deepEqual(
        files.map((f) => relative(t.root, f.path)),
        ['ok.sh'],
      );
      assert.deepEqual(errors, []);
    } finally {
      t.cleanup();
    }
  });

  it('lists a file once when it is named and also found in a walk', async () => {
    const t = tempTree();
    try {
      const p = t.write('a.sh', '');
      const { files } = await discoverFiles(['.', 'a.sh', p], { cwd: t.root });
      assert.deepEqual(files, [{ path: p, explicit: true }]);
    } finally {
      t.cleanup();
    }
  });
});
