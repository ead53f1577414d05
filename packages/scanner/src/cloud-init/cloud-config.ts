import { isMap, isScalar, isSeq, type Document, type Node } from 'yaml';
import { looksLikeShell } from '../bash/shell-file.js';
import { YamlShellBuilder } from '../ci/yaml-shell.js';
import { deref, get, parseYaml, scalarText, type ParsedYaml } from '../ci/yaml.js';
import type { EmbeddedShell } from '../embedded/shell-text.js';

/** cloud-init reads user data as cloud-config only when it starts with this line. */
export function isCloudConfigText(text: string): boolean {
  return text.startsWith('#cloud-config') && /^#cloud-config[ \t]*(\r?\n|$)/.test(text);
}

export interface CloudConfig {
  readonly parsed: ParsedYaml;
  readonly pieces: EmbeddedShell[];
}

/**
 * The shell that a cloud-config runs: `bootcmd` (every boot) and `runcmd` (first boot), each one
 * script whose lines are the list items, and the `write_files` entries that are scripts. `where`
 * is said after each piece's own context (the resource whose user data this is).
 */
export function cloudConfigPieces(host: string, where?: string): CloudConfig {
  const parsed = parseYaml(host);
  const doc = parsed.docs[0];
  const pieces: EmbeddedShell[] = [];
  const context = (own: string) => (where ? `${own}, ${where}` : own);
  if (doc && isMap(doc.contents)) {
    for (const [key, phrase] of [
      ['bootcmd', 'in the cloud-config bootcmd, which runs at every boot'],
      ['runcmd', 'in the cloud-config runcmd'],
    ] as const) {
      const piece = commandList(host, get(doc.contents, key, doc), doc)?.build({ context: context(phrase) });
      if (piece) pieces.push(piece);
    }
    pieces.push(...writtenScripts(host, get(doc.contents, 'write_files', doc), doc, context));
  }
  return { parsed, pieces };
}

/**
 * `runcmd` / `bootcmd`: cloud-init writes one shell script with a line per item. A string item is
 * that line as written; a list item is a command and its arguments, each put in single quotes.
 */
function commandList(host: string, list: Node | undefined, doc: Document): YamlShellBuilder | undefined {
  if (!isSeq(list)) return undefined;
  const builder = new YamlShellBuilder(host);
  let last: number | undefined;
  for (const raw of list.items) {
    const item = deref(raw, doc);
    if (!item?.range) continue;
    if (last !== undefined) builder.joiner(last, '\n');
    const added = isSeq(item) ? builder.argv(item) : builder.scalar(item, { item: true });
    if (added) last = item.range[1];
  }
  return builder.isEmpty ? undefined : builder;
}

/** Encodings after which the content is not the script's text. */
const PLAIN_ENCODINGS = new Set(['text/plain', 'text', 'plain']);

/**
 * `write_files` entries that are scripts: a shell `#!` line, or, without any `#!` line, a `.sh`
 * path or an executable mode. Encoded content (`b64`, `gzip`) is not read.
 */
function writtenScripts(host: string, list: Node | undefined, doc: Document, context: (own: string) => string): EmbeddedShell[] {
  if (!isSeq(list)) return [];
  const pieces: EmbeddedShell[] = [];
  for (const raw of list.items) {
    const entry = deref(raw, doc);
    const content = get(entry, 'content', doc);
    if (!isScalar(content) || typeof content.value !== 'string') continue;
    const encoding = scalarText(get(entry, 'encoding', doc))?.toLowerCase();
    if (encoding !== undefined && !PLAIN_ENCODINGS.has(encoding)) continue;
    const path = scalarText(get(entry, 'path', doc)) ?? '';
    if (!isScript(content.value, path, scalarText(get(entry, 'permissions', doc)))) continue;
    const builder = new YamlShellBuilder(host);
    if (builder.scalar(content)) pieces.push(builder.build({ context: context(`in ${path || 'a file'}, which cloud-config write_files creates`) }));
  }
  return pieces;
}

function isScript(content: string, path: string, permissions: string | undefined): boolean {
  if (content.startsWith('#!')) return looksLikeShell('', content);
  if (/\.(sh|bash)$/i.test(path)) return true;
  // Modes are octal strings ('0755'); YAML 1.1, which cloud-init reads, also makes a bare 0755 octal.
  const mode = permissions && /^0?o?[0-7]{3,4}$/i.test(permissions) ? parseInt(permissions.replace(/^0?o?/i, ''), 8) : undefined;
  return mode !== undefined && (mode & 0o111) !== 0;
}
