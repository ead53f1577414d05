// Keeps rules/, the generated registry and the rule docs in agreement, and runs every docs example.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { allRules } from '@imds-guard/core';
import { scan } from '@imds-guard/scanner';
import { generatedFiles, loadRuleYamls, renderReadme, renderRegistry } from '../scripts/generate-rules.ts';
import { validateAgainstSchema } from './json-schema.ts';

const rulesDir = join(import.meta.dirname, '..', 'rules');
const EXAMPLE_FILES: Record<string, string> = { bash: 'example.sh', hcl: 'main.tf', yaml: 'template.yaml', json: 'template.json', ts: 'example.ts', js: 'example.js', powershell: 'example.ps1', dockerfile: 'Dockerfile' };

/** Scans a docs example as the file a user would have, through every analyser. */
async function scanExample(language: string, code: string) {
  const name = EXAMPLE_FILES[language];
  assert.ok(name, `no file type for \`\`\`${language} examples`);
  const dir = mkdtempSync(join(tmpdir(), 'imds-guard-doc-'));
  try {
    writeFileSync(join(dir, name), code);
    const result = await scan([name], { cwd: dir });
    assert.deepEqual(result.errors, []);
    return result.findings;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
const REQUIRED_SECTIONS = ['## Why is this bad?', '## Examples', '## How to fix', '## When not to use it', '## References'];

describe('rules/', () => {
  it('generated files are up to date (run pnpm generate)', () => {
    const yamls = loadRuleYamls();
    assert.equal(readFileSync(generatedFiles.registry, 'utf8'), renderRegistry(yamls));
    const readme = readFileSync(generatedFiles.readme, 'utf8');
    assert.equal(readme, renderReadme(readme, yamls));
  });

  it('every rule.yaml matches rule.schema.json', () => {
    const schema = JSON.parse(readFileSync(join(rulesDir, 'rule.schema.json'), 'utf8'));
    for (const rule of loadRuleYamls()) assert.deepEqual(validateAgainstSchema(schema, rule), [], `rules/${rule.id}/rule.yaml`);
  });

  it('codes and ids are unique, and every folder is a rule', () => {
    const rules = allRules();
    assert.equal(new Set(rules.map((r) => r.code)).size, rules.length);
    const folders = readdirSync(rulesDir, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name).sort();
    assert.deepEqual(folders, rules.map((r) => r.id).sort());
  });

  for (const rule of allRules()) {
    describe(rule.id, () => {
      const doc = readFileSync(join(rulesDir, rule.id, 'README.md'), 'utf8');

      it('has a doc whose header repeats the id, code and title', () => {
        const [heading, , quote] = doc.split('\n');
        assert.equal(heading, `# ${rule.id} (${rule.code})`);
        assert.equal(quote, `> ${rule.title}`);
      });

      it('has every doc section', () => {
        const sections = rule.fix.safety === 'unsafe' ? [...REQUIRED_SECTIONS, '## Fix safety'] : REQUIRED_SECTIONS;
        for (const section of sections) assert.ok(doc.includes(`\n${section}\n`), `missing "${section}"`);
      });

      const blocks = [...doc.matchAll(/```(\w+) (incorrect|correct)\n([\s\S]*?)```/g)];
      it('has incorrect and correct examples', () => {
        assert.ok(blocks.some((b) => b[2] === 'incorrect'));
        assert.ok(blocks.some((b) => b[2] === 'correct'));
      });

      blocks.forEach(([, language, kind, code], i) => {
        it(`example ${i + 1} (${language}, ${kind}) behaves as labelled`, async () => {
          const findings = await scanExample(language!, code!);
          const own = findings.filter((f) => f.ruleId === rule.id);
          if (kind === 'incorrect') assert.ok(own.length > 0, `no ${rule.id} finding in:\n${code}`);
          else assert.deepEqual(own.map((f) => f.message), []);
        });
      });
    });
  }
});
