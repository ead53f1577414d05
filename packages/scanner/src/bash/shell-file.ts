import { basename, extname } from 'node:path';

const SHELL_EXTENSIONS = new Set(['.sh', '.bash', '.ksh', '.dash', '.zsh', '.bats', '.command']);
const SHELL_INTERPRETERS = new Set(['sh', 'bash', 'dash', 'ksh', 'mksh', 'zsh', 'ash', 'busybox']);

/** By extension, or by a `#!` line naming a POSIX-family shell (directly or through env). */
export function looksLikeShell(path: string, head: string): boolean {
  if (SHELL_EXTENSIONS.has(extname(path).toLowerCase())) return true;
  if (!head.startsWith('#!')) return false;
  const words = head.slice(2, head.indexOf('\n') >>> 0).trim().split(/\s+/);
  const first = basename(words[0] ?? '');
  const interpreter = first === 'env' ? basename(words.find((w, i) => i > 0 && !w.startsWith('-')) ?? '') : first;
  return SHELL_INTERPRETERS.has(interpreter);
}
