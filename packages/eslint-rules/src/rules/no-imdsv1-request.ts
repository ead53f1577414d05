import type { TSESLint } from '@typescript-eslint/utils';
import { classifyHeader, classifyUrl, describeUrl, TOKEN_HEADER, type MessageId } from '@imds-guard/core';
import { quote, type TextEdit } from '../analysis/edits.js';
import { requestListeners } from '../analysis/file-requests.js';
import { metadataServiceSuggestion, tokenHeaderSuggestion } from '../analysis/request-fixes.js';
import { createRule, ruleMeta } from '../util/create-rule.js';

export type Options = [{ reportUncertain?: boolean }];
export type MessageIds = MessageId<'no-imdsv1-request'>;

const toFixes = (fixer: TSESLint.RuleFixer, edits: readonly TextEdit[]) => edits.map((e) => fixer.replaceTextRange(e.range, e.text));

export default createRule<Options, MessageIds>({
  name: 'no-imdsv1-request',
  meta: ruleMeta<'no-imdsv1-request', Options>('no-imdsv1-request', {
    suggestions: true,
    schema: [
      {
        type: 'object',
        additionalProperties: false,
        properties: {
          reportUncertain: {
            type: 'boolean',
            description: 'Also report requests to IMDS whose headers cannot be resolved (cannotDetermine).',
          },
        },
      },
    ],
    defaultOptions: [{ reportUncertain: true }],
  }),
  create(context, [{ reportUncertain }]) {
    const sourceCode = context.sourceCode;
    return requestListeners(context, ({ extractor, requests, legacy }) => {
      for (const { node, library } of legacy) context.report({ node, messageId: 'v1OnlyLibrary', data: { library } });
      for (const { site, verdict } of requests) {
        const data = { client: site.client, url: describeUrl(site.model.url) };
        if (verdict.kind === 'cannot-determine') {
          if (reportUncertain) context.report({ node: site.node, messageId: 'cannotDetermine', data: { ...data, reason: verdict.reason } });
          continue;
        }
        if (verdict.kind !== 'v1') continue;
        if (verdict.messageId === 'misspelledToken') {
          // The header is there with a wrong name: correcting the name inside its literal is safe.
          const line = site.headers.lines.find((l) => l.nameNode && classifyHeader(`${l.name}: x`).kind === 'misspelled-token');
          const nameNode = line?.nameNode;
          context.report({
            node: site.node,
            messageId: 'misspelledToken',
            data: { ...data, header: verdict.header },
            fix: nameNode ? (fixer) => fixer.replaceText(nameNode, quote(sourceCode, TOKEN_HEADER)) : null,
          });
          continue;
        }
        const target = classifyUrl(site.model.url);
        const suggest: TSESLint.SuggestionReportDescriptor<MessageIds>[] = [];
        if (target.kind === 'imds' && (verdict.messageId === 'missingToken' || verdict.messageId === 'rootProbe')) {
          const token = tokenHeaderSuggestion(sourceCode, site, target.host);
          if (token) suggest.push({ messageId: 'suggestTokenHeader', fix: (fixer) => toFixes(fixer, token) });
          const service = verdict.messageId === 'missingToken' ? metadataServiceSuggestion(sourceCode, extractor, site, target.host, target.path) : undefined;
          if (service) suggest.push({ messageId: 'suggestMetadataService', fix: (fixer) => toFixes(fixer, service) });
        }
        context.report({ node: site.node, messageId: verdict.messageId, data, suggest });
      }
    });
  },
});
