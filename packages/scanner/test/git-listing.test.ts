import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { after, describe, it } from 'node:test';
import { discoverFiles } from '../src/discover.ts';
import { gitListing, prefetchGitListings, TRACKED, UNTRACKED } from '../src/git-listing.ts';
import { tempTree } from '../../testkit/src/temp-tree.ts';

describe('git listings started early', () => {
  const t = tempTree();
  after(t.cleanup);
  t.write('tracked.sh', 'echo one\n');
  execFileSync('git', ['init', '-q'], { cwd: t.root });
  execFileSync('git', ['add', 'tracked.sh'], { cwd: t.root });
  t.write('untracked.sh', 'echo two\n');

  it('give discovery what a run at that moment gives, once', async () => {
    await prefetchGitListings([t.root]);
    // A file added after the prefetch shows which listing was read.
    t.write('later.sh', 'echo three\n');
    const early = await gitListing(t.root, UNTRACKED);
    assert.equal(early, '? untracked.sh\0');
    assert.equal(await gitListing(t.root, UNTRACKED), '? later.sh\0? untracked.sh\0');
    assert.match((await gitListing(t.root, TRACKED))!, /\ttracked\.sh\0$/);
  });

  it('show discovery’s caller the tracked files first, as absolute paths', async () => {
    const early: string[][] = [];
    const discovery = await discoverFiles(['.'], { cwd: t.root, onTrackedListing: (paths) => early.push([...paths]) });
    assert.deepEqual(early, [[t.path('tracked.sh')]]);
    assert.deepEqual(
      discovery.files.map((f) => f.path),
      ['later.sh', 'tracked.sh', 'untracked.sh'].map((f) => t.path(f)),
    );
    // Without git there is no early view.
    early.length = 0;
    await discoverFiles(['.'], { cwd: t.root, lister: 'fast-glob', onTrackedListing: (paths) => early.push([...paths]) });
    assert.deepEqual(early, []);
  });

  it('are not started outside the top of a work tree', async () => {
    prefetchGitListings([t.path('missing-dir')]);
    assert.equal(await gitListing(t.path('missing-dir'), TRACKED), undefined);
  });
});
