import type { Node } from 'web-tree-sitter';
import type { EmbeddedScript, ResolvedCommand } from './command-line.js';
import { looksLikeShell } from './shell-file.js';

const SHELLS = new Set(['sh', 'bash', 'dash', 'ksh', 'zsh', 'ash']);

/**
 * Heredocs that hold a script: fed to a shell (`bash <<EOF`), or written to a file that is a
 * script (`cat > /usr/local/bin/x.sh <<'EOF'`, `tee x.sh <<EOF`). Documentation heredocs such as
 * `: <<'EOF'` or `cat <<EOF` to the terminal are left alone.
 */
export function heredocScripts(site: { command: Node; resolved?: ResolvedCommand }, source: string): EmbeddedScript[] {
  const resolved = site.resolved;
  // Only these can take a script on stdin or write one; asking for `parent` costs O(depth).
  if (!resolved || !(SHELLS.has(resolved.name) || resolved.name === 'cat' || resolved.name === 'tee')) return [];
  const statement = site.command.parent;
  if (statement?.type !== 'redirected_statement' || statement.childForFieldName('body')?.id !== site.command.id) return [];
  const redirects = statement.childrenForFieldName('redirect').filter((r): r is Node => r !== null);
  const scripts: EmbeddedScript[] = [];
  for (const heredoc of redirects.filter((r) => r.type === 'heredoc_redirect')) {
    const body = heredoc.namedChildren.find((c) => c?.type === 'heredoc_body');
    if (!body) continue;
    const raw = source.slice(body.startIndex, body.endIndex);
    if (!holdsScript(resolved, redirects, raw)) continue;
    const delimiter = heredoc.namedChildren.find((c) => c?.type === 'heredoc_start')?.text ?? '';
    scripts.push(delimiter.includes("'") || delimiter.includes('"') || delimiter.includes('\\')
      ? { command: site.command, text: raw, mapOffset: (i) => body.startIndex + i, fixable: true }
      : unescapeHeredoc(site.command, raw, body.startIndex));
  }
  return scripts;
}

function holdsScript(resolved: ResolvedCommand, redirects: Node[], body: string): boolean {
  const args = resolved.args.map((a) => a.values[0] ?? '');
  if (SHELLS.has(resolved.name)) return !args.some((a) => /^-[a-z]*c/.test(a));
  let target: string | undefined;
  if (resolved.name === 'cat') {
    target = redirects.find((r) => r.type === 'file_redirect' && /^>>?$/.test(r.child(0)?.text ?? ''))?.childForFieldName('destination')?.text;
  } else if (resolved.name === 'tee') {
    target = args.find((a) => !a.startsWith('-'));
  }
  return target !== undefined && looksLikeShell(target, body.trimStart());
}

/**
 * In an unquoted heredoc the outer shell removes `\` before `$`, `` ` `` and `\` when it writes
 * the file; the written script is what gets analysed. Fixes are not offered there: inserted `$`
 * would be expanded by the outer shell at write time.
 */
function unescapeHeredoc(command: Node, raw: string, base: number): EmbeddedScript {
  let text = '';
  const origin: number[] = [];
  for (let i = 0; i < raw.length; i++) {
    if (raw[i] === '\\' && i + 1 < raw.length && '$`\\'.includes(raw[i + 1]!)) i++;
    origin.push(base + i);
    text += raw[i];
  }
  origin.push(base + raw.length);
  return { command, text, mapOffset: (i) => origin[Math.min(i, origin.length - 1)]!, fixable: false };
}
