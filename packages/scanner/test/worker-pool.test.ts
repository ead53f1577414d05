import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { after, describe, it } from 'node:test';
import { scan, scanWith, type ScanOptions } from '../src/scan.ts';
import { ANALYSERS } from './support/pool-analysers.ts';
import { tempTree } from '../../testkit/src/temp-tree.ts';

const support = { module: new URL('./support/pool-analysers.ts', import.meta.url).href, exportName: 'ANALYSERS' };
const repository = fileURLToPath(new URL('../../..', import.meta.url));

/** The pool from the first file to analyse, two threads whatever this machine has. */
const pooled: Partial<ScanOptions> = { threads: 2, workerThreshold: 1 };

describe('analysis on worker threads', () => {
  const t = tempTree();
  after(t.cleanup);
  for (let i = 0; i < 40; i++) t.write(`jobs/${String(i).padStart(2, '0')}.job`, 'x\n'.repeat((i % 5) + 1));
  t.write('jobs/skipped.job', 'skip me\n');
  t.write('jobs/bad.job', 'THROW\n');
  t.write('mod/a.grp', 'matters\n');
  t.write('mod/b.grp', 'only a member\n');
  t.write('other/c.grp', 'never analysed\n');
  t.write('jobs/binary.job', Buffer.from('x\0y'));

  it('gives the same results, in the same order, as the main thread', async () => {
    const inline = await scanWith(ANALYSERS, ['.'], { cwd: t.root, threads: 0 }, support);
    const threaded = await scanWith(ANALYSERS, ['.'], { cwd: t.root, ...pooled }, support);
    assert.deepStrictEqual(threaded, inline);
    assert.equal(inline.findings.length > 100, true);
    assert.deepEqual(
      inline.errors.filter((e) => !e.message.startsWith('syntax error')),
      [
        { file: 'jobs/bad.job', message: 'analysis failed: cannot analyse jobs/bad.job' },
        { file: 'jobs/binary.job', message: 'binary file (a NUL byte in the first 8 KiB); not analysed' },
      ],
    );
    assert.deepEqual(
      inline.files.map((f) => f.file).filter((f) => f.endsWith('.grp')),
      ['mod/a.grp', 'mod/b.grp'],
    );
  });

  it('turns a worker that dies during a file into a file error for that file only', async () => {
    const c = tempTree();
    try {
      for (let i = 0; i < 12; i++) c.write(`${String(i).padStart(2, '0')}.job`, 'x\n');
      c.write('03.job', 'EXIT\n');
      c.write('07.job', 'UNCAUGHT\n');
      const result = await scanWith(ANALYSERS, ['.'], { cwd: c.root, ...pooled }, support);
      assert.deepEqual(result.errors, [
        { file: '03.job', message: 'analysis failed: worker thread crashed: it exited with code 3' },
        { file: '07.job', message: 'analysis failed: worker thread crashed: thrown outside the job' },
      ]);
      assert.deepEqual(
        result.findings.map((f) => f.file),
        ['00.job', '01.job', '02.job', '04.job', '05.job', '06.job', '08.job', '09.job', '10.job', '11.job'],
      );
      assert.equal(result.files.length, 12);
    } finally {
      c.cleanup();
    }
  });

  it('adds a worker when files are still waiting once the reading is done', async () => {
    const g = tempTree();
    try {
      for (let i = 0; i < 80; i++) g.write(`${String(i).padStart(2, '0')}.job`, 'x\n'.repeat((i % 7) + 1));
      const inline = await scanWith(ANALYSERS, ['.'], { cwd: g.root, threads: 0 }, support);
      const grown = await scanWith(ANALYSERS, ['.'], { cwd: g.root, threads: 3, workerThreshold: 1 }, support);
      assert.deepStrictEqual(grown, inline);
    } finally {
      g.cleanup();
    }
  });

  it('has a worker warm up an analyser with a costly start before its files, when it claims many', async () => {
    const w = tempTree();
    try {
      for (let i = 0; i < 100; i++) w.write(`src/${String(i).padStart(3, '0')}.warm`, 'x\n');
      const messages = async (options: Partial<ScanOptions>) => new Set((await scanWith(ANALYSERS, ['.'], { cwd: w.root, ...options }, support)).findings.map((f) => f.message));
      assert.deepEqual(await messages(pooled), new Set(['warmed up first']));
      // Not on the main thread: it pays the cost with its first file, as without a warm-up.
      assert.deepEqual(await messages({ threads: 0 }), new Set(['cold start']));
      // Only the files a --changed-since scan looks at count.
      assert.deepEqual(await messages({ ...pooled, only: (path) => !path.endsWith('000.warm') }), new Set(['cold start']));
      // With fewer files claimed, some may well hold nothing to analyse: no cost paid ahead.
      rmSync(w.path('src/000.warm'));
      assert.deepEqual(await messages(pooled), new Set(['cold start']));
      // In a git work tree git's listing of the tracked files decides, before anything is checked
      // (here, that a file is still there).
      w.write('src/000.warm', 'x\n');
      execFileSync('git', ['init', '-q'], { cwd: w.root });
      execFileSync('git', ['add', '.'], { cwd: w.root });
      rmSync(w.path('src/000.warm'));
      assert.deepEqual(await messages(pooled), new Set(['warmed up first']));
    } finally {
      w.cleanup();
    }
  });

  it('runs everything on the main thread when the workers cannot load the analysers', async () => {
    const inline = await scanWith(ANALYSERS, ['.'], { cwd: t.root, threads: 0 });
    const wrongList = await scanWith(ANALYSERS, ['.'], { cwd: t.root, ...pooled }, { ...support, exportName: 'WRONG_ORDER' });
    const noModule = await scanWith(ANALYSERS, ['.'], { cwd: t.root, ...pooled }, { module: new URL('./support/missing.ts', import.meta.url).href, exportName: 'ANALYSERS' });
    assert.deepStrictEqual(wrongList, inline);
    assert.deepStrictEqual(noModule, inline);
  });

  it('stays on the main thread below the threshold, or without workers to load the analysers', async () => {
    // Nothing to observe from outside but the results: both must simply be right.
    const few = await scanWith(ANALYSERS, ['.'], { cwd: t.root, threads: 2, workerThreshold: 1000 }, support);
    const none = await scanWith(ANALYSERS, ['.'], { cwd: t.root, ...pooled });
    assert.deepStrictEqual(few, none);
  });

  it('gives the same results with the real analysers on the repository’s fixtures and examples', async () => {
    const paths = ['fixtures', 'examples'];
    const inline = await scan(paths, { cwd: repository, threads: 0 });
    const threaded = await scan(paths, { cwd: repository, ...pooled });
    assert.ok(inline.findings.length > 50);
    assert.deepStrictEqual(threaded, inline);
  });
});
