import {
  classifyUrl,
  describeUrl,
  judgeRequest,
  TOKEN_HEADER,
  type Edit,
  type Verdict,
} from '@imds-guard/core';
import type { Node, Parser } from 'web-tree-sitter';
import { ancestors } from './ancestors.js';
import { checkAwsCli } from './aws-cli.js';
import { CLIENTS, type ClientRequest } from './clients/index.js';
import { isEmbedded, mayRun, resolveCommand, type EmbeddedScript, type ResolvedCommand } from './command-line.js';
import { Environment } from './environment.js';
import { Evaluator, type ArgItem } from './evaluate.js';
import { heredocScripts } from './heredoc.js';
import {
  addOptions,
  enclosingStatement,
  insertBefore,
  tokenFetchLine,
  tokenHeaderOption,
  ttlHeaderOption,
  TOKEN_VARIABLE,
} from './fixes.js';

/** A finding before it is given a file, a position and its final message. */
export interface RawFinding {
  readonly ruleId: 'no-imdsv1-request' | 'no-imdsv1-instance-config' | 'no-invalid-imds-token-request';
  readonly messageId: string;
  readonly data: Record<string, string>;
  readonly start: number;
  readonly end: number;
  readonly edits?: readonly Edit[];
}

interface Site {
  readonly command: Node;
  readonly fn: Node | null;
  readonly resolved?: ResolvedCommand;
  readonly embedded?: EmbeddedScript;
  readonly usedParams: boolean;
}

interface Judged {
  readonly site: Site;
  readonly request: ClientRequest;
  readonly verdict: Verdict;
}

const MAX_EMBEDDING = 2;
const MAX_CALL_DEPTH = 3;

export class ShellAnalysis {
  private readonly env: Environment;
  private readonly sites: Site[];
  private readonly findings: RawFinding[] = [];

  constructor(
    root: Node,
    private readonly text: string,
    private readonly parser: Parser,
    private readonly embedding = 0,
  ) {
    this.env = new Environment(root);
    const programs = new Set([...Object.keys(CLIENTS), 'ec2metadata', 'aws', 'cat', 'tee', ...this.env.functions.keys()]);
    this.sites = root
      .descendantsOfType('command')
      .filter((n): n is Node => n !== null && mayRun(n, programs))
      .map((c) => this.site(c));
  }

  run(): RawFinding[] {
    const accountRequiresTokens = this.sites.some((s) => isAccountDefaultRequired(s.resolved));
    const judged: Judged[] = [];
    for (const site of this.sites) {
      if (site.embedded) this.embedded(site.embedded);
      for (const script of heredocScripts(site, this.text)) this.embedded(script);
      const resolved = site.resolved;
      if (!resolved) continue;
      const client = CLIENTS[resolved.name];
      if (client) {
        for (const request of client(resolved.args)) {
          const verdict = judgeRequest(request);
          if (this.deferToCallers(site, verdict)) continue;
          judged.push({ site, request, verdict });
        }
      } else if (resolved.name === 'ec2metadata') {
        this.report('no-imdsv1-request', 'legacyClient', {}, site.command);
      } else if (resolved.name === 'aws') {
        const problem = checkAwsCli(resolved.args, accountRequiresTokens);
        if (problem) {
          const data = { resource: problem.command, reason: problem.reason ?? '', value: problem.value ?? '', context: '' };
          this.report('no-imdsv1-instance-config', problem.messageId, data, site.command, problem.edits);
        }
      } else if (this.env.functions.has(resolved.name)) {
        this.callSite(site, resolved);
      }
    }
    this.reportJudged(judged);
    return this.findings;
  }

  private site(command: Node): Site {
    const fn = this.env.functionOf(command);
    const ev = new Evaluator(this.env, fn);
    const result = resolveCommand(command, ev);
    if (!result) return { command, fn, usedParams: ev.usedParams };
    return isEmbedded(result)
      ? { command, fn, embedded: result, usedParams: ev.usedParams }
      : { command, fn, resolved: result, usedParams: ev.usedParams };
  }

  /** A request whose target or headers depend on `$1`/`"$@"` is judged at the function's callers. */
  private deferToCallers(site: Site, verdict: Verdict): boolean {
    if (!site.fn || !site.usedParams) return false;
    if (verdict.kind !== 'unknown-target' && verdict.kind !== 'cannot-determine') return false;
    return this.isCalled(site.fn);
  }

  private isCalled(fn: Node): boolean {
    const name = fn.childForFieldName('name')?.text;
    return this.sites.some((s) => s.resolved?.name === name);
  }

  private callSite(site: Site, resolved: ResolvedCommand): void {
    // A call whose own arguments come from the enclosing function's parameters is judged at that
    // function's callers instead.
    if (site.usedParams && site.fn && this.isCalled(site.fn)) return;
    const seen = new Set<string>();
    for (const { request, verdict } of this.boundVerdicts(this.env.functions.get(resolved.name)!, resolved.args, 0)) {
      for (const finding of findingsForVerdict(verdict, request)) {
        if (seen.has(finding.messageId)) continue;
        seen.add(finding.messageId);
        this.report(finding.ruleId, finding.messageId, finding.data, site.command);
      }
    }
  }

  /** The verdicts of requests inside `fn` that depend on the arguments it is called with. */
  private boundVerdicts(fn: Node, params: readonly ArgItem[], depth: number): { request: ClientRequest; verdict: Verdict }[] {
    if (depth >= MAX_CALL_DEPTH) return [];
    const out: { request: ClientRequest; verdict: Verdict }[] = [];
    for (const site of this.sites) {
      if (site.fn?.id !== fn.id || !site.usedParams || this.judgedWhereDefined(site)) continue;
      const ev = new Evaluator(this.env, fn, params);
      const resolved = resolveCommand(site.command, ev);
      if (!resolved || isEmbedded(resolved)) continue;
      const client = CLIENTS[resolved.name];
      if (client) {
        for (const request of client(resolved.args)) out.push({ request, verdict: judgeRequest(request) });
      } else if (this.env.functions.has(resolved.name)) {
        out.push(...this.boundVerdicts(this.env.functions.get(resolved.name)!, resolved.args, depth + 1));
      }
    }
    return out;
  }

  /** A request with a definite verdict without its arguments is reported where it is, not at each call. */
  private judgedWhereDefined(site: Site): boolean {
    const client = site.resolved && CLIENTS[site.resolved.name];
    if (!client) return false;
    const requests = client(site.resolved!.args);
    return requests.length > 0 && requests.every((r) => {
      const kind = judgeRequest(r).kind;
      return kind !== 'unknown-target' && kind !== 'cannot-determine';
    });
  }

  private embedded(script: EmbeddedScript): void {
    if (this.embedding >= MAX_EMBEDDING) return;
    const tree = this.parser.parse(script.text);
    if (!tree) return;
    try {
      const inner = new ShellAnalysis(tree.rootNode, script.text, this.parser, this.embedding + 1).run();
      const map = script.mapOffset;
      for (const f of inner) {
        const edits = script.fixable && map ? f.edits?.map((e) => ({ ...e, start: map(e.start), end: map(e.end) })) : undefined;
        const span = map ? { start: map(f.start), end: map(f.end) } : { start: script.command.startIndex, end: script.command.endIndex };
        this.findings.push({ ...f, ...span, edits });
      }
    } finally {
      tree.delete();
    }
  }

  private reportJudged(judged: Judged[]): void {
    const tokenVariables = this.tokenVariables(judged);
    const firstInScope = new Map<number, Node>();
    const needsToken = judged.filter((j) => j.verdict.kind === 'v1' && j.verdict.messageId === 'missingToken' && this.fixable(j.site));
    for (const j of needsToken) {
      const { statement, scope } = enclosingStatement(j.site.command);
      if (tokenVariables(j.site.command, scope)) continue;
      const first = firstInScope.get(scope.id);
      if (!first || statement.startIndex < first.startIndex) firstInScope.set(scope.id, statement);
    }
    for (const j of judged) {
      for (const finding of findingsForVerdict(j.verdict, j.request)) {
        const edits = this.fixable(j.site) ? this.fixFor(j, finding.messageId, tokenVariables, firstInScope) : undefined;
        this.report(finding.ruleId, finding.messageId, finding.data, j.site.command, edits);
      }
    }
  }

  private fixFor(
    j: Judged,
    messageId: string,
    tokenVariables: (node: Node, scope: Node) => string | undefined,
    firstInScope: Map<number, Node>,
  ): Edit[] | undefined {
    if (messageId !== 'missingToken') return this.simpleFix(j, messageId);
    const resolved = j.site.resolved!;
    const { scope } = enclosingStatement(j.site.command);
    const existing = tokenVariables(j.site.command, scope);
    const header = addOptions(resolved, tokenHeaderOption(resolved.name, existing ?? TOKEN_VARIABLE));
    if (!header) return undefined;
    if (existing) return [header];
    const host = classifyUrl(j.request.url);
    const fetch = insertBefore(this.text, firstInScope.get(scope.id)!, tokenFetchLine(host.kind === 'imds' ? host.host : ''));
    return [fetch, header];
  }

  private simpleFix(j: Judged, messageId: string): Edit[] | undefined {
    const resolved = j.site.resolved!;
    const client = resolved.name;
    let edit: Edit | undefined;
    switch (messageId) {
      case 'tokenPathGet':
        edit = addOptions(resolved, `${client === 'wget' ? '--method=PUT' : '-X PUT'} ${ttlHeaderOption(client)}`);
        break;
      case 'missingTtl':
        edit = addOptions(resolved, ttlHeaderOption(client));
        break;
      case 'ttlOutOfRange':
        return undefined;
      case 'misspelledToken':
        edit = replaceLiteral(j.request.headerItems, (value) => /aws/i.test(value) ? misspelledName(value) : undefined, TOKEN_HEADER);
        break;
      case 'datedTokenPath':
        edit = replaceLiteral([j.request.urlItem], (value) => /\/([^/]+)\/api\/token/.exec(value)?.[1], 'latest');
        break;
    }
    return edit ? [edit] : undefined;
  }

  /** Fixes are offered only where the client call is plain code of this file. */
  private fixable(site: Site): boolean {
    const r = site.resolved;
    return r !== undefined && !r.wrappers.includes('xargs') && r.nameItem.node !== undefined;
  }

  /**
   * Finds a variable already holding a token (`TOKEN=$(curl -X PUT …/api/token …)`, or the
   * `: "${IMDS_TOKEN:=$(curl …)}"` line --fix inserts) visible at `node`.
   */
  private tokenVariables(judged: Judged[]): (node: Node, scope: Node) => string | undefined {
    const assignments: { name: string; node: Node; scope: Node }[] = [];
    const assigning = (n: Node) => n.type === 'variable_assignment' || (n.type === 'expansion' && /^:?=$/.test(n.childForFieldName('operator')?.text ?? ''));
    for (const j of judged) {
      if (j.verdict.kind !== 'token-fetch' || j.verdict.problems.length > 0) continue;
      const path = ancestors(j.site.command);
      let n: Node | undefined = j.site.command;
      for (let i = path.length - 1; n && !assigning(n) && n.type !== 'program' && n.type !== 'function_definition'; i--) n = path[i];
      const name =
        n?.type === 'variable_assignment' ? n.childForFieldName('name')?.text
        : n?.type === 'expansion' ? n.namedChildren.find((c) => c?.type === 'variable_name')?.text
        : undefined;
      if (n && name) assignments.push({ name, node: n, scope: enclosingStatement(n).scope });
    }
    return (node, scope) =>
      assignments.find((a) => a.node.endIndex <= node.startIndex && (a.scope.id === scope.id || a.scope.type === 'program'))?.name;
  }

  private report(ruleId: RawFinding['ruleId'], messageId: string, data: Record<string, string>, node: Node, edits?: readonly Edit[]): void {
    this.findings.push({ ruleId, messageId, data, start: node.startIndex, end: node.endIndex, edits });
  }
}

export interface VerdictFinding {
  readonly ruleId: RawFinding['ruleId'];
  readonly messageId: string;
  readonly data: Record<string, string>;
}

/** The findings a verdict on a request gives (none for a v2 request), before they get a place. */
export function findingsForVerdict(verdict: Verdict, request: { readonly client: string; readonly url: ClientRequest['url'] }): VerdictFinding[] {
  const data = { client: request.client, url: describeUrl(request.url) };
  switch (verdict.kind) {
    case 'v1':
      return [{ ruleId: 'no-imdsv1-request', messageId: verdict.messageId, data: verdict.messageId === 'misspelledToken' ? { ...data, header: verdict.header } : data }];
    case 'cannot-determine':
      return [{ ruleId: 'no-imdsv1-request', messageId: 'cannotDetermine', data: { ...data, reason: verdict.reason } }];
    case 'token-fetch':
      return verdict.problems.map((p) => ({
        ruleId: 'no-invalid-imds-token-request',
        messageId: p.problem,
        data: p.problem === 'ttlOutOfRange' ? { ...data, ttl: p.ttl } : data,
      }));
    default:
      return [];
  }
}

function isAccountDefaultRequired(resolved: ResolvedCommand | undefined): boolean {
  if (resolved?.name !== 'aws') return false;
  const words = resolved.args.map((a) => a.values[0]);
  const at = words.indexOf('modify-instance-metadata-defaults');
  const tokens = words.findIndex((w) => w === '--http-tokens' || w === '--http-tokens=required');
  return at >= 0 && tokens >= 0 && (words[tokens] === '--http-tokens=required' || words[tokens + 1] === 'required');
}

/** Replaces a substring of a literal word in place, when the word's source text contains it verbatim. */
function replaceLiteral(items: readonly ArgItem[], pick: (value: string) => string | undefined, replacement: string): Edit | undefined {
  for (const item of items) {
    const node = item.node;
    const value = item.values[0];
    if (!node || value === undefined) continue;
    const target = pick(value);
    if (!target) continue;
    const at = node.text.indexOf(target);
    if (at < 0 || node.text.indexOf(target, at + 1) >= 0) continue;
    return { start: node.startIndex + at, end: node.startIndex + at + target.length, text: replacement };
  }
  return undefined;
}

function misspelledName(headerLine: string): string | undefined {
  const colon = headerLine.indexOf(':');
  return (colon < 0 ? headerLine : headerLine.slice(0, colon)).trim() || undefined;
}
