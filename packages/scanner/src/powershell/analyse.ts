import { classifyHeader, classifyUrl, judgeRequest, TOKEN_HEADER, type Edit, type Verdict } from '@imds-guard/core';
import type { Node } from 'web-tree-sitter';
import { findingsForVerdict as shellFindingsForVerdict, type RawFinding, type VerdictFinding } from '../bash/analyse.js';
import { bindCall, functionsByName } from './calls.js';
import { assignedTo, DotNetRequests } from './dotnet.js';
import { insertBefore } from '../bash/fixes.js';
import { addHeader, enclosingStatement, tokenFetchLine, tokenHeader, ttlHeader, TOKEN_VARIABLE } from './fixes.js';
import { commandRequests, type PowerShellRequest } from './requests.js';
import { descendants, enclosingFunction, unwrap } from './syntax.js';
import { Values } from './values.js';

interface Judged {
  readonly request: PowerShellRequest;
  readonly verdict: Verdict;
}

interface FirstRequest {
  readonly statement: Node;
  readonly host: string;
}

interface TokenVariable {
  readonly name: string;
  readonly assignment: Node;
  readonly fn: Node | null;
}

/** Finds the IMDS requests of one PowerShell script and judges each with core's judgeRequest. */
export class PowerShellAnalysis {
  private readonly values: Values;
  private readonly requests: PowerShellRequest[];
  /** Calls of the script's own functions, by function. */
  private readonly calls = new Map<number, Node[]>();

  constructor(
    root: Node,
    private readonly text: string,
  ) {
    this.values = new Values(root);
    const nodes = descendants(root, new Set(['command', 'invokation_expression', 'assignment_expression']));
    const dotnet = new DotNetRequests(
      this.values,
      nodes.filter((n) => n.type === 'invokation_expression'),
      nodes.filter((n) => n.type === 'assignment_expression'),
    );
    const commands = nodes.filter((n) => n.type === 'command');
    this.requests = [...commands.flatMap((c) => commandRequests(c, this.values)), ...dotnet.requests()].sort(
      (a, b) => a.site.startIndex - b.site.startIndex,
    );
    const byName = functionsByName(this.values.functions);
    for (const c of commands) {
      const fn = byName.get(c.childForFieldName('command_name')?.text.toLowerCase() ?? '');
      if (fn) this.calls.set(fn.id, [...(this.calls.get(fn.id) ?? []), c]);
    }
  }

  run(): RawFinding[] {
    const judged: Judged[] = [];
    const atCallers: RawFinding[] = [];
    for (const request of this.requests) {
      const verdict = judgeRequest(request);
      const fn = enclosingFunction(this.values.functions, request.site);
      const calls = fn ? (this.calls.get(fn.id) ?? []) : [];
      const unsure = verdict.kind === 'unknown-target' || verdict.kind === 'cannot-determine';
      if (fn && unsure && calls.length > 0 && request.kind !== 'dotnet' && this.usesParameters(request.site, fn)) {
        atCallers.push(...this.judgeAtCalls(request, fn, calls));
      } else {
        judged.push({ request, verdict });
      }
    }
    return [...this.report(judged), ...atCallers];
  }

  /** Whether a call names one of `fn`'s parameters (`$Path`, `${Path}`, `$($Path)` all hold `$path`). */
  private usesParameters(site: Node, fn: Node): boolean {
    const text = site.text.toLowerCase();
    return this.values.parametersOf(fn).some((p) => new RegExp(`\\$\\{?${escape(p.name)}(?![\\w?:])`).test(text));
  }

  /**
   * A request whose target or headers come from the function's parameters is judged at each call
   * of the function, with the arguments of that call (one level deep), and reported there.
   */
  private judgeAtCalls(request: PowerShellRequest, fn: Node, calls: readonly Node[]): RawFinding[] {
    const out: RawFinding[] = [];
    for (const call of calls) {
      const args = bindCall(call, this.values.parametersOf(fn));
      if (!args) continue;
      const seen = new Set<string>();
      for (const bound of commandRequests(request.site, this.values.withArguments(fn, args))) {
        for (const f of findingsForVerdict({ request: bound, verdict: judgeRequest(bound) })) {
          if (seen.has(f.messageId)) continue;
          seen.add(f.messageId);
          out.push({ ...f, start: call.startIndex, end: call.endIndex });
        }
      }
    }
    return out;
  }

  private report(judged: Judged[]): RawFinding[] {
    const tokens = this.tokenVariables(judged);
    // One token fetch per scope, before its first request and for that request's address.
    const firstInScope = new Map<number, FirstRequest>();
    for (const j of judged) {
      if (!needsTokenFetch(j) || this.tokenFor(tokens, j.request.site)) continue;
      const { statement, scope } = enclosingStatement(j.request.site);
      const first = firstInScope.get(scope.id);
      const host = classifyUrl(j.request.url);
      if (!first || statement.startIndex < first.statement.startIndex) firstInScope.set(scope.id, { statement, host: host.kind === 'imds' ? host.host : '' });
    }
    const findings: RawFinding[] = [];
    for (const j of judged) {
      for (const f of findingsForVerdict(j)) {
        const edits = fixable(j.request) ? this.fix(j, f.messageId, tokens, firstInScope) : undefined;
        findings.push({ ...f, start: j.request.site.startIndex, end: j.request.site.endIndex, ...(edits ? { edits } : {}) });
      }
    }
    return findings;
  }

  private fix(j: Judged, messageId: string, tokens: TokenVariable[], firstInScope: Map<number, FirstRequest>): Edit[] | undefined {
    const r = j.request;
    switch (messageId) {
      case 'missingToken': {
        const existing = this.tokenFor(tokens, r.site);
        const header = addHeader(r, tokenHeader(existing ?? TOKEN_VARIABLE));
        if (!header || existing) return header;
        const first = firstInScope.get(enclosingStatement(r.site).scope.id)!;
        return [insertBefore(this.text, first.statement, tokenFetchLine(first.host)), ...header];
      }
      case 'missingTtl':
        return addHeader(r, ttlHeader());
      case 'tokenPathGet': {
        const method = r.binding?.named.get('Method')?.value ?? r.binding?.named.get('CustomMethod')?.value;
        const ttl = r.headers.some((h) => classifyHeader(h).kind === 'ttl') ? undefined : ttlHeader();
        const header = addHeader(r, ttl, method ? '' : '-Method PUT');
        return header && (method ? [{ start: method.startIndex, end: method.endIndex, text: 'PUT' }, ...header] : header);
      }
      case 'misspelledToken': {
        const entry = r.headerTable?.entries.find((e) => misspelled(j.verdict) === e.key);
        const key = entry && unwrap(entry.keyNode);
        if (!key || !(key.type === 'simple_name' || key.type === 'verbatim_string_characters' || key.type === 'expandable_string_literal')) return undefined;
        return [{ start: key.startIndex, end: key.endIndex, text: `'${TOKEN_HEADER}'` }];
      }
      case 'datedTokenPath': {
        const node = r.urlNode && unwrap(r.urlNode);
        const dated = /\/(\d{4}-\d{2}-\d{2})\/api\/token/.exec(node?.text ?? '');
        if (!node || !dated || node.text.indexOf(dated[0], dated.index + 1) >= 0) return undefined;
        const at = node.startIndex + dated.index + 1;
        return [{ start: at, end: at + dated[1]!.length, text: 'latest' }];
      }
      default:
        return undefined;
    }
  }

  /**
   * Variables holding a token from a valid token PUT: `$t = Invoke-RestMethod -Method PUT …` (or
   * `(Invoke-WebRequest …).Content`), including the line --fix inserts.
   */
  private tokenVariables(judged: Judged[]): TokenVariable[] {
    const out: TokenVariable[] = [];
    for (const j of judged) {
      if (j.verdict.kind !== 'token-fetch' || j.verdict.problems.length > 0 || j.request.kind !== 'cmdlet') continue;
      const site = j.request.site;
      const restMethod = /^(invoke-restmethod|irm)$/i.test(j.request.client);
      const target = restMethod ? site : contentOf(site);
      const name = target && assignedTo(target);
      if (!name) continue;
      const assignment = enclosingAssignment(site);
      if (assignment) out.push({ name, assignment, fn: enclosingFunction(this.values.functions, site) });
    }
    return out;
  }

  private tokenFor(tokens: TokenVariable[], site: Node): string | undefined {
    const fn = enclosingFunction(this.values.functions, site);
    const visible = tokens.filter((t) => t.assignment.endIndex <= site.startIndex && (t.fn === null || t.fn.id === fn?.id));
    const name = visible.at(-1)?.name;
    // Keep the variable's own spelling: PowerShell does not care, readers do.
    return name && visible.at(-1)!.assignment.text.match(new RegExp(`\\$(?:script:)?(${escape(name)})`, 'i'))?.[1];
  }
}

function escape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function needsTokenFetch(j: Judged): boolean {
  return j.verdict.kind === 'v1' && j.verdict.messageId === 'missingToken' && fixable(j.request);
}

/**
 * Fixes are written for the web cmdlets. `curl` and `wget` are their aliases in Windows PowerShell
 * 5.1 but the native programs in PowerShell 7, so a bare `curl <url>` gets no fix: `-Headers`
 * would break it on one of the two. Given a cmdlet parameter (`-Uri`, `-UseBasicParsing`…), the
 * call was written for the cmdlet.
 */
function fixable(request: PowerShellRequest): boolean {
  if (request.kind !== 'cmdlet') return false;
  return !/^(curl|wget)$/i.test(request.client) || (request.binding?.named.size ?? 0) > 0;
}

function misspelled(verdict: Verdict): string | undefined {
  return verdict.kind === 'v1' && verdict.messageId === 'misspelledToken' ? verdict.header : undefined;
}

/** `(Invoke-WebRequest …).Content`: the member access that reads the token from the response. */
function contentOf(command: Node): Node | undefined {
  for (let n: Node | null = command.parent; n; n = n.parent) {
    if (n.type === 'member_access') return /\.content$/i.test(n.text) ? n : undefined;
    if (n.type === 'assignment_expression' || n.type === 'statement_list') return undefined;
  }
  return undefined;
}

function enclosingAssignment(node: Node): Node | undefined {
  for (let n: Node | null = node.parent; n; n = n.parent) {
    if (n.type === 'assignment_expression') return n;
    if (n.type === 'statement_list') return undefined;
  }
  return undefined;
}

/** As for shell, except that a .NET client has no one-line fix, which its own message says. */
function findingsForVerdict({ request, verdict }: Judged): VerdictFinding[] {
  return shellFindingsForVerdict(verdict, request).map((f) =>
    request.kind === 'dotnet' && f.messageId === 'missingToken' ? { ...f, messageId: 'dotNetClient' } : f,
  );
}
