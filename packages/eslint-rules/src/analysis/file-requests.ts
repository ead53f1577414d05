/**
 * One analysis of a file's requests, shared by the rules that read it (no-imdsv1-request and
 * no-invalid-imds-token-request): the call sites are collected during ESLint's traversal and
 * judged by core once, at the end of the file.
 */
import type { TSESLint, TSESTree } from '@typescript-eslint/utils';
import { judgeRequest, type Verdict } from '@imds-guard/core';
import { RequestExtractor, type LegacyLibrarySite, type RequestSite } from './requests.js';
import { interestOf } from './prefilter.js';
import { Values } from './values.js';

export { mayMakeImdsRequests, REQUEST_NEEDLES } from './needles.js';

export interface JudgedRequest {
  readonly site: RequestSite;
  readonly verdict: Verdict;
}

export interface FileRequests {
  readonly extractor: RequestExtractor;
  readonly requests: readonly JudgedRequest[];
  readonly legacy: readonly LegacyLibrarySite[];
}

const cache = new WeakMap<object, FileRequests>();

/** Listeners that collect call sites, and call `done` with the judged requests at the end. */
export function requestListeners(context: Readonly<TSESLint.RuleContext<string, readonly unknown[]>>, done: (result: FileRequests) => void): TSESLint.RuleListener {
  const sourceCode = context.sourceCode;
  if (!interestOf(sourceCode).requests) return {};
  const calls: TSESTree.CallExpression[] = [];
  const imports: TSESTree.ImportDeclaration[] = [];
  return {
    CallExpression: (node) => void calls.push(node),
    ImportDeclaration: (node) => void imports.push(node),
    'Program:exit': () => {
      let result = cache.get(sourceCode.ast);
      if (!result) {
        result = analyse(sourceCode, calls, imports);
        cache.set(sourceCode.ast, result);
      }
      done(result);
    },
  };
}

function analyse(sourceCode: Readonly<TSESLint.SourceCode>, calls: readonly TSESTree.CallExpression[], imports: readonly TSESTree.ImportDeclaration[]): FileRequests {
  const extractor = new RequestExtractor(new Values(sourceCode));
  const requests: JudgedRequest[] = [];
  const legacy: LegacyLibrarySite[] = [];
  for (const node of imports) {
    const lib = extractor.legacyLibrary(node);
    if (lib) legacy.push(lib);
  }
  for (const call of calls) {
    const lib = extractor.legacyLibrary(call);
    if (lib) {
      legacy.push(lib);
      continue;
    }
    const site = extractor.extract(call);
    if (site) requests.push({ site, verdict: judgeRequest(site.model) });
  }
  return { extractor, requests, legacy };
}
