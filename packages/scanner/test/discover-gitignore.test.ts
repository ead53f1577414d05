import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, rmSync, symlinkSync, unlinkSync, writeFileSync } from 'node:fs';
import { relative } from 'node:path';
import { describe, it } from 'node:test';
import { discoverFiles, type DiscoverOptions, type Lister } from '../src/discover.ts';
import { readSourceBytes } from '../src/read.ts';
import { scan } from '../src/scan.ts';
import { tempTree } from '../../testkit/src/temp-tree.ts';

type Tree = ReturnType<typeof tempTree>;

/** git with no user or system configuration, so that a developer's global ignores change nothing. */
function git(root: string, ...args: string[]): string {
  return execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@example.invalid', '-c', 'commit.gpgSign=false', ...args], {
    cwd: root,
    encoding: 'utf8',
    env: { ...process.env, GIT_CONFIG_GLOBAL: '/dev/null', GIT_CONFIG_NOSYSTEM: '1' },
  });
}

function commitAll(t: Tree): void {
  git(t.root, 'init', '-q');
  git(t.root, 'add', '-A');
  git(t.root, 'commit', '-q', '--no-verify', '-m', 'x');
}

async function list(t: Tree, options: Partial<DiscoverOptions> = {}, paths = ['.']) {
  const found = await discoverFiles(paths, { cwd: t.root, ...options });
  return {
    files: found.files.map((f) => relative(t.root, f.path)),
    errors: found.errors.map((e) => `${relative(t.root, e.file)}: ${e.message}`).sort(),
    listers: found.listers,
  };
}

/** Lists with both listers (the tree must be a git work tree) and checks they agree. */
async function listBoth(t: Tree, options: Partial<DiscoverOptions> = {}, paths = ['.']) {
  const viaGit = await list(t, { ...options, lister: 'git' }, paths);
  const viaGlob = await list(t, { ...options, lister: 'fast-glob' }, paths);
  assert.deepEqual(viaGit.listers, paths.map((): Lister => 'git'), 'git listed the tree');
  assert.deepEqual(viaGlob.listers, paths.map((): Lister => 'fast-glob'));
  assert.deepEqual(viaGit.files, viaGlob.files, 'git ls-files and fast-glob list the same files');
  assert.deepEqual(viaGit.errors, viaGlob.errors, 'and report the same problems');
  return viaGlob;
}

/** A tree exercising most of gitignore(5); `expected` is what must be listed. */
function gitignoreTree(t: Tree): string[] {
  t.write('.gitignore', '*.log\n/top-only.sh\nsecrets/\nlogs/\n# a comment\n\n\\#literal.sh\n');
  t.write('pkg/.gitignore', 'tmp/\n*.bak\n/local.sh\n!keep.log\n');
  t.write('a/.gitignore', '!logs/\n');
  t.write('secrets/.gitignore', '!s.sh\n');
  const files: Record<string, boolean> = {
    'top-only.sh': false, // anchored to the root
    'sub/top-only.sh': true,
    'a.log': false, // no slash: any depth
    'deep/x/a.log': false,
    'secrets/s.sh': false, // a directory pattern, at any depth…
    'deep/secrets/s.sh': false,
    'pkg/tmp/x.sh': false, // …relative to the .gitignore that has it
    'pkg/sub/tmp/y.sh': false,
    'other/tmp/z.sh': true,
    'pkg/x.sh.bak': false,
    'other/x.sh.bak': true,
    'pkg/local.sh': false,
    'pkg/sub/local.sh': true,
    'pkg/keep.log': true, // a deeper negation wins over the root's *.log
    'a/logs/x.sh': true, // a directory re-included by a deeper .gitignore is entered
    'b/logs/y.sh': false,
    '#literal.sh': false,
    'literal.sh': true,
    'dir with space/ü.sh': true,
    '.github/workflows/ci.yml': true,
  };
  for (const path of Object.keys(files)) t.write(path, 'echo\n');
  return [...Object.keys(files).filter((p) => files[p]), '.gitignore', 'a/.gitignore', 'pkg/.gitignore'].sort();
}

describe('discovery honours .gitignore', () => {
  it('applies nested .gitignore files, each relative to its own directory, as git does', async () => {
    const t = tempTree();
    try {
      const expected = gitignoreTree(t);
      const { files, errors, listers } = await list(t);
      assert.deepEqual(listers, ['fast-glob'], 'not a git repository: fast-glob');
      assert.deepEqual(files, expected);
      assert.deepEqual(errors, []);
      // git itself agrees, on untracked files (which is what .gitignore is about)…
      git(t.root, 'init', '-q');
      const truth = git(t.root, '-c', 'core.excludesFile=/dev/null', 'ls-files', '-z', '-o', '--exclude-standard').split('\0').filter(Boolean).sort();
      assert.deepEqual(truth, expected);
      // …and so does the git lister, before and after a commit.
      await listBoth(t);
      git(t.root, 'add', '-A');
      git(t.root, 'commit', '-q', '--no-verify', '-m', 'x');
      assert.deepEqual((await listBoth(t)).files, expected);
    } finally {
      t.cleanup();
    }
  });

  it('uses git at the top of a work tree and fast-glob below it, with the same result', async () => {
    const t = tempTree();
    try {
      gitignoreTree(t);
      commitAll(t);
      assert.deepEqual((await list(t)).listers, ['git']);
      const sub = await list(t, {}, ['pkg']);
      assert.deepEqual(sub.listers, ['fast-glob']);
      assert.deepEqual(sub.files, ['pkg/.gitignore', 'pkg/keep.log', 'pkg/sub/local.sh']);
    } finally {
      t.cleanup();
    }
  });

  it('applies the .gitignore files above a directory argument, up to the top of the work tree', async () => {
    const t = tempTree();
    try {
      t.write('.gitignore', '*.gen.sh\n/pkg/a/local/\n');
      t.write('pkg/.gitignore', 'cache/\n');
      t.write('pkg/a/x.sh', '');
      t.write('pkg/a/x.gen.sh', '');
      t.write('pkg/a/cache/y.sh', '');
      t.write('pkg/a/local/z.sh', '');
      git(t.root, 'init', '-q');
      assert.deepEqual((await list(t, {}, ['pkg/a'])).files, ['pkg/a/x.sh']);
      // Outside a git repository there is no "above": only the rules inside the walk count.
      rmSync(t.path('.git'), { recursive: true });
      assert.deepEqual((await list(t, {}, ['pkg/a'])).files, ['pkg/a/cache/y.sh', 'pkg/a/local/z.sh', 'pkg/a/x.gen.sh', 'pkg/a/x.sh']);
    } finally {
      t.cleanup();
    }
  });

  it('reads .git/info/exclude, but not the user’s global excludes file', async () => {
    const t = tempTree();
    try {
      t.write('a.sh', '');
      t.write('b.sh', '');
      t.write('c.sh', '');
      git(t.root, 'init', '-q');
      writeFileSync(t.path('.git/info/exclude'), 'a.sh\n');
      const global = t.write('../global-ignore-' + relative('/', t.root).replace(/\//g, '-'), 'b.sh\n');
      const previous = process.env.GIT_CONFIG_GLOBAL;
      const config = t.write('.test-gitconfig', `[core]\n\texcludesFile = ${global}\n`);
      process.env.GIT_CONFIG_GLOBAL = config;
      try {
        const { files } = await listBoth(t);
        assert.deepEqual(files, ['.test-gitconfig', 'b.sh', 'c.sh']);
      } finally {
        if (previous === undefined) delete process.env.GIT_CONFIG_GLOBAL;
        else process.env.GIT_CONFIG_GLOBAL = previous;
        unlinkSync(global);
      }
    } finally {
      t.cleanup();
    }
  });

  it('lists the same files with git and fast-glob in a realistic tree, committed or not', async () => {
    const t = tempTree();
    const outside = tempTree();
    try {
      gitignoreTree(t);
      outside.write('secret.sh', 'curl http://169.254.169.254/\n');
      for (const dir of ['node_modules/dep', 'build', 'dist', 'vendor/lib', '.terraform/modules', 'cdk.out', 'pkg/node_modules/x']) {
        t.write(`${dir}/file.sh`, '');
      }
      t.write('pkg/build', 'a file called build is not a build directory\n');
      t.write('scripts/run.sh', '');
      symlinkSync('../scripts/run.sh', t.path('pkg/alias.sh'));
      symlinkSync(outside.root, t.path('escape-dir'));
      symlinkSync(outside.path('secret.sh'), t.path('escape.sh'));
      symlinkSync('nowhere.sh', t.path('broken.sh'));
      symlinkSync('loop-b', t.path('loop-a'));
      symlinkSync('loop-a', t.path('loop-b'));
      symlinkSync('.', t.path('pkg/self'));
      // A nested repository: git does not look into it, so the git lister walks it.
      t.write('nested/.gitignore', 'ignored-in-nested.sh\n');
      t.write('nested/in-nested.sh', '');
      t.write('nested/ignored-in-nested.sh', '');
      git(t.path('nested'), 'init', '-q');
      git(t.path('nested'), 'add', '-A');
      git(t.path('nested'), 'commit', '-q', '--no-verify', '-m', 'nested');

      git(t.root, 'init', '-q');
      const untracked = await listBoth(t);
      git(t.root, 'add', '-A');
      git(t.root, 'commit', '-q', '--no-verify', '-m', 'x');
      const committed = await listBoth(t);
      assert.deepEqual(committed, untracked);
      assert.ok(committed.files.includes('pkg/build'));
      assert.ok(committed.files.includes('nested/in-nested.sh'));
      assert.ok(!committed.files.includes('nested/ignored-in-nested.sh'));
      assert.ok(!committed.files.some((f) => /node_modules|^build\/|dist|vendor|terraform|cdk\.out|escape|alias|self/.test(f)), committed.files.join());
      assert.deepEqual(committed.errors, ['broken.sh: broken symlink: its target does not exist', 'loop-a: symbolic link loop', 'loop-b: symbolic link loop']);
    } finally {
      t.cleanup();
      outside.cleanup();
    }
  });

  it('with git, lists tracked files that .gitignore matches, and the scan passes over deleted ones', async () => {
    const t = tempTree();
    try {
      t.write('forced.log', '');
      t.write('gone.sh', '');
      t.write('kept.sh', 'curl http://169.254.169.254/latest/meta-data/\n');
      t.write('was-dir/x.sh', '');
      t.write('was-file.sh', '');
      commitAll(t);
      t.write('.gitignore', '*.log\n');
      unlinkSync(t.path('gone.sh'));
      // A tracked directory that is a file now, and a tracked file that is a directory now.
      rmSync(t.path('was-dir'), { recursive: true });
      t.write('was-dir', '');
      rmSync(t.path('was-file.sh'));
      t.write('was-file.sh/inner.sh', 'curl http://169.254.169.254/latest/meta-data/\n');
      // A tracked file is part of the repository, so a gate must see it; a walk cannot know it is tracked.
      // The index still lists the deleted file (nothing looks at the disk for each file listed)…
      assert.deepEqual((await list(t, { lister: 'git' })).files, ['.gitignore', 'forced.log', 'gone.sh', 'kept.sh', 'was-dir', 'was-dir/x.sh', 'was-file.sh', 'was-file.sh/inner.sh']);
      assert.deepEqual((await list(t, { lister: 'fast-glob' })).files, ['.gitignore', 'kept.sh', 'was-dir', 'was-file.sh/inner.sh']);
      // … and the scan, which has to open it, passes over it without a word.
      const result = await scan(['.'], { cwd: t.root, lister: 'git' });
      assert.deepEqual(result.errors, []);
      assert.deepEqual(result.findings.map((f) => f.file), ['kept.sh', 'was-file.sh/inner.sh']);
      const named = await scan(['gone.sh'], { cwd: t.root, lister: 'git' });
      assert.deepEqual(named.errors.map((e) => e.file), ['gone.sh'], 'named on the command line, a missing file is an error');
    } finally {
      t.cleanup();
    }
  });

  it('does not follow a tracked file or directory that became a symlink out of the tree', async () => {
    const t = tempTree();
    const outside = tempTree();
    try {
      outside.write('x.sh', 'curl http://169.254.169.254/latest/meta-data/\n');
      outside.write('d/y.sh', 'curl http://169.254.169.254/latest/meta-data/\n');
      // A Terraform module is analysed as a group: its files are checked when it turns out to matter.
      outside.write('d/main.tf', 'resource "aws_instance" "web" {\n  ami           = "ami-123"\n  instance_type = "t3.micro"\n}\n');
      t.write('x.sh', 'echo\n');
      t.write('d/y.sh', 'echo\n');
      t.write('d/main.tf', '# nothing yet\n');
      commitAll(t);
      unlinkSync(t.path('x.sh'));
      symlinkSync(outside.path('x.sh'), t.path('x.sh'));
      rmSync(t.path('d'), { recursive: true });
      symlinkSync(outside.path('d'), t.path('d'));
      // Listed from the index; whether d/ is still a directory is asked only of a file the scan uses.
      const discovery = await discoverFiles(['.'], { cwd: t.root, lister: 'git' });
      const listed = (rel: string) => discovery.files.find((f) => f.path === t.path(rel))!;
      assert.equal(discovery.belowSymlink(listed('d/y.sh')), true);
      assert.equal(discovery.belowSymlink(listed('x.sh')), false);
      const result = await scan(['.'], { cwd: t.root, lister: 'git' });
      assert.deepEqual(result.findings, []);
      assert.deepEqual(result.files, []);
      assert.deepEqual(result.errors, []);
    } finally {
      t.cleanup();
      outside.cleanup();
    }
  });

  it('can be told to ignore .gitignore', async () => {
    const t = tempTree();
    try {
      t.write('.gitignore', '*.sh\n');
      t.write('a.sh', '');
      assert.deepEqual((await list(t, { gitignore: false })).files, ['.gitignore', 'a.sh']);
    } finally {
      t.cleanup();
    }
  });
});

describe('cdk.out', () => {
  function cdkTree(t: Tree) {
    t.write('.gitignore', 'cdk.out\n');
    t.write('bin/app.ts', '');
    t.write('cdk.out/Stack.template.json', '{}');
    t.write('infra/cdk.out/Other.template.json', '{}');
  }

  it('is skipped by default, with either lister', async () => {
    const t = tempTree();
    try {
      cdkTree(t);
      commitAll(t);
      assert.deepEqual((await listBoth(t, { gitignore: true })).files, ['.gitignore', 'bin/app.ts']);
      assert.deepEqual((await list(t, { gitignore: false })).files, ['.gitignore', 'bin/app.ts']);
    } finally {
      t.cleanup();
    }
  });

  it('is scanned when opted in, even though .gitignore lists it', async () => {
    const t = tempTree();
    try {
      cdkTree(t);
      commitAll(t);
      const { files } = await listBoth(t, { includeCdkOut: true });
      assert.deepEqual(files, ['.gitignore', 'bin/app.ts', 'cdk.out/Stack.template.json', 'infra/cdk.out/Other.template.json']);
    } finally {
      t.cleanup();
    }
  });

  it('is scanned when named on the command line', async () => {
    const t = tempTree();
    try {
      cdkTree(t);
      assert.deepEqual((await list(t, {}, ['cdk.out'])).files, ['cdk.out/Stack.template.json']);
    } finally {
      t.cleanup();
    }
  });
});

describe('--include and --exclude', () => {
  function layout(t: Tree) {
    for (const p of ['infra/main.tf', 'infra/old/legacy.tf', 'scripts/boot.sh', 'scripts/old-boot.sh', 'app/deploy/infra/x.sh', 'README.md']) t.write(p, '');
  }

  it('keeps only the files an include pattern matches, in .gitignore syntax', async () => {
    const t = tempTree();
    try {
      layout(t);
      assert.deepEqual((await list(t, { includeGlobs: ['*.tf'] })).files, ['infra/main.tf', 'infra/old/legacy.tf']);
      assert.deepEqual((await list(t, { includeGlobs: ['infra/'] })).files, ['app/deploy/infra/x.sh', 'infra/main.tf', 'infra/old/legacy.tf']);
      assert.deepEqual((await list(t, { includeGlobs: ['/infra/'] })).files, ['infra/main.tf', 'infra/old/legacy.tf']);
      assert.deepEqual((await list(t, { includeGlobs: ['*.tf', 'scripts/**/*.sh'] })).files, ['infra/main.tf', 'infra/old/legacy.tf', 'scripts/boot.sh', 'scripts/old-boot.sh']);
    } finally {
      t.cleanup();
    }
  });

  it('drops the files an exclude pattern matches, after the includes', async () => {
    const t = tempTree();
    try {
      layout(t);
      assert.deepEqual((await list(t, { excludeGlobs: ['old/', 'scripts/old-*.sh', '*.md'] })).files, ['app/deploy/infra/x.sh', 'infra/main.tf', 'scripts/boot.sh']);
      assert.deepEqual((await list(t, { includeGlobs: ['*.tf'], excludeGlobs: ['infra/old/'] })).files, ['infra/main.tf']);
    } finally {
      t.cleanup();
    }
  });

  it('matches paths relative to the cwd, whichever directory is scanned', async () => {
    const t = tempTree();
    try {
      layout(t);
      assert.deepEqual((await list(t, { excludeGlobs: ['/infra/old/'] }, ['infra'])).files, ['infra/main.tf']);
      const found = await discoverFiles(['old'], { cwd: t.path('infra'), includeGlobs: ['old/*.tf'] });
      assert.deepEqual(found.files.map((f) => relative(t.root, f.path)), ['infra/old/legacy.tf']);
    } finally {
      t.cleanup();
    }
  });

  it('never drops a file named on the command line', async () => {
    const t = tempTree();
    try {
      layout(t);
      assert.deepEqual((await list(t, { excludeGlobs: ['*.sh'], includeGlobs: ['*.tf'] }, ['scripts/boot.sh'])).files, ['scripts/boot.sh']);
    } finally {
      t.cleanup();
    }
  });

  it('applies the same with the git lister', async () => {
    const t = tempTree();
    try {
      layout(t);
      commitAll(t);
      assert.deepEqual((await listBoth(t, { includeGlobs: ['*.tf', '*.sh'], excludeGlobs: ['old/'] })).files, ['app/deploy/infra/x.sh', 'infra/main.tf', 'scripts/boot.sh', 'scripts/old-boot.sh']);
    } finally {
      t.cleanup();
    }
  });
});

describe('reading files found in a walk', () => {
  it('does not open a symlink, and says what is wrong with a broken one', () => {
    const t = tempTree();
    try {
      t.write('real.sh', 'echo\n');
      symlinkSync('real.sh', t.path('link.sh'));
      symlinkSync('gone.sh', t.path('broken.sh'));
      mkdirSync(t.path('d'));
      assert.deepEqual(readSourceBytes(t.path('link.sh'), { noFollow: true }), { ok: false, skipped: true });
      assert.deepEqual(readSourceBytes(t.path('broken.sh'), { noFollow: true, file: 'broken.sh' }), {
        ok: false,
        error: { file: 'broken.sh', message: 'broken symlink: its target does not exist' },
      });
      const followed = readSourceBytes(t.path('link.sh'));
      assert.ok(followed.ok && followed.bytes.toString() === 'echo\n');
    } finally {
      t.cleanup();
    }
  });
});

describe('git worktrees', () => {
  it('reads info/exclude of the main repository from a linked worktree', async () => {
    const t = tempTree();
    try {
      t.write('main/a.sh', '');
      t.write('main/b.sh', '');
      git(t.path('main'), 'init', '-q');
      git(t.path('main'), 'add', '-A');
      git(t.path('main'), 'commit', '-q', '--no-verify', '-m', 'x');
      writeFileSync(t.path('main/.git/info/exclude'), 'c.sh\n');
      git(t.path('main'), 'worktree', 'add', '-q', '--detach', t.path('linked'));
      t.write('linked/c.sh', '');
      t.write('linked/sub/d.sh', '');
      const viaGit = await discoverFiles(['.'], { cwd: t.path('linked'), lister: 'git' });
      const viaGlob = await discoverFiles(['.'], { cwd: t.path('linked'), lister: 'fast-glob' });
      const below = await discoverFiles(['sub'], { cwd: t.path('linked') });
      const names = (d: { files: { path: string }[] }) => d.files.map((f) => relative(t.path('linked'), f.path));
      assert.deepEqual(names(viaGit), ['a.sh', 'b.sh', 'sub/d.sh']);
      assert.deepEqual(names(viaGlob), ['a.sh', 'b.sh', 'sub/d.sh']);
      assert.deepEqual([viaGit.errors, viaGlob.errors, below.errors], [[], [], []]);
      assert.deepEqual(names(below), ['sub/d.sh']);
    } finally {
      t.cleanup();
    }
  });
});
