/**
 * The `git ls-files` runs behind discovery, in a module with no dependencies, so that the CLI can
 * start them before it loads the analysers (~0.2 s) and the two overlap.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { devNull } from 'node:os';
import { join, resolve } from 'node:path';

export const TRACKED = ['ls-files', '-z', '--stage', '-t', '--cached'] as const;
export const UNTRACKED = ['ls-files', '-z', '-t', '--others', '--exclude-standard'] as const;

const started = new Map<string, Promise<string | undefined>>();
const key = (root: string, args: readonly string[]) => `${root}\0${args.join('\0')}`;

/** The output of `git <args>` in `root`: one started early by prefetchGitListings (used once), or a new run. */
export function gitListing(root: string, args: readonly string[]): Promise<string | undefined> {
  const k = key(root, args);
  const early = started.get(k);
  started.delete(k);
  return early ?? runGit(root, args);
}

/**
 * Starts the listings discovery will ask for in each of `dirs` that is the top of a git work tree;
 * resolves when they are done. A guess that turns out wrong costs one git run that nobody reads.
 */
export function prefetchGitListings(dirs: readonly string[]): Promise<void> {
  const runs: Promise<unknown>[] = [];
  for (const dir of dirs) {
    const root = resolve(dir);
    if (!existsSync(join(root, '.git'))) continue;
    for (const args of [TRACKED, UNTRACKED]) {
      if (!started.has(key(root, args))) started.set(key(root, args), runGit(root, args));
      runs.push(started.get(key(root, args))!);
    }
  }
  return Promise.all(runs).then(() => undefined);
}

/** Runs git without letting the environment (a hook's GIT_DIR) or the repository's config pick the repository or run programs. */
function runGit(cwd: string, args: readonly string[]): Promise<string | undefined> {
  const env: NodeJS.ProcessEnv = { ...process.env, GIT_OPTIONAL_LOCKS: '0' };
  for (const name of ['GIT_DIR', 'GIT_WORK_TREE', 'GIT_INDEX_FILE', 'GIT_COMMON_DIR', 'GIT_OBJECT_DIRECTORY', 'GIT_PREFIX']) delete env[name];
  const config = ['-c', 'core.fsmonitor=false', '-c', `core.excludesFile=${devNull}`, '-c', 'core.quotePath=false'];
  return new Promise((done) => {
    execFile('git', [...config, ...args], { cwd, env, encoding: 'buffer', maxBuffer: 2 ** 31 - 1, timeout: 120_000, windowsHide: true }, (err, stdout) =>
      done(err ? undefined : stdout.toString('utf8')),
    );
  });
}
