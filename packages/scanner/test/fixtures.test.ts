/**
 * Runs every annotated fixture in fixtures/<rule-id>/ through the bash analyser (see
 * fixtures/README.md for the annotation convention):
 *   - the findings must match the annotations (strict for the folder's rule and every rule an
 *     annotation names), and the file must parse without syntax problems;
 *   - with a <name>.fixed.sh sibling, applying all safe fixes must give exactly that text, and
 *     the fixed text must offer no further safe fix; without one, no safe fix may be offered.
 * A last group checks the fixture corpus itself against the rule registry.
 */
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { allRules, applyFixes, getRule, type Finding, type Fix } from '@imds-guard/core';
import { analyseShell } from '@imds-guard/scanner';
// The testkit is a private workspace package that this package does not depend on; its source
// is imported directly.
import { compareFindings, parseAnnotations } from '../../testkit/src/index.js';

const FIXTURES = fileURLToPath(new URL('../../../fixtures/', import.meta.url));
const FIXED_SUFFIX = '.fixed.sh';

interface Fixture {
  readonly ruleDir: string;
  readonly name: string;
  readonly path: string;
  readonly relPath: string;
  readonly text: string;
  readonly fixedPath: string;
}

function ruleDirs(): string[] {
  return readdirSync(FIXTURES, { withFileTypes: true })
    .filter((d) => d.isDirectory() && d.name !== 'projects')
    .map((d) => d.name)
    .sort();
}

function shellFixtures(): Fixture[] {
  const out: Fixture[] = [];
  for (const ruleDir of ruleDirs()) {
    const names = readdirSync(`${FIXTURES}${ruleDir}`).filter((n) => n.endsWith('.sh') && !n.endsWith(FIXED_SUFFIX)).sort();
    for (const name of names) {
      const path = `${FIXTURES}${ruleDir}/${name}`;
      out.push({
        ruleDir,
        name,
        path,
        relPath: `fixtures/${ruleDir}/${name}`,
        text: readFileSync(path, 'utf8'),
        fixedPath: path.slice(0, -'.sh'.length) + FIXED_SUFFIX,
      });
    }
  }
  return out;
}

const fixtures = shellFixtures();

function safeFixes(findings: readonly Finding[]): Fix[] {
  return findings.flatMap((f) => (f.fix && f.fix.safety === 'safe' ? [f.fix] : []));
}

function describeFixes(findings: readonly Finding[]): string {
  return findings
    .filter((f) => f.fix?.safety === 'safe')
    .map((f) => `  ${f.line}:${f.column} ${f.ruleId}/${f.messageId}: ${f.fix!.description}`)
    .join('\n');
}

/** A unified-ish line diff, enough to see where the fixer and the .fixed file disagree. */
function lineDiff(expected: string, actual: string): string {
  const e = expected.split('\n');
  const a = actual.split('\n');
  const out: string[] = [];
  for (let i = 0; i < Math.max(e.length, a.length); i++) {
    if (e[i] === a[i]) continue;
    if (e[i] !== undefined) out.push(`${i + 1}- ${e[i]}`);
    if (a[i] !== undefined) out.push(`${i + 1}+ ${a[i]}`);
    if (out.length > 40) break;
  }
  return out.join('\n');
}

test('there are fixtures for the bash analyser', () => {
  assert.ok(fixtures.length > 0, `no *.sh fixtures found under ${FIXTURES}`);
});

for (const ruleDir of ruleDirs()) {
  describe(`fixtures/${ruleDir}`, () => {
    for (const fx of fixtures.filter((f) => f.ruleDir === ruleDir)) {
      describe(fx.name, () => {
        const annotations = parseAnnotations(fx.text);
        const rulesUnderTest = new Set([fx.ruleDir, ...annotations.rulesNamed]);
        const file = annotations.options?.filename ?? fx.relPath;
        let analysis: Awaited<ReturnType<typeof analyseShell>> | undefined;
        const analyse = async () => (analysis ??= await analyseShell(fx.text, file));

        test('annotations parse', () => {
          assert.deepEqual(annotations.errors, [], `${fx.relPath}: malformed annotations`);
        });

        test('findings match the annotations', async () => {
          const { findings } = await analyse();
          const mismatches = compareFindings(annotations.expectations, findings, rulesUnderTest);
          assert.ok(
            mismatches.length === 0,
            `${fx.relPath} (rules under test: ${[...rulesUnderTest].join(', ')}):\n  ${mismatches.join('\n  ')}`,
          );
        });

        test('parses without syntax problems', async () => {
          const { syntaxProblems } = await analyse();
          assert.deepEqual(syntaxProblems, [], `${fx.relPath}: tree-sitter reported syntax problems`);
        });

        if (existsSync(fx.fixedPath)) {
          test('safe fixes give the .fixed file, and nothing is left to fix', async () => {
            const { findings } = await analyse();
            const expected = readFileSync(fx.fixedPath, 'utf8');
            assert.notEqual(expected, fx.text, `${fx.fixedPath} is identical to the fixture: delete it instead`);
            const fixed = applyFixes(fx.text, safeFixes(findings)).text;
            assert.ok(
              fixed === expected,
              `applying the safe fixes of ${fx.relPath} does not give ${fx.name.replace(/\.sh$/, FIXED_SUFFIX)}:\n${lineDiff(expected, fixed)}\nsafe fixes offered:\n${describeFixes(findings) || '  (none)'}`,
            );
            const again = await analyseShell(fixed, file);
            assert.deepEqual(again.syntaxProblems, [], 'the fixed text has syntax problems');
            assert.ok(safeFixes(again.findings).length === 0, `fixing is not idempotent; still offered:\n${describeFixes(again.findings)}`);
          });
        } else {
          test('no safe fix is offered (there is no .fixed file)', async () => {
            const { findings } = await analyse();
            assert.ok(
              safeFixes(findings).length === 0,
              `${fx.relPath} has no .fixed sibling, but safe fixes are offered:\n${describeFixes(findings)}`,
            );
          });
        }
      });
    }
  });
}

describe('fixture corpus consistency', () => {
  const parsed = fixtures.map((fx) => ({ fx, annotations: parseAnnotations(fx.text) }));

  test('every fixture folder is named after a rule', () => {
    const unknown = ruleDirs().filter((d) => getRule(d) === undefined);
    assert.deepEqual(unknown, [], 'fixture folders without a rule');
  });

  test('every annotation names an existing rule and message', () => {
    const problems: string[] = [];
    for (const { fx, annotations } of parsed) {
      for (const e of annotations.expectations) {
        const rule = getRule(e.ruleId);
        if (!rule) {
          problems.push(`${fx.relPath}:${e.annotationLine}: unknown rule ${e.ruleId}`);
        } else if (e.messageId !== undefined && !(e.messageId in rule.messages)) {
          problems.push(`${fx.relPath}:${e.annotationLine}: rule ${e.ruleId} has no message ${e.messageId} (it has ${Object.keys(rule.messages).join(', ')})`);
        }
      }
      for (const r of annotations.options?.rules ?? []) {
        if (!getRule(r)) problems.push(`${fx.relPath}:1: the fixture directive names unknown rule ${r}`);
      }
    }
    assert.deepEqual(problems, []);
  });

  test('every bash rule has at least one ruleid and one ok annotation', () => {
    const seen = new Map<string, Set<string>>();
    for (const { annotations } of parsed) {
      for (const e of annotations.expectations) {
        if (!seen.has(e.ruleId)) seen.set(e.ruleId, new Set());
        seen.get(e.ruleId)!.add(e.kind);
      }
    }
    const missing: string[] = [];
    for (const rule of allRules().filter((r) => r.targets.includes('bash'))) {
      for (const kind of ['ruleid', 'ok']) {
        if (!seen.get(rule.id)?.has(kind)) missing.push(`${rule.id}: no "${kind}" annotation in any fixture`);
      }
    }
    assert.deepEqual(missing, []);
  });

  test('no orphan .fixed files', () => {
    const orphans: string[] = [];
    for (const ruleDir of ruleDirs()) {
      for (const name of readdirSync(`${FIXTURES}${ruleDir}`).filter((n) => n.endsWith(FIXED_SUFFIX))) {
        const source = `${FIXTURES}${ruleDir}/${name.slice(0, -FIXED_SUFFIX.length)}.sh`;
        if (!existsSync(source)) orphans.push(`fixtures/${ruleDir}/${name}`);
      }
    }
    assert.deepEqual(orphans, []);
  });

  test('fixtures of rules whose fixes are all unsafe have no .fixed file', () => {
    const wrong: string[] = [];
    for (const fx of fixtures) {
      if (getRule(fx.ruleDir)?.fix.safety === 'unsafe' && existsSync(fx.fixedPath)) {
        // Only a safe fix of another rule named in the file could justify it.
        const others = [...parseAnnotations(fx.text).rulesNamed].filter((r) => r !== fx.ruleDir && getRule(r)?.fix.safety === 'safe');
        if (others.length === 0) wrong.push(fx.relPath);
      }
    }
    assert.deepEqual(wrong, []);
  });
});
