import { MAX_TOKEN_TTL, TOKEN_HEADER, TTL_HEADER, type Edit } from '@imds-guard/core';
import type { Node } from 'web-tree-sitter';
import { ancestors } from '../bash/ancestors.js';
import type { PowerShellRequest } from './requests.js';
import { namedChildren, unwrap } from './syntax.js';

export const TOKEN_VARIABLE = 'IMDSToken';

export function tokenFetchLine(host: string): string {
  const url = `http://${host.startsWith('[') ? host : '169.254.169.254'}/latest/api/token`;
  return `$${TOKEN_VARIABLE} = Invoke-RestMethod -Method PUT -Uri '${url}' -Headers @{ '${TTL_HEADER}' = '${MAX_TOKEN_TTL}' }`;
}

/** Script blocks that run in the scope that defines them, so a variable set outside is seen inside. */
const SAME_SCOPE_BLOCKS = new Set(['foreach-object', '%', 'foreach', 'where-object', '?', 'where']);

/**
 * Where a token fetch for the request at `node` goes: before the outermost statement of the
 * script, of the function, or of a script block that runs elsewhere (`Invoke-Command`,
 * `Start-Job`), whichever is nearest. `scope` identifies that place, so one fetch serves every
 * request in it. The fetch goes on into the bodies of `do` loops and `try` blocks, which always
 * run: a script that retries its first metadata read until the network is up then retries the
 * token fetch too, instead of failing at a fetch placed before the loop.
 */
export function enclosingStatement(node: Node): { statement: Node; scope: Node } {
  const path = [...ancestors(node), node];
  let scopeAt = 0;
  for (let i = 0; i < path.length; i++) {
    const p = path[i]!;
    if (p.type === 'function_statement' || (p.type === 'script_block_expression' && !runsInPlace(path.slice(0, i)))) scopeAt = i;
  }
  for (let i = scopeAt + 1; i < path.length; i++) {
    if (path[i - 1]!.type !== 'statement_list') continue;
    let at = i;
    while (
      (path[at]!.type === 'do_statement' || path[at]!.type === 'try_statement') &&
      path[at + 1]?.type === 'statement_block' &&
      path[at + 2]?.type === 'statement_list' &&
      path[at + 3]
    ) {
      at += 3;
    }
    return { statement: path[at]!, scope: path[scopeAt]! };
  }
  return { statement: node, scope: path[scopeAt]! };
}

/** A `{ … }` given to ForEach-Object or Where-Object runs in place; `above` are the block's ancestors. */
function runsInPlace(above: readonly Node[]): boolean {
  const command = above.findLast((n) => n.type === 'command');
  const name = command?.childForFieldName('command_name')?.text.toLowerCase();
  return name !== undefined && SAME_SCOPE_BLOCKS.has(name);
}


/**
 * Sends a header with a cmdlet request: a new entry in a literal `-Headers @{…}`, the variable
 * combined with one (`($h + @{…})`), or a new `-Headers` parameter; `extra` parameters go at the
 * end. Undefined when the headers come from a splatted hashtable (a second `-Headers` would be an
 * error) or from an expression we would have to rewrite.
 */
export function addHeader(request: PowerShellRequest, header: readonly [string, string] | undefined, extra = ''): Edit[] | undefined {
  if (request.splatHeaders || !request.binding) return undefined;
  if (!header) return appendParameters(request, extra);
  const entry = `'${header[0]}' = ${header[1]}`;
  const given = request.headersNode && request.binding.named.get('Headers')?.value;
  if (given) {
    const n = unwrap(given);
    if (n.type === 'hash_literal_expression') return [withEntry(n, entry), ...appendParameters(request, extra)];
    if (n.type === 'variable') return [{ start: given.startIndex, end: given.endIndex, text: `(${given.text} + @{ ${entry} })` }, ...appendParameters(request, extra)];
    return undefined;
  }
  return appendParameters(request, `-Headers @{ ${entry} }${extra ? ` ${extra}` : ''}`);
}

function appendParameters(request: PowerShellRequest, text: string): Edit[] {
  const last = request.binding?.last;
  if (!text || !last) return [];
  return [{ start: last.endIndex, end: last.endIndex, text: ` ${text}` }];
}

function withEntry(hash: Node, entry: string): Edit {
  const body = hash.namedChildren.find((c) => c?.type === 'hash_literal_body');
  const entries = body ? namedChildren(body).filter((c) => c.type === 'hash_entry') : [];
  const last = entries.at(-1);
  if (!last) {
    const open = hash.startIndex + 2;
    return { start: open, end: open, text: ` ${entry} ` };
  }
  return { start: last.endIndex, end: last.endIndex, text: last.text.trimEnd().endsWith(';') ? ` ${entry}` : `; ${entry}` };
}

export function tokenHeader(variable: string): readonly [string, string] {
  return [TOKEN_HEADER, `$${variable}`];
}

export function ttlHeader(): readonly [string, string] {
  return [TTL_HEADER, `'${MAX_TOKEN_TTL}'`];
}
