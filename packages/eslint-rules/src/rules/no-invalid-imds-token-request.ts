import type { TSESLint } from '@typescript-eslint/utils';
import { describeUrl, type MessageId } from '@imds-guard/core';
import type { TextEdit } from '../analysis/edits.js';
import { requestListeners } from '../analysis/file-requests.js';
import { datedPathEdits, ttlEdits } from '../analysis/request-fixes.js';
import { createRule, ruleMeta } from '../util/create-rule.js';

export type Options = [];
export type MessageIds = MessageId<'no-invalid-imds-token-request'>;

const toFixes = (fixer: TSESLint.RuleFixer, edits: readonly TextEdit[]) => edits.map((e) => fixer.replaceTextRange(e.range, e.text));

export default createRule<Options, MessageIds>({
  name: 'no-invalid-imds-token-request',
  meta: ruleMeta<'no-invalid-imds-token-request', Options>('no-invalid-imds-token-request', { schema: [], defaultOptions: [] }),
  create(context) {
    const sourceCode = context.sourceCode;
    return requestListeners(context, ({ requests }) => {
      for (const { site, verdict } of requests) {
        if (verdict.kind !== 'token-fetch') continue;
        const data = { client: site.client, url: describeUrl(site.model.url) };
        for (const problem of verdict.problems) {
          switch (problem.problem) {
            case 'datedTokenPath': {
              const edits = datedPathEdits(sourceCode, site);
              context.report({ node: site.node, messageId: 'datedTokenPath', data, fix: edits ? (fixer) => toFixes(fixer, edits) : null });
              break;
            }
            case 'missingTtl': {
              const edits = ttlEdits(sourceCode, site);
              context.report({ node: site.node, messageId: 'missingTtl', data, fix: edits ? (fixer) => toFixes(fixer, edits) : null });
              break;
            }
            case 'ttlOutOfRange':
              context.report({ node: site.node, messageId: 'ttlOutOfRange', data: { ...data, ttl: problem.ttl } });
              break;
          }
        }
      }
    });
  },
});
