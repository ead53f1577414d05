import { lstatSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { FileError } from '@imds-guard/core';
import fg from 'fast-glob';
import { describeFsError } from './fs-errors.js';

/** Directories that hold dependencies, build output or VCS data: never the user's own scripts. */
export const DEFAULT_EXCLUDES: readonly string[] = ['node_modules', '.git', 'dist', 'build', '.terraform', 'vendor'];

export interface DiscoverOptions {
  readonly cwd: string;
  /** Directory names skipped anywhere below a directory argument; defaults to DEFAULT_EXCLUDES. */
  readonly exclude?: readonly string[];
}

export interface DiscoveredFile {
  /** Absolute path. */
  readonly path: string;
  /** Named on the command line rather than found in a directory walk. */
  readonly explicit: boolean;
}

export interface Discovery {
  /** Regular files (or explicit symlinks to them), sorted, without duplicates. */
  readonly files: DiscoveredFile[];
  /** `file` is an absolute path here; the scan makes it relative for display. */
  readonly errors: FileError[];
}

/**
 * Turns the paths given on the command line into candidate files. Arguments are resolved through
 * symlinks (as `find -H` does) because the user named them; inside a directory walk no symlink is
 * followed, so a link to `..` cannot loop and a linked file is not scanned (or fixed) twice.
 * Links that cannot be resolved at all are still reported: they usually point at a script that
 * was moved, and silently passing over them would hide it.
 */
export async function discoverFiles(paths: readonly string[], options: DiscoverOptions): Promise<Discovery> {
  const exclude = options.exclude ?? DEFAULT_EXCLUDES;
  const files = new Map<string, DiscoveredFile>();
  const errors: FileError[] = [];
  const add = (path: string, explicit: boolean) => {
    if (!files.get(path)?.explicit) files.set(path, { path, explicit });
  };

  for (const given of paths) {
    const abs = resolve(options.cwd, given);
    const target = statFollowing(abs);
    if ('error' in target) {
      errors.push({ file: abs, message: target.error });
      continue;
    }
    if (target.stats.isDirectory()) {
      await walkDirectory(abs, exclude, add, errors);
    } else if (target.stats.isFile()) {
      add(abs, true);
    } else {
      errors.push({ file: abs, message: 'not a regular file or directory' });
    }
  }

  const sorted = [...files.values()].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  return { files: sorted, errors };
}

async function walkDirectory(
  root: string,
  exclude: readonly string[],
  add: (path: string, explicit: boolean) => void,
  errors: FileError[],
): Promise<void> {
  let entries: fg.Entry[];
  try {
    entries = await fg('**', {
      cwd: root,
      dot: true,
      onlyFiles: false,
      objectMode: true,
      followSymbolicLinks: false,
      ignore: exclude.map((name) => `**/${fg.escapePath(name)}/**`),
    });
  } catch (err) {
    errors.push({ file: root, message: `cannot list directory: ${describeFsError(err)}` });
    return;
  }
  for (const entry of entries) {
    const abs = join(root, entry.path);
    if (entry.dirent.isFile()) {
      add(abs, false);
    } else if (entry.dirent.isSymbolicLink()) {
      const target = statFollowing(abs);
      if ('error' in target) errors.push({ file: abs, message: target.error });
    }
    // Directories are walked by fast-glob itself; FIFOs, sockets and devices are not scripts and
    // opening a FIFO would block the scan.
  }
}

type StatOutcome = { stats: import('node:fs').Stats } | { error: string };

/** stat() that names the two ways a symlink can fail, which a plain ENOENT would not explain. */
function statFollowing(path: string): StatOutcome {
  try {
    return { stats: statSync(path) };
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ELOOP') return { error: 'symbolic link loop' };
    if (code === 'ENOENT' && isSymlink(path)) return { error: 'broken symlink: its target does not exist' };
    return { error: describeFsError(err) };
  }
}

function isSymlink(path: string): boolean {
  try {
    return lstatSync(path).isSymbolicLink();
  } catch {
    return false;
  }
}
