/**
 * Runs every annotated fixture in fixtures/<rule-id>/ through the scan, with every analyser (see
 * fixtures/README.md for the annotation convention). A fixture is a file, or a folder analysed as
 * one unit (a Terraform module):
 *   - findings must match the annotations (strict for the folder's rule and every rule an
 *     annotation names), and every file must parse without problems;
 *   - `<name>.fixed.<ext>` is the text after all safe fixes (`--fix`), `<name>.all-fixed.<ext>`
 *     after all fixes (`--fix --unsafe-fixes`), needed only where unsafe fixes exist; a folder's
 *     are in `<case>.fixed/` and `<case>.all-fixed/`, holding the files that change. Without them,
 *     no such fix may be offered;
 *   - the fully fixed files parse, and a new scan of them offers no fix at all.
 * A last group checks the fixture corpus itself against the rule registry.
 */
import assert from 'node:assert/strict';
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join, relative } from 'node:path';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { allRules, applyFixes, getRule, type Finding } from '@imds-guard/core';
import { scan, type ScanResult } from '@imds-guard/scanner';
// The testkit is a private workspace package that this package does not depend on; its source
// is imported directly.
import { compareFindings, parseAnnotations } from '../../testkit/src/index.js';

const REPO = fileURLToPath(new URL('../../../', import.meta.url));
const FIXTURES = join(REPO, 'fixtures');
const LEADERS: Record<string, string> = {
  ...{ sh: '#', bash: '#', tf: '#', tfvars: '#', hcl: '#', tpl: '#', yaml: '#', yml: '#', json: '//', template: '#' },
  ...{ js: '//', ts: '//', mjs: '//', cjs: '//', jsx: '//', tsx: '//', mts: '//', cts: '//' },
  // Files named by their kind (`web.Dockerfile`, `ci.Makefile`, `Makefile`) and unit files.
  ...{ dockerfile: '#', containerfile: '#', makefile: '#', mk: '#', service: '#', timer: '#', socket: '#', ps1: '#', psm1: '#', cfg: '#' },
};
const VARIANT = /\.(all-)?fixed(\.[^./]+)?$|\.(all-)?fixed$/;

type Safety = 'safe' | 'all';

interface FixtureFile {
  readonly path: string;
  /** Relative to the repository, as findings name it. */
  readonly file: string;
  readonly text: string;
  readonly leader: string;
}

interface Unit {
  readonly ruleDir: string;
  readonly name: string;
  readonly path: string;
  readonly isDir: boolean;
  readonly files: readonly FixtureFile[];
}

const ruleDirs = () =>
  readdirSync(FIXTURES, { withFileTypes: true })
    .filter((d) => d.isDirectory() && d.name !== 'projects')
    .map((d) => d.name)
    .sort();

function leaderOf(path: string): string | undefined {
  const name = basename(path);
  return LEADERS[name.slice(name.lastIndexOf('.') + 1).toLowerCase()];
}

function fixtureFile(path: string): FixtureFile {
  return { path, file: relative(REPO, path), text: readFileSync(path, 'utf8'), leader: leaderOf(path)! };
}

function units(): Unit[] {
  const out: Unit[] = [];
  for (const ruleDir of ruleDirs()) {
    const dir = join(FIXTURES, ruleDir);
    for (const name of readdirSync(dir).sort()) {
      const path = join(dir, name);
      if (VARIANT.test(name) || name === 'README.md') continue;
      if (statSync(path).isDirectory()) {
        const files = readdirSync(path).filter((n) => leaderOf(n)).sort().map((n) => fixtureFile(join(path, n)));
        out.push({ ruleDir, name, path, isDir: true, files });
      } else if (leaderOf(name)) {
        out.push({ ruleDir, name, path, isDir: false, files: [fixtureFile(path)] });
      }
    }
  }
  return out;
}

/** Where the expected text of `file` after fixes lives, for a file unit or a folder unit. */
function variantPath(unit: Unit, file: FixtureFile, safety: Safety): string {
  const tag = safety === 'safe' ? 'fixed' : 'all-fixed';
  if (unit.isDir) return join(`${unit.path}.${tag}`, basename(file.path));
  const dot = file.path.lastIndexOf('.');
  return `${file.path.slice(0, dot)}.${tag}${file.path.slice(dot)}`;
}

const fixesOf = (findings: readonly Finding[], safety: Safety) =>
  findings.flatMap((f) => (f.fix && (safety === 'all' || f.fix.safety === 'safe') ? [f.fix] : []));

const describeFixes = (findings: readonly Finding[], safety: Safety) =>
  findings
    .filter((f) => f.fix && (safety === 'all' || f.fix.safety === 'safe'))
    .map((f) => `  ${f.file}:${f.line}:${f.column} ${f.ruleId}/${f.messageId}: ${f.fix!.description}`)
    .join('\n') || '  (none)';

function lineDiff(expected: string, actual: string): string {
  const e = expected.split('\n');
  const a = actual.split('\n');
  const out: string[] = [];
  for (let i = 0; i < Math.max(e.length, a.length) && out.length < 40; i++) {
    if (e[i] === a[i]) continue;
    if (e[i] !== undefined) out.push(`${i + 1}- ${e[i]}`);
    if (a[i] !== undefined) out.push(`${i + 1}+ ${a[i]}`);
  }
  return out.join('\n');
}

/** Scans a copy of the unit with some files replaced, as --fix would leave them. */
async function scanReplaced(unit: Unit, replaced: ReadonlyMap<string, string>): Promise<ScanResult> {
  const root = mkdtempSync(join(tmpdir(), 'imds-guard-fixture-'));
  try {
    const target = join(root, relative(REPO, unit.path));
    cpSync(unit.path, target, { recursive: true });
    for (const [path, text] of replaced) writeFileSync(join(root, relative(REPO, path)), text);
    return await scan([relative(REPO, unit.path)], { cwd: root });
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

const all = units();

test('there are fixtures', () => {
  assert.ok(all.length > 0, `no fixtures under ${FIXTURES}`);
});

for (const unit of all) {
  describe(`fixtures/${unit.ruleDir}/${unit.name}`, () => {
    let result: ScanResult | undefined;
    const scanned = async () => (result ??= await scan([relative(REPO, unit.path)], { cwd: REPO }));
    const parsed = unit.files.map((f) => ({ f, annotations: parseAnnotations(f.text, f.leader) }));

    test('annotations parse', () => {
      for (const { f, annotations } of parsed) assert.deepEqual(annotations.errors, [], `${f.file}: malformed annotations`);
    });

    test('every file parses and is analysed without errors', async () => {
      assert.deepEqual((await scanned()).errors, []);
    });

    test('findings match the annotations', async () => {
      const { findings } = await scanned();
      const problems: string[] = [];
      for (const { f, annotations } of parsed) {
        const rules = new Set([unit.ruleDir, ...annotations.rulesNamed]);
        const mismatches = compareFindings(annotations.expectations, findings.filter((x) => x.file === f.file), rules);
        if (mismatches.length > 0) problems.push(`${f.file} (rules under test: ${[...rules].join(', ')}):\n  ${mismatches.join('\n  ')}`);
      }
      assert.ok(problems.length === 0, problems.join('\n'));
    });

    for (const safety of ['safe', 'all'] as const) {
      test(`${safety === 'safe' ? 'safe fixes' : 'all fixes'} give the expected files`, async () => {
        const { findings } = await scanned();
        for (const f of unit.files) {
          const own = findings.filter((x) => x.file === f.file);
          // Without unsafe fixes the fully fixed text is the safely fixed one: no second copy.
          const allFixed = variantPath(unit, f, 'all');
          const expectedPath = safety === 'all' && !existsSync(allFixed) ? variantPath(unit, f, 'safe') : variantPath(unit, f, safety);
          const fixed = applyFixes(f.text, fixesOf(own, safety)).text;
          if (!existsSync(expectedPath)) {
            assert.equal(fixed, f.text, `${f.file} has no ${relative(REPO, expectedPath)}, but fixes change it:\n${describeFixes(own, safety)}`);
            continue;
          }
          const expected = readFileSync(expectedPath, 'utf8');
          assert.notEqual(expected, f.text, `${relative(REPO, expectedPath)} equals the fixture: delete it`);
          assert.ok(fixed === expected, `fixing ${f.file} does not give ${relative(REPO, expectedPath)}:\n${lineDiff(expected, fixed)}\nfixes:\n${describeFixes(own, safety)}`);
        }
      });
    }

    test('the fully fixed files parse and offer no further fix', async () => {
      const { findings } = await scanned();
      const replaced = new Map(unit.files.map((f) => [f.path, applyFixes(f.text, fixesOf(findings.filter((x) => x.file === f.file), 'all')).text]));
      const again = await scanReplaced(unit, replaced);
      assert.deepEqual(again.errors, []);
      assert.ok(fixesOf(again.findings, 'all').length === 0, `fixing is not idempotent; still offered:\n${describeFixes(again.findings, 'all')}`);
    });
  });
}

describe('fixture corpus consistency', () => {
  const parsed = all.flatMap((u) => u.files.map((f) => ({ f, annotations: parseAnnotations(f.text, f.leader) })));

  test('every fixture folder is named after a rule', () => {
    assert.deepEqual(ruleDirs().filter((d) => getRule(d) === undefined), [], 'fixture folders without a rule');
  });

  test('every annotation names an existing rule and message', () => {
    const problems: string[] = [];
    for (const { f, annotations } of parsed) {
      for (const e of annotations.expectations) {
        const rule = getRule(e.ruleId);
        if (!rule) problems.push(`${f.file}:${e.annotationLine}: unknown rule ${e.ruleId}`);
        else if (e.messageId !== undefined && !(e.messageId in rule.messages)) {
          problems.push(`${f.file}:${e.annotationLine}: rule ${e.ruleId} has no message ${e.messageId}`);
        }
      }
    }
    assert.deepEqual(problems, []);
  });

  test('every rule has a ruleid and an ok annotation', () => {
    const seen = new Map<string, Set<string>>();
    for (const { annotations } of parsed) {
      for (const e of annotations.expectations) {
        if (!seen.has(e.ruleId)) seen.set(e.ruleId, new Set());
        seen.get(e.ruleId)!.add(e.kind);
      }
    }
    const missing = allRules().flatMap((rule) => ['ruleid', 'ok'].filter((k) => !seen.get(rule.id)?.has(k)).map((k) => `${rule.id}: no "${k}" annotation`));
    assert.deepEqual(missing, []);
  });

  test('no orphan fixed variants', () => {
    const orphans: string[] = [];
    for (const ruleDir of ruleDirs()) {
      for (const name of readdirSync(join(FIXTURES, ruleDir)).filter((n) => VARIANT.test(n))) {
        const source = name.replace(/\.(all-)?fixed(?=\.[^.]+$|$)/, '');
        if (!existsSync(join(FIXTURES, ruleDir, source))) orphans.push(`fixtures/${ruleDir}/${name}`);
      }
    }
    assert.deepEqual(orphans, []);
  });
});
