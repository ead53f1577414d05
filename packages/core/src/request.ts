import { classifyImdsPath, classifyUrl, display } from './endpoint.js';
import { classifyHeader, MAX_TOKEN_TTL } from './headers.js';

export type Method = 'GET' | 'HEAD' | 'PUT' | 'POST' | 'OTHER' | 'UNKNOWN';

/** What an analyser extracted from one HTTP call site, in any language. */
export interface RequestModel {
  readonly client: string;
  readonly method: Method;
  /** May contain UNRESOLVED markers. */
  readonly url: string;
  /** Header lines (`Name: value`), possibly with UNRESOLVED markers. */
  readonly headers: readonly string[];
  /** Set when something the analysis could not resolve may add headers. */
  readonly unresolvedHeaders?: string;
}

export type TokenProblem =
  | { readonly problem: 'datedTokenPath' }
  | { readonly problem: 'missingTtl' }
  | { readonly problem: 'ttlOutOfRange'; readonly ttl: string };

export type Verdict =
  | { readonly kind: 'not-imds'; readonly reason: string }
  | { readonly kind: 'unknown-target' }
  | { readonly kind: 'v2' }
  | { readonly kind: 'token-fetch'; readonly problems: readonly TokenProblem[] }
  | { readonly kind: 'v1'; readonly messageId: 'missingToken' | 'rootProbe' | 'tokenPathGet' }
  | { readonly kind: 'v1'; readonly messageId: 'misspelledToken'; readonly header: string }
  | { readonly kind: 'cannot-determine'; readonly reason: string };

/** The decision procedure of docs/idioms §0, written once for every analyser. */
export function judgeRequest(req: RequestModel): Verdict {
  const target = classifyUrl(req.url);
  if (target.kind === 'unknown') return { kind: 'unknown-target' };
  if (target.kind === 'not-imds') return target;
  const headers = req.headers.map(classifyHeader);
  const otherCloud = headers.find((h) => h.kind === 'other-cloud');
  if (otherCloud?.kind === 'other-cloud') return { kind: 'not-imds', reason: `a ${otherCloud.cloud} metadata request` };

  const pathKind = classifyImdsPath(target.path);
  if (req.method === 'PUT' && (pathKind === 'token' || pathKind === 'dated-token')) {
    return { kind: 'token-fetch', problems: tokenProblems(pathKind, headers, req.unresolvedHeaders !== undefined) };
  }
  if (req.method === 'UNKNOWN') return { kind: 'cannot-determine', reason: 'the HTTP method is not known' };
  if (headers.some((h) => h.kind === 'token')) return { kind: 'v2' };
  if (req.unresolvedHeaders !== undefined) return { kind: 'cannot-determine', reason: req.unresolvedHeaders };
  if (headers.some((h) => h.kind === 'unknown')) return { kind: 'cannot-determine', reason: 'a header name is not known' };
  const misspelled = headers.find((h) => h.kind === 'misspelled-token');
  if (misspelled?.kind === 'misspelled-token') return { kind: 'v1', messageId: 'misspelledToken', header: misspelled.name };
  if (pathKind === 'token' || pathKind === 'dated-token') return { kind: 'v1', messageId: 'tokenPathGet' };
  if (pathKind === 'root') return { kind: 'v1', messageId: 'rootProbe' };
  return { kind: 'v1', messageId: 'missingToken' };
}

function tokenProblems(pathKind: string, headers: ReturnType<typeof classifyHeader>[], unresolved: boolean): TokenProblem[] {
  const problems: TokenProblem[] = [];
  if (pathKind === 'dated-token') problems.push({ problem: 'datedTokenPath' });
  const ttl = headers.find((h) => h.kind === 'ttl');
  if (ttl?.kind === 'ttl') {
    if (/^\d+$/.test(ttl.value)) {
      const n = Number(ttl.value);
      if (n < 1 || n > MAX_TOKEN_TTL) problems.push({ problem: 'ttlOutOfRange', ttl: ttl.value });
    }
  } else if (!unresolved && !headers.some((h) => h.kind === 'unknown')) {
    problems.push({ problem: 'missingTtl' });
  }
  return problems;
}

export function describeUrl(url: string): string {
  const shown = display(url.trim());
  return /^[a-z][a-z0-9+.-]*:\/\//i.test(shown) ? shown : `http://${shown}`;
}
