import type { TSESTree } from '@typescript-eslint/utils';
import type { MessageId } from '@imds-guard/core';
import { LaunchExtractor } from '../analysis/launches.js';
import { interestOf } from '../analysis/prefilter.js';
import { createRule, ruleMeta } from '../util/create-rule.js';

export type Options = [];
export type MessageIds = MessageId<'no-imdsv1-instance-config'>;

export default createRule<Options, MessageIds>({
  name: 'no-imdsv1-instance-config',
  meta: ruleMeta<'no-imdsv1-instance-config', Options>('no-imdsv1-instance-config', { schema: [], defaultOptions: [] }),
  create(context) {
    const sourceCode = context.sourceCode;
    if (!interestOf(sourceCode).launches) return {};
    const nodes: (TSESTree.NewExpression | TSESTree.CallExpression)[] = [];
    return {
      NewExpression: (node) => void nodes.push(node),
      CallExpression: (node) => void nodes.push(node),
      'Program:exit': () => {
        for (const finding of new LaunchExtractor(sourceCode).findings(nodes)) {
          const loc = { start: sourceCode.getLocFromIndex(finding.span.start), end: sourceCode.getLocFromIndex(finding.span.end) };
          const fix = finding.fix;
          context.report({
            loc,
            messageId: finding.messageId,
            data: finding.data,
            // Requiring tokens breaks the instances' IMDSv1 callers: offered, never applied by --fix.
            suggest: fix
              ? [{ messageId: 'suggestRequireTokens', data: { change: fix.change }, fix: (fixer) => fix.edits.map((e) => fixer.replaceTextRange(e.range, e.text)) }]
              : [],
          });
        }
      },
    };
  },
});
