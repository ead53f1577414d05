/**
 * The plugin's rules. A rule of rules/ that targets JavaScript or TypeScript keeps its
 * implementation from @imds-guard/eslint-rules for JS/TS files; for the plugin's own languages
 * every rule reports what the scanner's analysers found in the file (kept on the SourceCode by
 * `parse`), with the scan's message, position and fix. A safe fix is an ESLint fix, so
 * `eslint --fix` does what `imds-guard scan --fix` does; an unsafe one (requiring tokens on
 * instances) is a suggestion, as in the JavaScript rules.
 */
import type { Rule } from 'eslint';
import { allRules, getRule, ruleDocsUrl } from '@imds-guard/core';
import { rules as jsRules, ruleMeta } from '@imds-guard/eslint-rules';
import { ImdsSourceCode } from './languages/source-code.js';

export const NAMESPACE = 'imds-guard';

/** The language ids rules declare, with the plugin's namespace (ESLint also matches them when the plugin is registered under another name). */
export const LANGUAGE_IDS = ['sh', 'terraform', 'cloudformation'].map((l) => `${NAMESPACE}/${l}`);

const JS_TARGETS = new Set(['javascript', 'typescript']);

type RuleModule = Rule.RuleModule & { meta: NonNullable<Rule.RuleModule['meta']> };

function reportFindings(context: Rule.RuleContext, ruleId: string, meta: RuleModule['meta']): void {
  const source = context.sourceCode as unknown as ImdsSourceCode;
  for (const finding of source.findings) {
    if (finding.ruleId !== ruleId) continue;
    const loc = { start: source.getLocFromIndex(finding.start), end: source.getLocFromIndex(finding.end) };
    const fix = finding.fix;
    const apply = fix && ((fixer: Rule.RuleFixer) => fix.edits.map((e) => fixer.replaceTextRange([e.start, e.end], e.text)));
    const asFix = fix?.safety === 'safe' && meta.fixable !== undefined;
    const asSuggestion = fix !== undefined && !asFix && meta.hasSuggestions === true;
    context.report({
      loc,
      message: finding.message,
      ...(asFix ? { fix: apply } : {}),
      ...(asSuggestion ? { suggest: [{ desc: fix.description, fix: apply! }] } : {}),
    });
  }
}

function languageRule(id: string): RuleModule {
  const jsRule = (jsRules as unknown as Record<string, RuleModule | undefined>)[id];
  const base = jsRule?.meta ?? (ruleMeta(id as never, { schema: [], defaultOptions: [] }) as unknown as RuleModule['meta']);
  const meta = {
    ...base,
    docs: { ...base.docs, url: ruleDocsUrl(id) },
    languages: [...(jsRule ? ['js/js'] : []), ...LANGUAGE_IDS],
  } as RuleModule['meta'];
  return {
    meta,
    create(context) {
      if (context.sourceCode instanceof ImdsSourceCode) {
        return { [context.sourceCode.ast.type]: () => reportFindings(context, id, meta) };
      }
      return jsRule ? jsRule.create(context) : {};
    },
  };
}

/** Every rule of rules/ that the scanner or the JS/TS rules implement, by id. */
export const rules: Record<string, RuleModule> = Object.fromEntries(
  allRules()
    .filter((r) => r.id in jsRules || r.targets.some((t) => !JS_TARGETS.has(t)))
    .map((r) => [r.id, languageRule(r.id)]),
);

/** The rules the JavaScript/TypeScript config turns on: exactly those with a JS/TS implementation. */
export const JS_RULE_IDS = Object.keys(jsRules);

export function severityOf(id: string): 'error' | 'warn' {
  return getRule(id)?.severity === 'error' ? 'error' : 'warn';
}
