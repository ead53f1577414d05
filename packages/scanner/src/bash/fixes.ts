import { TOKEN_HEADER, TTL_HEADER, MAX_TOKEN_TTL, type Edit } from '@imds-guard/core';
import type { Node } from 'web-tree-sitter';
import { ancestors } from './ancestors.js';
import type { ResolvedCommand } from './command-line.js';

export const TOKEN_VARIABLE = 'IMDS_TOKEN';

/**
 * The statement a token fetch goes in front of: the outermost statement around `node` that is a
 * direct child of the script or of a function body, so the token is set in that shell, not in a
 * subshell such as `$(…)` or a pipeline stage.
 */
export function enclosingStatement(node: Node): { statement: Node; scope: Node } {
  const path = ancestors(node);
  let current = node;
  for (let i = path.length - 1; i >= 0; current = path[i]!, i--) {
    const parent = path[i]!;
    if (parent.type === 'program') return { statement: current, scope: parent };
    const isFunctionBody = path[i - 1]?.type === 'function_definition' && (parent.type === 'compound_statement' || parent.type === 'subshell');
    if (isFunctionBody) return { statement: current, scope: parent };
  }
  return { statement: current, scope: current };
}

/** `: "${IMDS_TOKEN:=$(curl …)}"` sets the token once and is a no-op under `set -e` when curl fails. */
export function tokenFetchLine(host: string): string {
  const ipv6 = host.startsWith('[');
  const url = `http://${ipv6 ? host : '169.254.169.254'}/latest/api/token`;
  return `: "\${${TOKEN_VARIABLE}:=$(curl -sS${ipv6 ? ' -g' : ''} -X PUT "${url}" -H "${TTL_HEADER}: ${MAX_TOKEN_TTL}")}"`;
}

/** Inserts `line` before `statement`: on its own line when it starts one, else inline with `; `. */
export function insertBefore(text: string, statement: Node, line: string): Edit {
  const lineStart = text.lastIndexOf('\n', statement.startIndex - 1) + 1;
  const indent = text.slice(lineStart, statement.startIndex);
  if (/^[ \t]*$/.test(indent)) {
    const eol = text.includes('\r\n') ? '\r\n' : '\n';
    return { start: lineStart, end: lineStart, text: `${indent}${line}${eol}` };
  }
  return { start: statement.startIndex, end: statement.startIndex, text: `${line}; ` };
}

export function headerOption(client: string, header: string): string {
  return client === 'wget' ? `--header="${header}"` : client === 'http' ? `"${header.replace(': ', ':')}"` : `-H "${header}"`;
}

/** Adds options to a client call: after the program name, or for HTTPie after its last argument. */
export function addOptions(resolved: ResolvedCommand, options: string): Edit | undefined {
  const anchor = resolved.name === 'http' || resolved.name === 'https' ? (resolved.args[resolved.args.length - 1] ?? resolved.nameItem) : resolved.nameItem;
  const node = anchor.node;
  if (!node || !isWithin(node, resolved.command)) return undefined;
  return { start: node.endIndex, end: node.endIndex, text: ` ${options}` };
}

export function tokenHeaderOption(client: string, variable: string): string {
  return headerOption(client, `${TOKEN_HEADER}: $${variable}`);
}

export function ttlHeaderOption(client: string): string {
  return headerOption(client, `${TTL_HEADER}: ${MAX_TOKEN_TTL}`);
}

function isWithin(node: Node, outer: Node): boolean {
  return node.startIndex >= outer.startIndex && node.endIndex <= outer.endIndex;
}
