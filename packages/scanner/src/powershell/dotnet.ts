import { UNRESOLVED, type Method } from '@imds-guard/core';
import type { Node } from 'web-tree-sitter';
import { ancestors } from '../bash/ancestors.js';
import { asMethod, type PowerShellRequest } from './requests.js';
import { assignedVariable, enclosingFunction, namedChildren, unwrap, variableName } from './syntax.js';
import { argumentsOf, type Values } from './values.js';

const WEB_CLIENT_TYPE = /^\[?(system\.)?net\.(webclient|http\.httpclient)\]?$/i;
const WEB_REQUEST_TYPE = /^\[(system\.)?net\.(http)?webrequest\]$/i;
/** WebClient methods that send a request, and the HTTP method each uses. */
const WEB_CLIENT_CALLS: Record<string, Method> = {
  downloadstring: 'GET', downloaddata: 'GET', downloadfile: 'GET', openread: 'GET',
  uploadstring: 'POST', uploaddata: 'POST', uploadvalues: 'POST',
  // HttpClient
  getstring: 'GET', get: 'GET', getbytearray: 'GET', getstream: 'GET', put: 'PUT',
};

interface HeaderChange {
  readonly target: string;
  readonly node: Node;
  readonly key: Node | undefined;
  readonly value: Node | undefined;
}

/**
 * Requests made through .NET classes: `(New-Object Net.WebClient).DownloadString(url)`,
 * `$httpClient.GetStringAsync(url)` and `[System.Net.WebRequest]::Create(url)`. Their headers are
 * set on the object (`.Headers.Add`, `.DefaultRequestHeaders.Add`) before the call, which we
 * follow when the object sits in a variable.
 */
export class DotNetRequests {
  private readonly headerChanges: HeaderChange[] = [];
  private readonly methodChanges: { target: string; node: Node; value: Node }[] = [];

  constructor(
    private readonly values: Values,
    private readonly invocations: readonly Node[],
    assignments: readonly Node[],
  ) {
    for (const call of invocations) {
      const member = memberOf(call)?.toLowerCase();
      const target = namedChildren(call)[0];
      const headersOf = target && headersTarget(target);
      if (headersOf && (member === 'add' || member === 'set')) {
        const [key, value] = argumentsOf(call);
        this.headerChanges.push({ target: headersOf, node: call, key, value });
      }
    }
    for (const a of assignments) {
      const left = a.namedChildren.find((c) => c?.type === 'left_assignment_expression');
      const target = left && unwrap(left);
      const value = a.childForFieldName('value');
      if (!target || !value) continue;
      if (target.type === 'element_access') {
        const [base, key] = namedChildren(target);
        const headersOf = base && headersTarget(base);
        if (headersOf) this.headerChanges.push({ target: headersOf, node: a, key, value });
      } else if (target.type === 'member_access' && memberOf(target)?.toLowerCase() === 'method') {
        const base = namedChildren(target)[0];
        const name = base && unwrap(base).type === 'variable' ? variableName(unwrap(base)) : undefined;
        if (name) this.methodChanges.push({ target: name, node: a, value });
      }
    }
  }

  requests(): PowerShellRequest[] {
    const out: PowerShellRequest[] = [];
    for (const call of this.invocations) {
      const request = this.webClient(call) ?? this.webRequest(call);
      if (request) out.push(request);
    }
    return out;
  }

  private webClient(call: Node): PowerShellRequest | undefined {
    const member = memberOf(call);
    const method = member && WEB_CLIENT_CALLS[member.toLowerCase().replace(/(task)?async$/, '')];
    const target = namedChildren(call)[0];
    if (!method || !target || !this.isWebClient(target)) return undefined;
    const args = argumentsOf(call);
    if (!args[0]) return undefined;
    const variable = unwrap(target).type === 'variable' ? variableName(unwrap(target)) : undefined;
    // UploadString(url, 'PUT', data) names its method; the two-argument form POSTs.
    const named = method === 'POST' && args.length >= 3 ? asMethod(this.values.evaluate(args[1]!)) : method;
    const type = this.isHttpClient(target) ? 'HttpClient' : 'WebClient';
    return this.request(call, `${type}.${member}`, args[0], named, variable, false);
  }

  private webRequest(call: Node): PowerShellRequest | undefined {
    const type = call.namedChildren.find((c) => c?.type === 'type_literal')?.text.replace(/\s+/g, '');
    const member = memberOf(call)?.toLowerCase();
    if (!type || !WEB_REQUEST_TYPE.test(type) || (member !== 'create' && member !== 'createhttp')) return undefined;
    const url = argumentsOf(call)[0];
    if (!url) return undefined;
    const variable = assignedTo(call);
    let method: Method = 'GET';
    const change = variable && this.methodChanges.filter((m) => m.target === variable && m.node.startIndex > call.endIndex && this.sameScope(m.node, call)).at(0);
    if (change) method = asMethod(this.values.evaluate(change.value));
    const typeName = type.replace(/^\[(system\.)?net\./i, '').replace(/\]$/, '');
    return this.request(call, `${typeName}.${memberOf(call)}`, url, method, variable, true);
  }

  /**
   * `headersAfter`: a WebRequest is sent later (GetResponse), so headers set after Create count; a
   * WebClient or HttpClient call sends at once, so only headers set before it do.
   */
  private request(call: Node, client: string, urlNode: Node, method: Method, variable: string | undefined, headersAfter: boolean): PowerShellRequest {
    const headers: string[] = [];
    let unresolvedHeaders: string | undefined;
    if (variable) {
      for (const change of this.headerChanges) {
        if (change.target !== variable || !this.sameScope(change.node, call)) continue;
        if (!headersAfter && change.node.startIndex > call.startIndex) continue;
        const key = change.key ? this.values.evaluate(change.key) : UNRESOLVED;
        if (key.includes(UNRESOLVED)) unresolvedHeaders = `a header whose name is not known is added by ${change.node.text.split('\n')[0]}`;
        else headers.push(`${key}: ${change.value ? this.values.evaluate(change.value) : ''}`);
      }
    }
    return {
      kind: 'dotnet',
      client,
      method,
      url: this.values.evaluate(urlNode),
      headers,
      ...(unresolvedHeaders ? { unresolvedHeaders } : {}),
      site: call,
      urlNode,
    };
  }

  /** Header changes count wherever they are in the same function: the object is usually set up and used in a few lines. */
  private sameScope(a: Node, b: Node): boolean {
    return enclosingFunction(this.values.functions, a)?.id === enclosingFunction(this.values.functions, b)?.id;
  }

  private isHttpClient(target: Node): boolean {
    const n = unwrap(target);
    const name = n.type === 'variable' ? variableName(n) : undefined;
    const origin = name ? this.values.lookup(name, n) : n;
    return origin !== undefined && /http\.httpclient/i.test(origin.text);
  }

  private isWebClient(target: Node, depth = 0): boolean {
    const n = unwrap(target);
    if (depth > 4) return false;
    if (n.type === 'parenthesized_expression') {
      const inner = namedChildren(n)[0];
      return inner !== undefined && this.isWebClient(inner, depth + 1);
    }
    if (n.type === 'command') {
      const name = n.childForFieldName('command_name')?.text.toLowerCase();
      const elements = n.childForFieldName('command_elements');
      const words = elements ? namedChildren(elements).filter((c) => c.type !== 'command_argument_sep') : [];
      const type = words.find((w) => w.type !== 'command_parameter');
      return name === 'new-object' && type !== undefined && WEB_CLIENT_TYPE.test(this.values.evaluate(type));
    }
    if (n.type === 'invokation_expression') {
      const type = n.namedChildren.find((c) => c?.type === 'type_literal')?.text.replace(/\s+/g, '');
      return type !== undefined && WEB_CLIENT_TYPE.test(type) && memberOf(n)?.toLowerCase() === 'new';
    }
    if (n.type === 'variable') {
      const name = variableName(n);
      const value = name && this.values.lookup(name, n);
      return value ? this.isWebClient(value, depth + 1) : false;
    }
    return false;
  }
}

function memberOf(node: Node): string | undefined {
  return node.namedChildren.find((c) => c?.type === 'member_name')?.text;
}

/** `$wc.Headers` → `wc`: the variable whose Headers collection a node is. */
function headersTarget(node: Node): string | undefined {
  const n = unwrap(node);
  const member = memberOf(n)?.toLowerCase();
  if (n.type !== 'member_access' || (member !== 'headers' && member !== 'defaultrequestheaders')) return undefined;
  const base = namedChildren(n)[0];
  return base && unwrap(base).type === 'variable' ? variableName(unwrap(base)) : undefined;
}

/** The variable a value is assigned to (`$req = [Net.WebRequest]::Create(…)`), if any. */
export function assignedTo(node: Node): string | undefined {
  const path = ancestors(node);
  for (let i = path.length - 1; i >= 0; i--) {
    const p = path[i]!;
    if (p.type === 'assignment_expression') {
      const left = p.namedChildren.find((c) => c?.type === 'left_assignment_expression');
      const variable = left && assignedVariable(left);
      return variable ? variableName(variable) : undefined;
    }
    if (!PASS_TO_ASSIGNMENT.has(p.type)) return undefined;
  }
  return undefined;
}

const PASS_TO_ASSIGNMENT = new Set([
  'pipeline', 'pipeline_chain', 'logical_expression', 'bitwise_expression', 'comparison_expression',
  'additive_expression', 'multiplicative_expression', 'format_expression', 'range_expression',
  'array_literal_expression', 'unary_expression', 'parenthesized_expression', 'cast_expression',
  'expression_with_unary_operator',
]);
