import { ruleMetas } from './generated/rules.js';
import type { RuleMeta, Severity } from './rule-meta.js';

export type RuleId = keyof typeof ruleMetas;
export type MessageId<R extends RuleId> = keyof (typeof ruleMetas)[R]['messages'] & string;

export const DOCS_BASE = 'https://github.com/imds-guard/imds-guard/blob/main/rules';

export function ruleDocsUrl(id: string): string {
  return `${DOCS_BASE}/${id}/README.md`;
}

export function allRules(): RuleMeta[] {
  return Object.values(ruleMetas);
}

export function getRule(id: string): RuleMeta | undefined {
  return (ruleMetas as Record<string, RuleMeta>)[id];
}

/** Fills a rule message's `{{placeholders}}`; a placeholder without data is a programming error. */
export function formatMessage<R extends RuleId>(
  ruleId: R,
  messageId: MessageId<R>,
  data: Record<string, string> = {},
): { message: string; severity: Severity } {
  const rule = ruleMetas[ruleId] as RuleMeta;
  const msg = rule.messages[messageId];
  if (!msg) throw new Error(`rule ${ruleId} has no message ${messageId}`);
  const message = msg.text.replace(/\{\{\s*(\w+)\s*\}\}/g, (_, key: string) => {
    const value = data[key];
    if (value === undefined) throw new Error(`message ${ruleId}/${messageId} needs {{${key}}}`);
    return value;
  });
  return { message, severity: msg.severity ?? rule.severity };
}
