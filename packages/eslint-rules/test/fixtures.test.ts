/**
 * One RuleTester case per JavaScript/TypeScript fixture and rule under test (STYLE §3): the
 * annotations of fixtures/<rule-id>/*.{js,ts,…} become the expected errors (rule, messageId,
 * line, column where given), `<name>.fixed.<ext>` the expected output of the rule's safe fixes.
 * Suggestions are left to the hand-written cases (which assert each one's output) and, for the
 * unsafe rule, to the scanner's fixture test (`.all-fixed` is every suggestion applied): the rules
 * run here with their suggestions stripped. The same files run through the scanner in
 * packages/scanner/test/fixtures.test.ts.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { InvalidTestCase, ValidTestCase } from '@typescript-eslint/rule-tester';
// The testkit is a private workspace package; its source is imported directly, as the scanner's tests do.
import { parseAnnotations } from '../../testkit/src/index.ts';
import { rules } from '../src/index.ts';
import { RuleTester } from './rule-tester.ts';

const FIXTURES = fileURLToPath(new URL('../../../fixtures/', import.meta.url));
const JS = /\.(js|mjs|cjs|jsx|ts|tsx|mts|cts)$/;
const VARIANT = /\.(all-)?fixed\.[^.]+$/;

type RuleName = keyof typeof rules;
const cases = new Map<RuleName, { valid: ValidTestCase<never[]>[]; invalid: InvalidTestCase<string, never[]>[] }>();
for (const name of Object.keys(rules) as RuleName[]) cases.set(name, { valid: [], invalid: [] });

for (const dir of readdirSync(FIXTURES, { withFileTypes: true })) {
  if (!dir.isDirectory() || !(dir.name in rules)) continue;
  for (const name of readdirSync(join(FIXTURES, dir.name)).filter((n) => JS.test(n) && !VARIANT.test(n)).sort()) {
    const path = join(FIXTURES, dir.name, name);
    const code = readFileSync(path, 'utf8');
    const annotations = parseAnnotations(code, '//');
    if (annotations.errors.length > 0) throw new Error(`${path}: ${annotations.errors.join('; ')}`);
    const underTest = new Set([dir.name, ...annotations.rulesNamed].filter((r): r is RuleName => r in rules));
    for (const rule of underTest) {
      const expected = annotations.expectations
        .filter((e) => e.ruleId === rule && (e.kind === 'ruleid' || e.kind === 'todook'))
        .sort((a, b) => a.line - b.line || (a.col ?? 0) - (b.col ?? 0));
      const filename = basename(path);
      const name = `fixtures/${dir.name}/${filename}`;
      if (expected.length === 0) {
        cases.get(rule)!.valid.push({ name, code, filename });
        continue;
      }
      const fixed = path.replace(/\.([^.]+)$/, '.fixed.$1');
      // Only the folder's rule owns the file's safe fixes; for another rule, no output is asserted.
      const output = rule === dir.name && existsSync(fixed) && rules[rule].meta.fixable ? readFileSync(fixed, 'utf8') : null;
      cases.get(rule)!.invalid.push({
        name,
        code,
        filename,
        output,
        errors: expected.map((e) => ({ ...(e.messageId ? { messageId: e.messageId } : { messageId: undefined as never }), line: e.line, ...(e.col ? { column: e.col } : {}) })),
      });
    }
  }
}

/** The rule, reporting without its suggestions. */
function withoutSuggestions<R extends { create: (context: never) => unknown }>(rule: R): R {
  return {
    ...rule,
    create(context: { report: (d: object) => void }) {
      const report = (descriptor: object) => context.report({ ...descriptor, suggest: null });
      // The context is frozen, so the proxy stands on an empty target and reads everything else from it.
      const proxy = new Proxy({}, { get: (_, key) => (key === 'report' ? report : Reflect.get(context, key, context)) });
      return rule.create(proxy as never);
    },
  };
}

const ruleTester = new RuleTester();
for (const [name, { valid, invalid }] of cases) {
  if (valid.length + invalid.length === 0) continue;
  ruleTester.run(`fixtures: ${name}`, withoutSuggestions(rules[name]) as never, { valid, invalid });
}
