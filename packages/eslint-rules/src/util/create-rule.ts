/**
 * Every rule's identity comes from rules/<id>/rule.yaml through core's generated registry: the
 * docs URL, the description (the rule's title), the type, the messages, and what the fix safety
 * allows (a safe fix is an ESLint `fix`; an unsafe one is only ever offered as a suggestion).
 */
import { ESLintUtils, type TSESLint } from '@typescript-eslint/utils';
import { getRule, ruleDocsUrl, type MessageId, type RuleId } from '@imds-guard/core';

export const createRule = ESLintUtils.RuleCreator(ruleDocsUrl);

export interface ImplementationMeta<Options extends readonly unknown[]> {
  readonly schema: TSESLint.RuleMetaData<string, unknown, Options>['schema'];
  readonly defaultOptions: Options;
  /** The implementation offers suggestions besides what the fix safety implies. */
  readonly suggestions?: boolean;
}

export function ruleMeta<R extends RuleId, Options extends readonly unknown[]>(id: R, impl: ImplementationMeta<Options>) {
  const rule = getRule(id);
  if (!rule) throw new Error(`no rule ${id} in rules/`);
  const messages = Object.fromEntries(Object.entries(rule.messages).map(([key, m]) => [key, m.text])) as Record<MessageId<R>, string>;
  const fixable = rule.fix.availability !== 'none' && rule.fix.safety === 'safe';
  const hasSuggestions = (rule.fix.availability !== 'none' && rule.fix.safety === 'unsafe') || impl.suggestions === true;
  return {
    type: rule.type,
    docs: { description: rule.title },
    messages,
    schema: impl.schema,
    defaultOptions: impl.defaultOptions,
    ...(fixable ? { fixable: 'code' as const } : {}),
    ...(hasSuggestions ? { hasSuggestions: true } : {}),
  };
}
