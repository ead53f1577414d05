import { lstatSync, statSync, type Stats } from 'node:fs';

/** Words a user understands for the errno codes a scan meets, instead of Node's `ENOENT: …` text. */
const MESSAGES: Record<string, string> = {
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  ENOENT: 'no such file or directory',
  ENOTDIR: 'a path component is not a directory',
  EISDIR: 'is a directory',
  ELOOP: 'symbolic link loop',
  ENAMETOOLONG: 'file name too long',
  EMFILE: 'too many open files',
  EIO: 'input/output error',
};

export function describeFsError(err: unknown): string {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  if (code && MESSAGES[code]) return MESSAGES[code];
  return err instanceof Error ? err.message : String(err);
}

export type StatOutcome = { stats: Stats } | { error: string };

/** stat() that names the two ways a symlink can fail, which a plain ENOENT would not explain. */
export function statFollowing(path: string): StatOutcome {
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
