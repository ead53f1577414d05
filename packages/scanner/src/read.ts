import { isUtf8 } from 'node:buffer';
import { closeSync, constants, fstatSync, openSync, readSync } from 'node:fs';
import type { FileError } from '@imds-guard/core';
import { describeFsError, statFollowing } from './fs-errors.js';

export const DEFAULT_MAX_FILE_BYTES = 10 * 1024 * 1024;

/** Git's heuristic: a NUL byte this early means the file is not text. */
const BINARY_SNIFF_BYTES = 8 * 1024;

export interface SourceText {
  /** Decoded text without the BOM: offsets in findings and fixes count from here. */
  readonly text: string;
  /** The file starts with a UTF-8 BOM, which --fix must write back. */
  readonly bom: boolean;
}

export type ReadOutcome = ({ readonly ok: true } & SourceText) | { readonly ok: false; readonly error: FileError };

export interface ReadOptions {
  readonly maxBytes?: number;
  /** The name used in a FileError; defaults to `path`. */
  readonly file?: string;
}

export type BytesOutcome =
  | { readonly ok: true; readonly bytes: Buffer }
  | { readonly ok: false; readonly error: FileError }
  /**
   * A working symlink met with `noFollow`, passed over as a directory walk passes over links; or a
   * file that is not there, with `missingOk`.
   */
  | { readonly ok: false; readonly skipped: true };

export function readSourceFile(path: string, options: ReadOptions = {}): ReadOutcome {
  const read = readSourceBytes(path, options);
  if (!read.ok) {
    return 'error' in read ? read : { ok: false, error: { file: options.file ?? path, message: 'cannot read: a symbolic link' } };
  }
  const decoded = decodeSource(read.bytes);
  return 'message' in decoded ? { ok: false, error: { file: options.file ?? path, message: decoded.message } } : { ok: true, ...decoded };
}

/**
 * The raw bytes of a file, with the size limit applied. Synchronous reads on purpose: for many
 * small files in a warm page cache they are several times faster than `fs.promises.readFile`.
 * With `noFollow` (for files found in a directory walk) a symlink is not opened: one that appeared
 * after the listing, or that the listing took for a file, must not lead the scan out of the tree.
 */
export interface BytesOptions extends ReadOptions {
  /** Do not open a symlink (files found in a walk, which were not symlinks when listed). */
  readonly noFollow?: boolean;
  /**
   * The file is known to have been a regular file when it was listed: skip the fstat unless the
   * file is large (a directory still fails with EISDIR, and only a FIFO would read as empty).
   */
  readonly listedAsFile?: boolean;
  /**
   * Return a view of a buffer that the next call with `reuse` overwrites, instead of a buffer of
   * its own: a scan that tests the bytes at once saves an allocation per file.
   */
  readonly reuse?: boolean;
  /**
   * A file that is no longer there as a file (deleted, a directory on its way deleted, or itself a
   * directory now) is passed over, not an error: one listed from a git index and changed since.
   */
  readonly missingOk?: boolean;
}

/** The first read's size: most source files fit, and a larger one is fstat'ed for the size limit. */
const FIRST_READ = 64 * 1024;
let shared = Buffer.allocUnsafe(FIRST_READ);

export function readSourceBytes(path: string, options: BytesOptions = {}): BytesOutcome {
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_FILE_BYTES;
  const fail = (message: string): BytesOutcome => ({ ok: false, error: { file: options.file ?? path, message } });
  const tooLarge = (size: number) => fail(`skipped because of its size: ${size} bytes is more than the limit of ${maxBytes} bytes`);
  const gone = (err: unknown) => options.missingOk === true && ['ENOENT', 'ENOTDIR', 'EISDIR'].includes((err as NodeJS.ErrnoException).code ?? '');
  let fd: number;
  try {
    fd = openNonBlocking(path, options.noFollow ?? false);
  } catch (err) {
    if (options.noFollow && (err as NodeJS.ErrnoException).code === 'ELOOP') {
      // O_NOFOLLOW met a symlink: say what is wrong with it, as the walk does, or pass over it.
      const target = statFollowing(path);
      return 'error' in target ? fail(target.error) : { ok: false, skipped: true };
    }
    return gone(err) ? { ok: false, skipped: true } : fail(`cannot read: ${describeFsError(err)}`);
  }
  try {
    const checkStats = () => {
      const stats = fstatSync(fd);
      if (stats.isDirectory()) return fail('cannot read: is a directory');
      if (!stats.isFile()) return fail('cannot read: not a regular file (a FIFO, socket or device)');
      return stats.size > maxBytes ? tooLarge(stats.size) : undefined;
    };
    if (!options.listedAsFile) {
      const refused = checkStats();
      if (refused) return refused;
    }
    // Read until EOF into a growing buffer, without fstat for the common small file; the size can
    // also change between a stat and the read (a log being appended to), so the limit is applied
    // to what was read.
    let buf = options.reuse ? shared : Buffer.allocUnsafe(FIRST_READ);
    let length = 0;
    for (;;) {
      if (length === buf.length) {
        if (length === FIRST_READ && options.listedAsFile) {
          const refused = checkStats();
          if (refused) return refused;
        }
        if (length > maxBytes) return tooLarge(length);
        const bigger = Buffer.allocUnsafe(Math.min(buf.length * 2, maxBytes + 1));
        buf.copy(bigger, 0, 0, length);
        buf = bigger;
        if (options.reuse) shared = bigger;
      }
      const wanted = buf.length - length;
      const n = readSync(fd, buf, length, wanted, null);
      length += n;
      // A regular file gives less than asked only at its end: no second read to see 0 bytes.
      if (n < wanted) break;
    }
    if (length > maxBytes) return tooLarge(length);
    const bytes = buf.subarray(0, length);
    return { ok: true, bytes: options.reuse ? bytes : Buffer.from(bytes) };
  } catch (err) {
    return gone(err) ? { ok: false, skipped: true } : fail(`cannot read: ${describeFsError(err)}`);
  } finally {
    closeSync(fd);
  }
}

/**
 * Rejects what the analysers cannot read faithfully rather than guessing an encoding, without
 * decoding: a prefilter can then pass over the file without ever building its string.
 * `bom`: the text starts after a UTF-8 byte order mark.
 */
export function checkSourceBytes(bytes: Uint8Array): { readonly bom: boolean } | { readonly message: string } {
  if (startsWith(bytes, [0xff, 0xfe, 0x00, 0x00]) || startsWith(bytes, [0x00, 0x00, 0xfe, 0xff])) {
    return { message: 'UTF-32 is not supported; convert the file to UTF-8' };
  }
  if (startsWith(bytes, [0xff, 0xfe]) || startsWith(bytes, [0xfe, 0xff])) {
    return { message: 'UTF-16 is not supported; convert the file to UTF-8' };
  }
  if (bytes.subarray(0, BINARY_SNIFF_BYTES).includes(0)) {
    return { message: 'binary file (a NUL byte in the first 8 KiB); not analysed' };
  }
  const bom = startsWith(bytes, [0xef, 0xbb, 0xbf]);
  if (!isUtf8(bom ? bytes.subarray(3) : bytes)) return { message: 'not valid UTF-8; only UTF-8 text is supported' };
  return { bom };
}

/** The text of bytes that passed checkSourceBytes, without the BOM. */
export function decodeChecked(bytes: Uint8Array, bom: boolean): string {
  const buf = Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  // The bytes are valid UTF-8, so the lenient decoder gives exactly what a fatal one would.
  return buf.toString('utf8', bom ? 3 : 0);
}

/** Rejects what the analysers cannot read faithfully rather than guessing an encoding. */
export function decodeSource(bytes: Uint8Array): SourceText | { message: string } {
  const checked = checkSourceBytes(bytes);
  return 'message' in checked ? checked : { text: decodeChecked(bytes, checked.bom), bom: checked.bom };
}

/**
 * The first bytes of a file, enough for a `#!` line, decoded leniently. Any failure gives '':
 * this only decides whether a file without a shell extension is a script.
 */
export function readHead(path: string, bytes = 256): string {
  let fd: number;
  try {
    fd = openNonBlocking(path, false);
  } catch {
    return '';
  }
  try {
    if (!fstatSync(fd).isFile()) return '';
    const buf = Buffer.alloc(bytes);
    const n = readSync(fd, buf, 0, bytes, 0);
    return buf.subarray(0, n).toString('utf8');
  } catch {
    return '';
  } finally {
    closeSync(fd);
  }
}

/**
 * O_NONBLOCK so that opening a FIFO returns at once (then fstat rejects it) instead of hanging;
 * O_NOFOLLOW, when asked, so that a symlink fails with ELOOP instead of being opened.
 */
function openNonBlocking(path: string, noFollow: boolean): number {
  const flags = constants.O_RDONLY | (constants.O_NONBLOCK ?? 0) | (noFollow ? (constants.O_NOFOLLOW ?? 0) : 0);
  return openSync(path, flags);
}

function startsWith(bytes: Uint8Array, prefix: readonly number[]): boolean {
  return prefix.every((b, i) => bytes[i] === b);
}
