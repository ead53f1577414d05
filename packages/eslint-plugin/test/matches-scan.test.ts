/**
 * `eslint` with the plugin's configs reports what `imds-guard scan` reports, line for line (file,
 * line, column, rule, message), and `eslint --fix` leaves every file as `imds-guard scan --fix`
 * does; each unsafe fix of the scan is a suggestion with the same edit. Checked live, on the
 * bundled examples/ and on a copy of every fixture of the formats the plugin lints (each fixture
 * in a folder of its own, as the scanner's fixture test scans them one by one).
 */
import assert from 'node:assert/strict';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { after, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { ESLint } from 'eslint';
import { applyFixes, type Finding } from '@imds-guard/core';
import { scan, type ScanResult } from '@imds-guard/scanner';
import plugin from '../src/index.ts';

const REPO = fileURLToPath(new URL('../../../', import.meta.url));
const FIXTURES = join(REPO, 'fixtures');
/** What the two configs give ESLint: the JS/TS extensions and the languages' globs. */
const LINTED = /\.(sh|bash|tf|tfvars|ya?ml|json|template|[cm]?[jt]sx?)$/i;
const VARIANT = /\.(all-)?fixed(\.[^./]+)?$/;
const CONFIG = [...plugin.configs.recommended, ...plugin.configs['recommended-languages']];

const rel = (root: string, path: string) => relative(root, path).split('\\').join('/');
const row = (file: string, line: number, column: number, rule: string, message: string) => `${file}:${line}:${column} ${rule} ${message}`;

interface Compared {
  readonly fromEslint: string[];
  readonly fromScan: string[];
  readonly fixedByEslint: Map<string, string>;
  readonly fixedByScan: Map<string, string>;
  readonly suggestions: { file: string; line: number; eslint: string[]; scan: string[] }[];
}

async function compare(root: string, paths: string[]): Promise<Compared> {
  const lint = (fix: boolean) => new ESLint({ cwd: root, overrideConfigFile: true, overrideConfig: CONFIG, fix }).lintFiles(paths);
  const [results, fixedResults, scanned] = await Promise.all([lint(false), lint(true), scan(paths, { cwd: root })]);
  assert.deepEqual(scanned.errors, [], 'the scan analyses every file');
  const fromEslint = results.flatMap((r) => r.messages.map((m) => row(rel(root, r.filePath), m.line, m.column, m.ruleId?.replace('imds-guard/', '') ?? 'fatal', m.message))).sort();
  const linted = (f: Finding) => LINTED.test(f.file);
  const fromScan = scanned.findings.filter(linted).map((f) => row(f.file, f.line, f.column, f.ruleId, f.message)).sort();

  const fixedByEslint = new Map(fixedResults.filter((r) => r.output !== undefined).map((r) => [rel(root, r.filePath), r.output!]));
  const fixedByScan = scanFixes(scanned, (f) => linted(f) && f.fix?.safety === 'safe');

  // Each unsafe fix of the scan, applied alone, against the suggestion ESLint offers for that finding.
  const suggestions: Compared['suggestions'] = [];
  for (const f of scanned.findings.filter((x) => linted(x) && x.fix?.safety === 'unsafe')) {
    const text = scanned.files.find((s) => s.file === f.file)!.text;
    const result = results.find((r) => rel(root, r.filePath) === f.file)!;
    const message = result.messages.find((m) => m.line === f.line && m.column === f.column && m.message === f.message);
    const eslint = (message?.suggestions ?? []).map((s) => text.slice(0, s.fix.range[0]) + s.fix.text + text.slice(s.fix.range[1]));
    suggestions.push({ file: f.file, line: f.line, eslint, scan: [applyFixes(text, [f.fix!]).text] });
  }
  return { fromEslint, fromScan, fixedByEslint, fixedByScan, suggestions };
}

/** Each file's text after the scan's --fix: its eligible fixes applied in one pass (packages/cli/src/fix.ts). */
function scanFixes(scanned: ScanResult, eligible: (f: Finding) => boolean): Map<string, string> {
  const out = new Map<string, string>();
  for (const file of scanned.files) {
    const fixes = scanned.findings.filter((f) => f.file === file.file && eligible(f)).map((f) => f.fix!);
    if (fixes.length === 0) continue;
    const fixed = applyFixes(file.text, fixes).text;
    if (fixed !== file.text) out.set(file.file, fixed);
  }
  return out;
}

function assertSame(c: Compared, expectFindings: number): void {
  assert.ok(c.fromScan.length >= expectFindings, `at least ${expectFindings} findings to compare:\n${c.fromScan.join('\n')}`);
  assert.deepEqual(c.fromEslint, c.fromScan);
  assert.deepEqual([...c.fixedByEslint.keys()].sort(), [...c.fixedByScan.keys()].sort(), 'the same files are fixed');
  for (const [file, text] of c.fixedByScan) assert.equal(c.fixedByEslint.get(file), text, `${file} after eslint --fix`);
  for (const s of c.suggestions) assert.deepEqual(s.eslint, s.scan, `${s.file}:${s.line}: the suggestion is the scan's unsafe fix`);
}

describe('eslint with the plugin agrees with imds-guard scan', () => {
  it('on the bundled examples/', async () => {
    const c = await compare(REPO, ['examples']);
    assertSame(c, 10);
    // every kind of file the plugin lints is covered by the comparison
    const files = new Set(c.fromScan.map((r) => r.split(':')[0]!.replace(/^.*\./, '.')));
    for (const ext of ['.sh', '.tf', '.yaml', '.ts', '.js']) assert.ok(files.has(ext), `examples have findings in ${ext} files`);
    assert.ok(c.fixedByScan.size > 0 && c.suggestions.length > 0, 'examples have safe and unsafe fixes');
  });

  const dirs: string[] = [];
  after(() => {
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  it('on every fixture it lints, each in a folder of its own', async () => {
    const root = mkdtempSync(join(tmpdir(), 'imds-guard-eslint-fixtures-'));
    dirs.push(root);
    let copied = 0;
    for (const ruleDir of readdirSync(FIXTURES, { withFileTypes: true }).filter((d) => d.isDirectory())) {
      for (const name of readdirSync(join(FIXTURES, ruleDir.name))) {
        const source = join(FIXTURES, ruleDir.name, name);
        const isDir = statSync(source).isDirectory();
        if (VARIANT.test(name) || (!isDir && !LINTED.test(name))) continue;
        const unit = join(root, `${ruleDir.name}--${name}`);
        mkdirSync(unit);
        cpSync(source, isDir ? unit : join(unit, name), { recursive: true });
        copied++;
      }
    }
    assert.ok(copied > 20, `fixtures copied: ${copied}`);
    const c = await compare(root, ['.']);
    assertSame(c, 50);
  });
});
