/**
 * Which of the plugin's analyses a file can matter to, decided once per file from its text: one
 * case-insensitive scan for every needle of every rule (most files have none, and then no rule
 * does any work), and the precise per-analysis tests only for the rare files that match.
 */
import type { TSESLint } from '@typescript-eslint/utils';
import { LAUNCH_NEEDLES, mayConfigureInstances, mayMakeImdsRequests, REQUEST_NEEDLES } from './needles.js';

export interface Interest {
  readonly requests: boolean;
  readonly launches: boolean;
}

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const ANY = new RegExp([...REQUEST_NEEDLES, ...LAUNCH_NEEDLES].map(escape).join('|'), 'i');
const NONE: Interest = { requests: false, launches: false };
const cache = new WeakMap<object, Interest>();

export function interestOf(sourceCode: Readonly<TSESLint.SourceCode>): Interest {
  let interest = cache.get(sourceCode.ast);
  if (!interest) {
    const text = sourceCode.text;
    interest = ANY.test(text) ? { requests: mayMakeImdsRequests(text), launches: mayConfigureInstances(text) } : NONE;
    cache.set(sourceCode.ast, interest);
  }
  return interest;
}
