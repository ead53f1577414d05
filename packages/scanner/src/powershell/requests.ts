import { UNRESOLVED, type Method, type RequestModel } from '@imds-guard/core';
import type { Node } from 'web-tree-sitter';
import { CLIENTS } from '../bash/clients/index.js';
import type { ArgItem } from '../bash/evaluate.js';
import { bindArguments, type Binding } from './parameters.js';
import { namedChildren, unwrap } from './syntax.js';
import type { Hashtable, Values } from './values.js';

/** The cmdlet names (and Windows PowerShell 5.1 aliases) of Invoke-WebRequest and Invoke-RestMethod. */
const WEB_CMDLETS = new Set(['invoke-restmethod', 'irm', 'invoke-webrequest', 'iwr', 'curl', 'wget']);
/** Native clients called from PowerShell, read with the shell analyser's argument parsers. */
const NATIVE: Record<string, 'curl' | 'wget'> = { 'curl.exe': 'curl', 'wget.exe': 'wget' };

export type RequestKind = 'cmdlet' | 'native' | 'dotnet';

export interface PowerShellRequest extends RequestModel {
  readonly kind: RequestKind;
  /** The node a finding is reported on: the command, or the .NET method call. */
  readonly site: Node;
  readonly binding?: Binding;
  readonly urlNode?: Node;
  /** The `-Headers` argument, and the hashtable it is or holds. */
  readonly headersNode?: Node;
  readonly headerTable?: Hashtable;
  /** Set when a splatted hashtable gives `-Headers` (a fix cannot add a second one). */
  readonly splatHeaders?: boolean;
}

/** The requests a `command` node makes, if it is a web cmdlet or a native client. */
export function commandRequests(command: Node, values: Values): PowerShellRequest[] {
  const nameNode = command.childForFieldName('command_name');
  if (!nameNode) return [];
  // `& "$env:SystemRoot\System32\curl.exe" …` names the program by a path in a string.
  const inner = nameNode.type === 'command_name_expr' ? namedChildren(nameNode)[0] : undefined;
  const written = inner && inner.type !== 'command_name' ? values.evaluate(inner) : nameNode.text;
  const name = written.toLowerCase().replace(/^microsoft\.powershell\.utility\\/, '').replace(/^.*[\\/]/, '');
  const binding = bindArguments(command);
  // In PowerShell 7 `curl`/`wget` are the native programs; options the cmdlets do not have
  // (`-s`, `-X`, `--header`) show which one a script was written for.
  const native = NATIVE[name] ?? ((name === 'curl' || name === 'wget') && binding.foreign.length > 0 ? name : undefined);
  if (native) return nativeRequests(command, native, values);
  if (!WEB_CMDLETS.has(name)) return [];
  return [cmdletRequest(command, written, binding, values)].filter((r): r is PowerShellRequest => r !== undefined);
}

function cmdletRequest(command: Node, client: string, binding: Binding, values: Values): PowerShellRequest | undefined {
  let splat: Hashtable | undefined;
  let unresolvedHeaders: string | undefined;
  for (const s of binding.splats) {
    const table = values.hashtable(s);
    if (table) splat = table;
    else unresolvedHeaders = `the parameters splatted from ${s.text} are not known, and may add headers`;
  }
  const fromSplat = (key: string) => splat?.entries.find((e) => e.key.toLowerCase() === key.toLowerCase())?.value;
  const urlNode = binding.named.get('Uri')?.value ?? binding.positional[0] ?? fromSplat('Uri');
  if (!urlNode) return undefined;
  const url = values.evaluate(urlNode);

  const methodNode = binding.named.get('CustomMethod')?.value ?? binding.named.get('Method')?.value ?? fromSplat('CustomMethod') ?? fromSplat('Method');
  const method: Method = methodNode ? asMethod(values.evaluate(methodNode)) : 'GET';

  const headersNode = binding.named.get('Headers')?.value ?? fromSplat('Headers');
  const headers: string[] = [];
  let table: Hashtable | undefined;
  if (headersNode) {
    table = values.hashtable(headersNode);
    if (table) {
      for (const e of table.entries) headers.push(`${e.key}: ${values.evaluate(e.value)}`);
      if (table.unresolved) unresolvedHeaders = table.unresolved;
    } else {
      // A string is how curl.exe takes a header, and how a mistaken script passes one.
      const text = values.evaluate(headersNode);
      if (text.includes(':') && !text.slice(0, text.indexOf(':')).includes(UNRESOLVED)) headers.push(text);
      else unresolvedHeaders = `the headers in ${headersNode.text} are not known`;
    }
  }
  const session = binding.named.get('WebSession')?.value ?? fromSplat('WebSession');
  if (session && !unresolvedHeaders) unresolvedHeaders = `the web session ${session.text} may carry headers`;
  return {
    kind: 'cmdlet',
    client,
    method,
    url,
    headers,
    ...(unresolvedHeaders ? { unresolvedHeaders } : {}),
    site: command,
    binding,
    urlNode,
    ...(headersNode ? { headersNode } : {}),
    ...(table ? { headerTable: table } : {}),
    ...(!binding.named.has('Headers') && fromSplat('Headers') ? { splatHeaders: true } : {}),
  };
}

function nativeRequests(command: Node, client: 'curl' | 'wget', values: Values): PowerShellRequest[] {
  const elements = command.childForFieldName('command_elements');
  const args: ArgItem[] = (elements ? namedChildren(elements) : [])
    .filter((n) => n.type !== 'command_argument_sep' && n.type !== 'redirection')
    .map((n) => {
      const spread = unwrap(n).type === 'variable' && n.text.startsWith('@');
      return { values: [n.type === 'command_parameter' ? n.text : values.evaluate(n)], spread };
    });
  return CLIENTS[client]!(args).map((r) => ({
    kind: 'native',
    client: client === 'curl' ? 'curl.exe' : 'wget.exe',
    method: r.method,
    url: r.url,
    headers: r.headers,
    ...(r.unresolvedHeaders ? { unresolvedHeaders: r.unresolvedHeaders } : {}),
    site: command,
  }));
}

/** `-Method Get` and friends; `Default` is GET. A value we cannot read leaves the method unknown. */
export function asMethod(text: string): Method {
  if (text.includes(UNRESOLVED)) return 'UNKNOWN';
  const upper = text.trim().toUpperCase();
  if (upper === 'DEFAULT' || upper === 'GET') return 'GET';
  return upper === 'HEAD' || upper === 'PUT' || upper === 'POST' ? upper : 'OTHER';
}
