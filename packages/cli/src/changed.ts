import { execFileSync } from 'node:child_process';
import { realpathSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';

/** --changed-since cannot be honoured: not a work tree, an unknown ref, git missing. */
export class ChangedSinceError extends Error {}

/**
 * The files that differ from where the current branch left `ref`, for a fast pre-merge run:
 * everything `git diff <merge-base of ref and HEAD>` lists (commits since the branch point, plus
 * staged and unstaged edits; deleted files excepted) and the untracked files git does not ignore.
 * Returns a test for absolute paths.
 */
export function changedSince(cwd: string, ref: string): { readonly count: number; readonly has: (path: string) => boolean } {
  if (ref === '' || ref.startsWith('-')) throw new ChangedSinceError(`--changed-since needs a git ref (a branch, tag or commit), not '${ref}'`);
  const top = git(cwd, ['rev-parse', '--show-toplevel'], () => 'not inside a git work tree; --changed-since needs one').trim();
  git(top, ['rev-parse', '--verify', '--quiet', `${ref}^{commit}`], () => `unknown git ref '${ref}'`);
  const base = git(top, ['merge-base', ref, 'HEAD'], () => `'${ref}' and HEAD have no common ancestor`).trim();
  const listed = [
    ...split(git(top, ['-c', 'core.quotePath=false', 'diff', '--name-only', '-z', '--no-renames', '--diff-filter=d', base, '--'], (e) => `git diff failed: ${e}`)),
    ...split(git(top, ['ls-files', '--others', '--exclude-standard', '-z', '--full-name'], (e) => `git ls-files failed: ${e}`)),
  ];
  const realTop = realpath(top);
  const changed = new Set(listed.map((p) => join(realTop, p)));
  const dirs = new Map<string, string>();
  // Discovery names files under the cwd as given; compare through the real directory.
  const real = (path: string) => {
    const dir = dirname(path);
    let r = dirs.get(dir);
    if (r === undefined) dirs.set(dir, (r = realpath(dir)));
    return join(r, basename(path));
  };
  return { count: changed.size, has: (path) => changed.has(real(resolve(cwd, path))) };
}

function git(cwd: string, args: string[], explain: (stderr: string) => string): string {
  try {
    return execFileSync('git', args, { cwd, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024, stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (err) {
    const e = err as NodeJS.ErrnoException & { stderr?: string };
    if (e.code === 'ENOENT') throw new ChangedSinceError('--changed-since needs git, which is not on the PATH');
    throw new ChangedSinceError(explain(String(e.stderr ?? e.message).trim()));
  }
}

function split(out: string): string[] {
  return out.split('\0').filter((p) => p !== '');
}

function realpath(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    return path;
  }
}
