import { closeSync, constants, fstatSync, openSync, readFileSync, readSync } from 'node:fs';
import type { FileError } from '@imds-guard/core';
import { describeFsError } from './fs-errors.js';

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

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

export function readSourceFile(path: string, options: ReadOptions = {}): ReadOutcome {
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_FILE_BYTES;
  const fail = (message: string): ReadOutcome => ({ ok: false, error: { file: options.file ?? path, message } });
  let fd: number;
  try {
    fd = openNonBlocking(path);
  } catch (err) {
    return fail(`cannot read: ${describeFsError(err)}`);
  }
  try {
    const stats = fstatSync(fd);
    if (stats.isDirectory()) return fail('cannot read: is a directory');
    if (!stats.isFile()) return fail('cannot read: not a regular file (a FIFO, socket or device)');
    const tooLarge = (size: number) =>
      fail(`skipped because of its size: ${size} bytes is more than the limit of ${maxBytes} bytes`);
    if (stats.size > maxBytes) return tooLarge(stats.size);
    const bytes = readFileSync(fd);
    // The size can change between fstat and read (a log being appended to).
    if (bytes.length > maxBytes) return tooLarge(bytes.length);
    const decoded = decodeSource(bytes);
    return 'message' in decoded ? fail(decoded.message) : { ok: true, ...decoded };
  } catch (err) {
    return fail(`cannot read: ${describeFsError(err)}`);
  } finally {
    closeSync(fd);
  }
}

/** Rejects what the analysers cannot read faithfully rather than guessing an encoding. */
export function decodeSource(bytes: Uint8Array): SourceText | { message: string } {
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
  try {
    return { text: utf8.decode(bom ? bytes.subarray(3) : bytes), bom };
  } catch {
    return { message: 'not valid UTF-8; only UTF-8 text is supported' };
  }
}

/**
 * The first bytes of a file, enough for a `#!` line, decoded leniently. Any failure gives '':
 * this only decides whether a file without a shell extension is a script.
 */
export function readHead(path: string, bytes = 256): string {
  let fd: number;
  try {
    fd = openNonBlocking(path);
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

/** O_NONBLOCK so that opening a FIFO returns at once (then fstat rejects it) instead of hanging. */
function openNonBlocking(path: string): number {
  return openSync(path, constants.O_RDONLY | (constants.O_NONBLOCK ?? 0));
}

function startsWith(bytes: Uint8Array, prefix: readonly number[]): boolean {
  return prefix.every((b, i) => bytes[i] === b);
}
