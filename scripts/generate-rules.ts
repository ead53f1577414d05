// Generates the rule registry module and the rules table from rules/*/rule.yaml.
// `--check` fails instead of writing when a generated file is out of date (used by the tests).
import { readdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const rulesDir = join(root, 'rules');
const HEADER = '// GENERATED from rules/*/rule.yaml by scripts/generate-rules.ts. DO NOT EDIT.\n';

export function loadRuleYamls(): Record<string, unknown>[] {
  return readdirSync(rulesDir, { withFileTypes: true })
    .filter((d) => d.isDirectory() && existsSync(join(rulesDir, d.name, 'rule.yaml')))
    .map((d) => d.name)
    .map((name) => parse(readFileSync(join(rulesDir, name, 'rule.yaml'), 'utf8')) as Record<string, unknown>)
    .sort((a, b) => String(a.code).localeCompare(String(b.code)));
}

export function renderRegistry(rules: Record<string, unknown>[]): string {
  const body = JSON.stringify(Object.fromEntries(rules.map((r) => [r.id, r])), null, 2);
  return `${HEADER}import type { RuleMeta } from '../rule-meta.js';\n\nexport const ruleMetas = ${body} as const satisfies Record<string, RuleMeta>;\n`;
}

const TABLE_START = '<!-- begin generated rule table -->';
const TABLE_END = '<!-- end generated rule table -->';

export function renderReadme(current: string, rules: Record<string, unknown>[]): string {
  const rows = rules.map((r) => {
    const fix = r.fix as { availability: string; safety: string };
    const fixText = fix.availability === 'none' ? '—' : `${fix.availability} (${fix.safety})`;
    return `| ${r.code} | [\`${r.id}\`](./${r.id}/README.md) | ${r.title} | ${r.severity} | ${(r.targets as string[]).join(', ')} | ${fixText} |`;
  });
  const table = [TABLE_START, '| code | rule | what it disallows | severity | targets | fix |', '|---|---|---|---|---|---|', ...rows, TABLE_END].join('\n');
  const start = current.indexOf(TABLE_START);
  const end = current.indexOf(TABLE_END);
  if (start < 0 || end < 0) throw new Error('rules/README.md lacks the generated-table markers');
  return current.slice(0, start) + table + current.slice(end + TABLE_END.length);
}

export const generatedFiles = {
  registry: join(root, 'packages/core/src/generated/rules.ts'),
  readme: join(rulesDir, 'README.md'),
};

function main(check: boolean): void {
  const rules = loadRuleYamls();
  const outputs: [string, string][] = [
    [generatedFiles.registry, renderRegistry(rules)],
    [generatedFiles.readme, renderReadme(readFileSync(generatedFiles.readme, 'utf8'), rules)],
  ];
  let stale = false;
  for (const [file, text] of outputs) {
    const old = existsSync(file) ? readFileSync(file, 'utf8') : '';
    if (old === text) continue;
    if (check) {
      console.error(`out of date: ${file} (run pnpm generate)`);
      stale = true;
    } else writeFileSync(file, text);
  }
  if (stale) process.exit(1);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) main(process.argv.includes('--check'));
