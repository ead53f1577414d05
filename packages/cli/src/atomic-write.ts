import { randomBytes } from 'node:crypto';
import {
  closeSync,
  fchmodSync,
  fchownSync,
  fsyncSync,
  openSync,
  readFileSync,
  realpathSync,
  renameSync,
  statSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs';
import { basename, dirname, join } from 'node:path';

const UTF8_BOM = Buffer.from([0xef, 0xbb, 0xbf]);

export interface AtomicWriteOptions {
  /** Write a UTF-8 BOM before the text, as the file had one. */
  readonly bom: boolean;
  /**
   * The text (without BOM) the caller read. If the file no longer holds exactly that, an editor or
   * another tool changed it since, and overwriting would lose that change: the write is refused.
   */
  readonly expected?: string;
}

/**
 * Replaces a file so that a crash or a full disk leaves either the old or the new content, never
 * half of each: write a temporary file beside it (same file system, so rename is atomic), flush it
 * to disk, give it the original's mode and owner, then rename it over the original. A symlink is
 * resolved first so that the link stays a link and its target is what changes.
 */
export function writeFileAtomic(path: string, text: string, options: AtomicWriteOptions): void {
  const target = realpathSync(path);
  const stats = statSync(target);
  if (options.expected !== undefined) {
    const expected = Buffer.concat([options.bom ? UTF8_BOM : Buffer.alloc(0), Buffer.from(options.expected, 'utf8')]);
    if (!readFileSync(target).equals(expected)) throw new Error('the file changed after it was scanned');
  }
  const temp = join(dirname(target), `.${basename(target)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  const fd = openSync(temp, 'wx', 0o600);
  let open = true;
  try {
    writeFileSync(fd, options.bom ? Buffer.concat([UTF8_BOM, Buffer.from(text, 'utf8')]) : Buffer.from(text, 'utf8'));
    fchmodSync(fd, stats.mode & 0o7777);
    if (stats.uid !== process.getuid?.() || stats.gid !== process.getgid?.()) {
      try {
        fchownSync(fd, stats.uid, stats.gid);
      } catch {
        // Only root may give a file away; anyone else keeps their own ownership, as editors do.
      }
    }
    fsyncSync(fd);
    closeSync(fd);
    open = false;
    renameSync(temp, target);
  } catch (err) {
    if (open) closeSync(fd);
    try {
      unlinkSync(temp);
    } catch {
      // Already renamed or never created: nothing to clean up.
    }
    throw err;
  }
  syncDirectory(dirname(target));
}

/** Makes the rename itself durable; not every platform can open a directory, so best effort. */
function syncDirectory(dir: string): void {
  try {
    const fd = openSync(dir, 'r');
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  } catch {
    // The data is already safe in the file; only the rename might be replayed after a crash.
  }
}
