import { describeUrl, judgeRequest, LineIndex, TOKEN_HEADER, UNRESOLVED, type Edit, type Finding, type Method, type Verdict } from '@imds-guard/core';
import { isMap, isScalar, type Document, type Node, type YAMLMap } from 'yaml';
import { toFinding, type RawFinding } from '../bash/index.js';
import { appendNested, insertFirst } from './edits.js';
import { evaluateNode } from './jinja.js';
import { jinjaToShell } from './jinja-text.js';
import type { VisitedTask } from './walk.js';
import { deref, findPair, getNode, keyName, scalarText, type YamlFile } from './yaml.js';

/** Modules that send an HTTP request from the managed host, by every name they are called. */
const HTTP_MODULES = new Set(
  ['uri', 'get_url'].flatMap((m) => [m, `ansible.builtin.${m}`, `ansible.legacy.${m}`]).concat(['win_uri', 'ansible.windows.win_uri', 'win_get_url', 'ansible.windows.win_get_url']),
);

const METHODS = new Set<Method>(['GET', 'HEAD', 'PUT', 'POST']);

/**
 * `uri` and `get_url` tasks that read instance metadata are judged like any other HTTP client:
 * a request without the token header is IMDSv1. A fix is offered only when an earlier task of
 * the file fetched a token with `uri` (a PUT with `return_content` and `register`): the request
 * then gets `X-aws-ec2-metadata-token: "{{ <register>.content }}"` in its `headers`. Without such
 * a task the fix would have to add one, which changes the play more than a fix should.
 */
export function httpTaskFindings(file: YamlFile, tasks: readonly VisitedTask[]): Finding[] {
  const lines = new LineIndex(file.source.text);
  const findings: Finding[] = [];
  let token: string | undefined;
  for (const visited of tasks) {
    const call = httpCall(visited);
    if (!call) continue;
    const { verdict, raw } = judge(file, visited, call);
    if (verdict.kind === 'token-fetch' && verdict.problems.length === 0) token = registeredContent(visited, call) ?? token;
    if (!raw) continue;
    const edits = raw.messageId === 'missingToken' && token ? headerEdit(file, visited, call, token) : undefined;
    const context = visited.name ? `in task '${visited.name}'` : `in the ${call.module} task at line ${visited.line}`;
    findings.push(toFinding({ ...raw, ...(edits ? { edits: [edits] } : {}) }, file.source.file, lines, context));
  }
  return findings;
}

/** `<register>.content` of a token-fetching task that keeps the response body. */
function registeredContent({ task, doc }: VisitedTask, call: HttpCall): string | undefined {
  const register = scalarText(getNode(task, 'register', doc));
  const content = scalarText(getNode(call.args, 'return_content', doc))?.toLowerCase();
  const keeps = content !== undefined && ['true', 'yes', 'on', '1'].includes(content);
  return register && keeps && /^[A-Za-z_][A-Za-z0-9_]*$/.test(register) ? `${register}.content` : undefined;
}

/** The token header added to the task's `headers` mapping, or a new `headers` mapping. */
function headerEdit(file: YamlFile, { doc }: VisitedTask, call: HttpCall, token: string): Edit | undefined {
  const entry = `${TOKEN_HEADER}: "{{ ${token} }}"`;
  const headers = findPair(call.args, 'headers', doc);
  const existing = deref(headers?.value, doc);
  const edit = headers ? (isMap(existing) ? insertFirst(existing, file, entry) : undefined) : appendNested(call.args, file, 'headers', entry, call.key);
  return edit && { start: edit.start, end: edit.end, text: edit.text };
}

interface HttpCall {
  readonly module: string;
  readonly key: Node;
  readonly args: YAMLMap;
}

function httpCall({ task, doc }: VisitedTask): HttpCall | undefined {
  for (const pair of task.items) {
    const module = keyName(pair);
    if (!module || !HTTP_MODULES.has(module) || !isScalar(pair.key)) continue;
    const value = deref(pair.value, doc);
    const args = isMap(value) ? value : getNode(task, 'args', doc);
    return isMap(args) ? { module, key: pair.key, args } : undefined;
  }
  return undefined;
}

function judge(file: YamlFile, visited: VisitedTask, call: HttpCall): { verdict: Verdict; raw?: RawFinding } {
  const { doc } = visited;
  const urlPair = findPair(call.args, 'url', doc);
  const urlNode = deref(urlPair?.value, doc);
  const url = templated(urlNode, file, doc, visited);
  if (url === undefined) return { verdict: { kind: 'unknown-target' } };
  const method = methodOf(getNode(call.args, 'method', doc));
  const headers = headersOf(getNode(call.args, 'headers', doc), file, doc, visited);
  const verdict = judgeRequest({ client: call.module, method, url, headers: headers.lines, ...(headers.unresolved ? { unresolvedHeaders: headers.unresolved } : {}) });
  const data = { client: call.module, url: describeUrl(url) };
  const start = call.key.range![0];
  const end = urlNode?.range?.[1] ?? call.key.range![1];
  const at = { start, end: Math.max(start, end) };
  switch (verdict.kind) {
    case 'v1':
      return { verdict, raw: { ruleId: 'no-imdsv1-request', messageId: verdict.messageId, data: verdict.messageId === 'misspelledToken' ? { ...data, header: verdict.header } : data, ...at } };
    case 'cannot-determine':
      return { verdict, raw: { ruleId: 'no-imdsv1-request', messageId: 'cannotDetermine', data: { ...data, reason: verdict.reason }, ...at } };
    case 'token-fetch': {
      const problem = verdict.problems[0];
      if (!problem) return { verdict };
      return { verdict, raw: { ruleId: 'no-invalid-imds-token-request', messageId: problem.problem, data: problem.problem === 'ttlOutOfRange' ? { ...data, ttl: problem.ttl } : data, ...at } };
    }
    default:
      return { verdict };
  }
}

/** A string argument after Jinja, with unknown parts as UNRESOLVED. */
function templated(node: Node | undefined, file: YamlFile, doc: Document, visited: VisitedTask): string | undefined {
  if (!isScalar(node) || node.value === null || node.value === undefined) return undefined;
  const value = String(node.value);
  if (!/\{\{|\{%/.test(value)) return value;
  const whole = evaluateNode(node, file, doc, visited.scope);
  if (whole.ok && whole.options.length === 1 && whole.options[0]!.t === 'str') return whole.options[0]!.value;
  const resolve = (name: string) => {
    const def = visited.scope.lookup(name);
    const result = def && evaluateNode(def.node, def.file, def.doc, visited.scope);
    return result?.ok && result.options.length === 1 && result.options[0]!.t === 'str' ? result.options[0]!.value : undefined;
  };
  return jinjaToShell(value, resolve).text.replace(/\$\{__jinja_\d+\}/g, UNRESOLVED);
}

function methodOf(node: Node | undefined): Method {
  if (node === undefined) return 'GET';
  if (!isScalar(node) || typeof node.value !== 'string') return 'UNKNOWN';
  if (/\{\{|\{%/.test(node.value)) return 'UNKNOWN';
  const method = node.value.trim().toUpperCase() as Method;
  return METHODS.has(method) ? method : 'OTHER';
}

function headersOf(node: Node | undefined, file: YamlFile, doc: Document, visited: VisitedTask): { lines: string[]; unresolved?: string } {
  if (node === undefined) return { lines: [] };
  let map: YAMLMap | undefined = isMap(node) ? node : undefined;
  if (!map) {
    const result = evaluateNode(node, file, doc, visited.scope);
    if (!result.ok) return { lines: [], unresolved: `the headers cannot be resolved: ${result.reason}` };
    const only = result.options.length === 1 ? result.options[0]! : undefined;
    if (only?.t === 'omit') return { lines: [] };
    if (only?.t !== 'map') return { lines: [], unresolved: 'the headers are not a mapping' };
    map = only.node;
  }
  const lines: string[] = [];
  for (const pair of map.items) {
    const name = keyName(pair);
    if (name === undefined) return { lines, unresolved: 'a header name is not a plain string' };
    if (/\{\{|\{%/.test(name)) return { lines, unresolved: 'a header name is a template' };
    const value = deref(pair.value, doc);
    lines.push(`${name}: ${isScalar(value) ? String(value.value ?? '') : ''}`);
  }
  return { lines };
}
