import { existsSync, lstatSync, readdir, type Dirent } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import type { FileError } from '@imds-guard/core';
import fg from 'fast-glob';
import type { Ignore } from 'ignore';
import { describeFsError, statFollowing } from './fs-errors.js';
import { gitListing, TRACKED, UNTRACKED } from './git-listing.js';
import { GitignoreMatcher, parseRules, readRules, rulesAbove } from './gitignore.js';

/**
 * Directories that hold dependencies, build output, VCS data or generated templates: never the
 * user's own scripts. `cdk.out` (CDK's synthesised CloudFormation) is scanned with `includeCdkOut`.
 */
export const DEFAULT_EXCLUDES: readonly string[] = ['node_modules', '.git', 'dist', 'build', '.terraform', 'vendor', 'cdk.out'];

const CDK_OUT = 'cdk.out';

/** How the files below a directory argument were listed. */
export type Lister = 'git' | 'fast-glob';

export interface DiscoverOptions {
  readonly cwd: string;
  /** Directory names skipped anywhere below a directory argument; defaults to DEFAULT_EXCLUDES. */
  readonly exclude?: readonly string[];
  /**
   * Also scan `cdk.out` directories, even when a .gitignore lists them (as `cdk init` does): the
   * templates CDK synthesises are where a CDK app's launch settings can be checked.
   */
  readonly includeCdkOut?: boolean;
  /**
   * Patterns in .gitignore syntax, relative to `cwd` (or to the directory argument for one
   * outside it): a file found in a walk is kept only if one matches (`*.tf`, `infra/`, `ci/**\/*.sh`).
   */
  readonly includeGlobs?: readonly string[];
  /** Same syntax: a file found in a walk that one of these matches is dropped. */
  readonly excludeGlobs?: readonly string[];
  /** Honour .gitignore files (default true). */
  readonly gitignore?: boolean;
  /**
   * 'auto' (default): `git ls-files` when a directory argument is the top of a git work tree
   * (about five times faster), fast-glob everywhere else and whenever git fails. The others force
   * one, for tests; 'git' still falls back when git cannot list the directory.
   */
  readonly lister?: 'auto' | Lister;
  /**
   * Called with the absolute paths of a work tree's tracked files as soon as git has listed them,
   * before its untracked files and the checks on each: an early, rough view of a large repository.
   */
  readonly onTrackedListing?: (paths: readonly string[]) => void;
}

export interface DiscoveredFile {
  /** Absolute path. */
  readonly path: string;
  /** Named on the command line rather than found in a directory walk. */
  readonly explicit: boolean;
  /**
   * Listed from the git index of the work tree at this directory, and not checked against the
   * disk: the file may have been deleted since, or a directory on its way replaced by a symlink.
   * See Discovery.belowSymlink.
   */
  readonly indexRoot?: string;
}

export interface Discovery {
  /** Regular files (or explicit symlinks to them), sorted, without duplicates. */
  readonly files: DiscoveredFile[];
  /** `file` is an absolute path here; the scan makes it relative for display. */
  readonly errors: FileError[];
  /** For each directory argument, in order, how its files were listed. */
  readonly listers: Lister[];
  /**
   * A directory between a file listed from a git index and the top of its work tree is not a
   * directory now (a symlink, which must not lead the scan out of the tree, or gone). Only the
   * files a scan goes on to use are checked: checking all would cost a stat per directory of the
   * tree up front, for the few files that matter.
   */
  readonly belowSymlink: (file: DiscoveredFile) => boolean;
}

/** What a listing found below a directory, relative to it with `/` separators. */
interface Entry {
  readonly rel: string;
  readonly kind: 'file' | 'symlink';
  /** From the git index: see DiscoveredFile.indexRoot. */
  readonly indexed?: boolean;
}

interface Settings {
  readonly excludeNames: ReadonlySet<string>;
  readonly gitignore: boolean;
  readonly includeCdkOut: boolean;
  readonly lister: 'auto' | Lister;
  readonly onTrackedListing?: (paths: readonly string[]) => void;
  /** One cache of directory checks for the whole discovery and the scan after it. */
  readonly realDirectory: (root: string, dir: string) => boolean;
}

/**
 * Turns the paths given on the command line into candidate files. Arguments are resolved through
 * symlinks (as `find -H` does) because the user named them, and are taken whatever the excludes,
 * .gitignore or globs say; inside a directory walk no symlink is followed, so a link to `..` cannot
 * loop, a link out of the scanned tree is not scanned, and a linked file is not scanned (or fixed)
 * twice. Links that cannot be resolved at all are still reported: they usually point at a script
 * that was moved, and silently passing over them would hide it.
 */
export async function discoverFiles(paths: readonly string[], options: DiscoverOptions): Promise<Discovery> {
  const includeCdkOut = options.includeCdkOut ?? false;
  const settings: Settings = {
    excludeNames: new Set((options.exclude ?? DEFAULT_EXCLUDES).filter((name) => !(includeCdkOut && name === CDK_OUT))),
    gitignore: options.gitignore ?? true,
    includeCdkOut,
    lister: options.lister ?? 'auto',
    onTrackedListing: options.onTrackedListing,
    realDirectory: realDirectoryCheck(),
  };
  const globs = globFilter(options.includeGlobs, options.excludeGlobs);
  const files = new Map<string, DiscoveredFile>();
  const errors: FileError[] = [];
  const listers: Lister[] = [];
  const add = (path: string, explicit: boolean, indexRoot?: string) => {
    if (!files.get(path)?.explicit) files.set(path, indexRoot === undefined ? { path, explicit } : { path, explicit, indexRoot });
  };

  for (const given of paths) {
    const abs = resolve(options.cwd, given);
    const target = statFollowing(abs);
    if ('error' in target) {
      errors.push({ file: abs, message: target.error });
      continue;
    }
    if (target.stats.isDirectory()) {
      const listing = await listDirectory(abs, settings, errors);
      listers.push(listing.lister);
      const toCwd = prefixFrom(options.cwd, abs);
      for (const entry of listing.entries) {
        if (globs && !globs(toCwd === undefined ? entry.rel : toCwd + entry.rel)) continue;
        const path = under(abs, entry.rel);
        if (entry.kind === 'file') {
          add(path, false, entry.indexed ? abs : undefined);
        } else {
          const link = statFollowing(path);
          if ('error' in link) errors.push({ file: path, message: link.error });
        }
      }
    } else if (target.stats.isFile()) {
      add(abs, true);
    } else {
      errors.push({ file: abs, message: 'not a regular file or directory' });
    }
  }

  const sorted = [...files.values()].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  const belowSymlink = (file: DiscoveredFile) => file.indexRoot !== undefined && !settings.realDirectory(file.indexRoot, dirname(file.path));
  return { files: sorted, errors, listers, belowSymlink };
}

async function listDirectory(root: string, settings: Settings, errors: FileError[]): Promise<{ entries: Entry[]; lister: Lister }> {
  const tryGit = settings.gitignore && (settings.lister === 'git' || (settings.lister === 'auto' && existsSync(join(root, '.git'))));
  if (tryGit) {
    const entries = await listWithGit(root, settings, errors);
    if (entries) return { entries, lister: 'git' };
  }
  const above = settings.gitignore ? rulesAbove(root, errors) : [];
  return { entries: await listWithFastGlob(root, settings, errors, above), lister: 'fast-glob' };
}

/**
 * fast-glob walks the tree. Its directory reads go through `pruningReaddir`, which reads each
 * .gitignore as the walk reaches its directory and leaves out what it ignores, and the directories
 * of the exclude list, so that neither is ever entered (as git does not enter ignored directories).
 */
async function listWithFastGlob(
  root: string,
  settings: Settings,
  errors: FileError[],
  above: ReturnType<typeof rulesAbove>,
  gitignore = settings.gitignore,
): Promise<Entry[]> {
  const own = new Map<string, Ignore>();
  const matcher = gitignore ? new GitignoreMatcher(own, above, settings.includeCdkOut ? (name) => name === CDK_OUT : undefined) : undefined;
  const pruning = { root, settings, errors, own, matcher, unfiltered: false };
  let found: fg.Entry[];
  try {
    found = await fg('**', {
      cwd: root,
      dot: true,
      onlyFiles: false,
      objectMode: true,
      followSymbolicLinks: false,
      fs: { readdir: pruningReaddir(pruning) },
    });
  } catch (err) {
    errors.push({ file: root, message: `cannot list directory: ${describeFsError(err)}` });
    return [];
  }
  const entries: Entry[] = [];
  for (const entry of found) {
    // FIFOs, sockets and devices are not scripts, and opening a FIFO would block the scan.
    const kind = entry.dirent.isFile() ? 'file' : entry.dirent.isSymbolicLink() ? 'symlink' : undefined;
    if (!kind) continue;
    // Only if some directory came back without types (not on Node 20), which pruning needs.
    if (pruning.unfiltered && (isUnder(entry.path, settings.excludeNames) || matcher?.ignores(entry.path, false))) continue;
    entries.push({ rel: entry.path, kind });
  }
  return entries;
}

interface Pruning {
  readonly root: string;
  readonly settings: Settings;
  readonly errors: FileError[];
  readonly own: Map<string, Ignore>;
  readonly matcher: GitignoreMatcher | undefined;
  unfiltered: boolean;
}

type Readdir = NonNullable<NonNullable<fg.Options['fs']>['readdir']>;

/**
 * fs.readdir for fast-glob. An unreadable directory is reported and passed over (by default
 * fast-glob would abort the walk); entries that are excluded or ignored are left out.
 */
function pruningReaddir(p: Pruning): Readdir {
  return ((path: string, optionsOrCallback: unknown, maybeCallback?: unknown) => {
    const callback = (typeof optionsOrCallback === 'function' ? optionsOrCallback : maybeCallback) as (
      err: NodeJS.ErrnoException | null,
      entries: (Dirent | string)[],
    ) => void;
    const options = typeof optionsOrCallback === 'object' && optionsOrCallback !== null ? optionsOrCallback : {};
    readdir(path, options as { withFileTypes: true }, (err, entries: (Dirent | string)[]) => {
      if (err) {
        if (err.code === 'ENOENT') return callback(err, []);
        p.errors.push({ file: path, message: `cannot list directory: ${describeFsError(err)}` });
        return callback(null, []);
      }
      if (entries.length > 0 && typeof entries[0] === 'string') {
        p.unfiltered = true;
        return callback(null, entries);
      }
      const dirents = entries as Dirent[];
      const dir = path === p.root ? '' : path.startsWith(p.root + sep) ? path.slice(p.root.length + 1).split(sep).join('/') : undefined;
      if (dir === undefined) {
        p.unfiltered = true;
        return callback(null, dirents);
      }
      if (p.matcher && dirents.some((d) => d.name === '.gitignore' && d.isFile())) {
        const rules = readRules(`${path}${sep}.gitignore`, p.errors);
        if (rules) p.own.set(dir, rules);
      }
      const prefix = dir === '' ? '' : `${dir}/`;
      callback(
        null,
        dirents.filter((d) => {
          const isDirectory = d.isDirectory();
          // A `.git` file (a linked worktree's, a submodule's) is git's too.
          if ((isDirectory || d.name === '.git') && p.settings.excludeNames.has(d.name)) return false;
          return !p.matcher?.ignores(prefix + d.name, isDirectory);
        }),
      );
    });
  }) as Readdir;
}

/** A directory on the way to `rel` has one of `names`. */
function isUnder(rel: string, names: ReadonlySet<string>): boolean {
  const parts = rel.split('/');
  return parts.slice(0, -1).some((part) => names.has(part));
}

/**
 * The fast path at the top of a git work tree: `git ls-files` reads the index instead of the disk
 * and applies .gitignore itself. Tracked files are listed even when a .gitignore pattern matches
 * them (they are part of the repository, so a gate must see them); untracked files only when no
 * pattern does. Undefined when git cannot do it (not installed, not a repository, not trusted).
 */
async function listWithGit(root: string, settings: Settings, errors: FileError[]): Promise<Entry[] | undefined> {
  // Two processes at once: listing untracked files walks the work tree (most of the time), listing
  // the index does not, so the tracked files are sorted out while the walk goes on.
  const untrackedListing = gitListing(root, UNTRACKED);
  const ignoredListing = settings.includeCdkOut ? gitListing(root, ['ls-files', '-z', '--others', '--ignored', '--exclude-standard', '--directory']) : undefined;
  const tracked = await gitListing(root, TRACKED);
  if (tracked === undefined) return undefined;

  const candidates: { rel: string; kind: 'file' | 'symlink' }[] = [];
  const nested: string[] = [];
  for (const record of tracked.split('\0')) {
    if (record.length < 3) continue;
    const tag = record[0];
    const rest = record.slice(2);
    const tab = rest.indexOf('\t');
    if (tab < 0) continue;
    const rel = rest.slice(tab + 1);
    const mode = rest.slice(0, rest.indexOf(' '));
    if (tag === 'S') continue; // skip-worktree: not checked out
    else if (mode === '160000') nested.push(rel); // a submodule
    else candidates.push({ rel, kind: mode === '120000' ? 'symlink' : 'file' });
  }

  settings.onTrackedListing?.(candidates.map((c) => under(root, c.rel)));

  // A directory can be excluded by name. (Whether it is a symlink now, though the index has files
  // below it, is checked later for the files that are used: Discovery.belowSymlink.)
  const dirOk = new Map<string, boolean>([['', true]]);
  const isDirOk = (dir: string): boolean => {
    let ok = dirOk.get(dir);
    if (ok === undefined) {
      const cut = dir.lastIndexOf('/');
      ok = isDirOk(cut < 0 ? '' : dir.slice(0, cut)) && !settings.excludeNames.has(dir.slice(cut + 1));
      dirOk.set(dir, ok);
    }
    return ok;
  };
  const { realDirectory } = settings;
  const parentOf = (rel: string) => {
    const cut = rel.lastIndexOf('/');
    return cut < 0 ? '' : rel.slice(0, cut);
  };

  const entries: Entry[] = [];
  const seen = new Set<string>();
  for (const { rel, kind } of candidates) {
    if (seen.has(rel) || !isDirOk(parentOf(rel))) continue;
    seen.add(rel); // an unmerged file is listed once per stage
    // A link is looked at in discovery (to report it if broken): not through a linked directory.
    if (kind === 'symlink' && !realDirectory(root, under(root, parentOf(rel)))) continue;
    entries.push({ rel, kind, indexed: true });
  }

  const untracked = await untrackedListing;
  if (untracked === undefined) return undefined;
  for (const record of untracked.split('\0')) {
    if (record.length < 3 || record[0] !== '?') continue;
    const rel = record.slice(2);
    // A trailing slash is a nested repository, which git does not look into.
    if (rel.endsWith('/')) {
      nested.push(rel.slice(0, -1));
      continue;
    }
    // git's walk does not enter a linked directory: no other check is needed.
    if (seen.has(rel) || !isDirOk(parentOf(rel))) continue;
    seen.add(rel);
    const stats = lstatSync(under(root, rel), { throwIfNoEntry: false });
    if (stats?.isFile()) entries.push({ rel, kind: 'file' });
    else if (stats?.isSymbolicLink()) entries.push({ rel, kind: 'symlink' });
  }
  const ignoredDirs = await ignoredListing;
  if (ignoredDirs !== undefined) {
    for (const rel of ignoredDirs.split('\0')) {
      if (rel.endsWith(`${CDK_OUT}/`) && (rel === `${CDK_OUT}/` || rel.endsWith(`/${CDK_OUT}/`))) nested.push(rel.slice(0, -1));
    }
  }

  // Submodules, nested repositories and opted-in cdk.out: walked as the fallback would walk them.
  for (const dir of nested) {
    if (!isDirOk(parentOf(dir)) || settings.excludeNames.has(dir.slice(dir.lastIndexOf('/') + 1)) || !realDirectory(root, under(root, dir))) continue;
    const cdkOut = dir === CDK_OUT || dir.endsWith(`/${CDK_OUT}`);
    const abs = under(root, dir);
    const rules = cdkOut ? [] : rulesAbove(abs, errors, root);
    for (const entry of await listWithFastGlob(abs, settings, errors, rules, !cdkOut)) entries.push({ rel: `${dir}/${entry.rel}`, kind: entry.kind });
  }
  return entries;
}

function isRealDirectory(path: string): boolean {
  return lstatSync(path, { throwIfNoEntry: false })?.isDirectory() ?? false;
}

/** Whether `dir` and each directory between it and `root` (below which it lies) is a real directory; remembered. */
function realDirectoryCheck(): (root: string, dir: string) => boolean {
  const known = new Map<string, boolean>();
  const check = (root: string, dir: string): boolean => {
    if (dir === root || dir.length <= root.length) return true;
    let ok = known.get(dir);
    if (ok === undefined) {
      ok = check(root, dirname(dir)) && isRealDirectory(dir);
      known.set(dir, ok);
    }
    return ok;
  };
  return check;
}


/**
 * Include and exclude patterns, in .gitignore syntax: a pattern without a slash matches a name at
 * any depth, one with a slash is anchored, a trailing slash means a directory and all below it.
 */
function globFilter(include: readonly string[] | undefined, exclude: readonly string[] | undefined): ((rel: string) => boolean) | undefined {
  const inc = include && include.length > 0 ? parseRules(include.join('\n')) : undefined;
  const exc = exclude && exclude.length > 0 ? parseRules(exclude.join('\n')) : undefined;
  if (!inc && !exc) return undefined;
  return (rel) => (!inc || inc.ignores(rel)) && !exc?.ignores(rel);
}

/** `dir` relative to `cwd` as a prefix for walk-relative paths ('' or 'a/b/'), undefined outside cwd. */
function prefixFrom(cwd: string, dir: string): string | undefined {
  const rel = relative(cwd, dir);
  if (rel === '') return '';
  if (rel === '..' || rel.startsWith(`..${sep}`) || resolve(cwd, rel) !== dir || rel.includes(':')) return undefined;
  return `${sep === '/' ? rel : rel.split(sep).join('/')}/`;
}

/** `root` joined with a `/`-separated relative path, without path.join's normalising (100,000 times). */
function under(root: string, rel: string): string {
  const native = sep === '/' ? rel : rel.split('/').join(sep);
  return root.endsWith(sep) ? root + native : root + sep + native;
}
