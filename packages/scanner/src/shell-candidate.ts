import { extname } from 'node:path';
import { looksLikeShell } from './bash/shell-file.js';
import { readHead } from './read.js';

/**
 * Extensions whose files are never run by a shell. A directory walk meets thousands of them, and
 * opening each one only to read its first line costs more than the rest of the scan; a file named
 * on the command line is always looked at.
 */
const NOT_SHELL_EXTENSIONS = new Set([
  ...['.js', '.mjs', '.cjs', '.jsx', '.ts', '.mts', '.cts', '.tsx', '.json', '.jsonc', '.map', '.d.ts'],
  ...['.py', '.pyc', '.rb', '.go', '.rs', '.java', '.class', '.kt', '.scala', '.c', '.h', '.cc', '.cpp', '.hpp', '.cs', '.php', '.swift'],
  ...['.md', '.markdown', '.rst', '.html', '.htm', '.css', '.scss', '.svg', '.xml', '.csv', '.lock', '.pdf'],
  // Data and configuration formats that other analysers read; a `#!` line in one would be a comment.
  ...['.yaml', '.yml', '.toml', '.ini', '.tf', '.tfvars', '.hcl', '.template', '.sql', '.properties'],
  ...['.png', '.jpg', '.jpeg', '.gif', '.webp', '.ico', '.bmp', '.woff', '.woff2', '.ttf', '.otf', '.eot'],
  ...['.zip', '.gz', '.tgz', '.bz2', '.xz', '.zst', '.tar', '.jar', '.war', '.so', '.dll', '.exe', '.o', '.a', '.wasm', '.bin'],
]);

/** Decides whether a file goes to the shell analyser, reading its `#!` line only when needed. */
export function isShellCandidate(path: string, explicit: boolean): boolean {
  if (looksLikeShell(path, '')) return true;
  if (!explicit && NOT_SHELL_EXTENSIONS.has(extname(path).toLowerCase())) return false;
  return looksLikeShell(path, readHead(path));
}
