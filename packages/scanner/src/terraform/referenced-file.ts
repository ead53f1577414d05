/**
 * Files a Terraform module reads itself (`file()`, `filebase64()`, `templatefile()`, the script of
 * an `external` data source): found from the path expression, read from disk, and named the way
 * the scan names files. A path that leaves the scanned tree (through `..` or a symbolic link) is
 * never read; a missing or unreadable file is not an error, it is simply not analysed.
 */
import { closeSync, fstatSync, openSync, readSync, realpathSync } from 'node:fs';
import { dirname, isAbsolute, normalize, posix, relative, resolve, sep } from 'node:path';
import type { Node } from 'web-tree-sitter';
import type { SourceFile } from '../analyser.js';
import { checkSourceBytes, decodeChecked } from '../read.js';
import { namedChildrenOf, unescapeHcl } from './hcl.js';

export interface ReferencedFile {
  /** Where it is on disk, in the form the scan uses for the files it finds (absolute). */
  readonly path: string;
  /** The name findings carry: relative to the scan's working directory, like the module's files. */
  readonly file: string;
  readonly text: string;
  readonly bom: boolean;
}

/** User data is at most 16 KiB; a file far larger than that is not user data. */
const MAX_BYTES = 1024 * 1024;

/** The path variables that name the module's own directory when Terraform runs it as the root module. */
const MODULE_DIRECTORY = new Set(['path.module', 'path.root', 'path.cwd']);

/**
 * The path a string expression names, relative to the module directory: a literal, or a template
 * whose interpolations are only `path.module` (or `path.root`/`path.cwd`, the same directory for a
 * root module). Undefined for anything computed.
 */
export function pathArgument(expression: Node): string | undefined {
  const inner = unwrap(expression);
  if (!inner) return undefined;
  const template = inner.type === 'literal_value' ? namedChildrenOf(inner)[0] : inner.type === 'template_expr' ? namedChildrenOf(inner)[0] : undefined;
  if (!template || (template.type !== 'string_lit' && template.type !== 'quoted_template')) return undefined;
  let out = '';
  for (const part of namedChildrenOf(template)) {
    if (part.type === 'quoted_template_start' || part.type === 'quoted_template_end') continue;
    if (part.type === 'template_literal') out += unescapeHcl(part.text);
    else if (part.type === 'template_interpolation' && MODULE_DIRECTORY.has(interpolated(part))) out += '.';
    else return undefined;
  }
  return out === '' ? undefined : out;
}

function unwrap(node: Node): Node | undefined {
  return node.type === 'expression' ? namedChildrenOf(node)[0] : node;
}

function interpolated(interpolation: Node): string {
  const expression = namedChildrenOf(interpolation).find((c) => c.type === 'expression');
  return expression ? expression.text.replace(/\s+/g, '') : '';
}

/**
 * Reads `rel` (relative to the directory of `from`, the module file that names it) when it stays
 * inside the scanned tree: the scan's working directory, or the module's own directory when the
 * module lies outside it.
 */
export function readReferenced(from: Pick<SourceFile, 'path' | 'file'>, rel: string): ReferencedFile | undefined {
  if (isAbsolute(rel) || /^[a-zA-Z]:/.test(rel)) return undefined;
  const moduleDir = dirname(resolve(from.path));
  const path = resolve(moduleDir, rel);
  const root = scannedRoot(from) ?? moduleDir;
  if (!inside(root, path)) return undefined;
  let real: string;
  let realRoot: string;
  try {
    real = realpathSync(path);
    realRoot = realpathSync(root);
  } catch {
    return undefined;
  }
  if (!inside(realRoot, real)) return undefined;
  const bytes = readSmallFile(real);
  if (!bytes) return undefined;
  const checked = checkSourceBytes(bytes);
  if ('message' in checked) return undefined;
  const file = posix.normalize(posix.join(posix.dirname(from.file), rel.split(sep).join('/')));
  return { path, file, text: decodeChecked(bytes, checked.bom), bom: checked.bom };
}

/** The working directory of the scan, recovered from a file's path and its display name. */
function scannedRoot(from: Pick<SourceFile, 'path' | 'file'>): string | undefined {
  const file = normalize(from.file);
  if (isAbsolute(file) || file === '..' || file.startsWith(`..${sep}`)) return undefined;
  const path = resolve(from.path);
  return path.endsWith(`${sep}${file}`) ? path.slice(0, path.length - file.length - 1) || sep : undefined;
}

function inside(root: string, path: string): boolean {
  const rel = relative(root, path);
  return rel !== '' && !isAbsolute(rel) && rel !== '..' && !rel.startsWith(`..${sep}`);
}

function readSmallFile(path: string): Uint8Array | undefined {
  let fd: number | undefined;
  try {
    fd = openSync(path, 'r');
    const stats = fstatSync(fd);
    if (!stats.isFile() || stats.size > MAX_BYTES) return undefined;
    const bytes = new Uint8Array(stats.size);
    let read = 0;
    while (read < bytes.length) {
      const n = readSync(fd, bytes, read, bytes.length - read, read);
      if (n === 0) break;
      read += n;
    }
    return bytes.subarray(0, read);
  } catch {
    return undefined;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}
