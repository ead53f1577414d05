import { allRules, type RuleMeta } from '@imds-guard/core';

/** The prefix rules carry where they share a namespace with other tools (ESLint, SARIF viewers). */
export const RULE_PREFIX = 'imds-guard/';

/**
 * Finds a rule by any name a user may write for it: its id, with or without the `imds-guard/`
 * prefix (`no-imdsv1-request`, `imds-guard/no-imdsv1-request`), its code in any case (`IMDS001`,
 * `imds001`), or one of its old ids (`aliases`).
 */
export function findRule(name: string): RuleMeta | undefined {
  let n = name.trim();
  if (n.startsWith(RULE_PREFIX)) n = n.slice(RULE_PREFIX.length);
  if (n === '') return undefined;
  const code = n.toUpperCase();
  return allRules().find((r) => r.id === n || r.code === code || r.aliases.includes(n));
}

/** `no-imdsv1-request (IMDS001), …`: for messages that list what a user could have written. */
export function knownRuleNames(): string {
  return allRules()
    .map((r) => `${r.id} (${r.code})`)
    .join(', ');
}
