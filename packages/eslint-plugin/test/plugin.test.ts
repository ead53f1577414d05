/**
 * The plugin as users get it: its shape agrees with rules/, and a project whose eslint.config.js
 * spreads `configs.recommended` (alone or after typescript-eslint's configs) sees findings in
 * every JavaScript and TypeScript flavour, through the ESLint API and the `eslint` command,
 * whose --fix applies the safe fixes and leaves suggestions alone.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { ESLint } from 'eslint';
import { allRules, getRule, ruleDocsUrl } from '@imds-guard/core';
import { rules as jsRules } from '@imds-guard/eslint-rules';
import plugin, { rules } from '../src/index.ts';

const PACKAGE = fileURLToPath(new URL('..', import.meta.url));
const require = createRequire(import.meta.url);
const pkg = JSON.parse(readFileSync(join(PACKAGE, 'package.json'), 'utf8')) as { name: string; version: string };

describe('the plugin object', () => {
  it('names itself after its package', () => {
    assert.deepEqual(plugin.meta, { name: 'eslint-plugin-imds-guard', version: pkg.version, namespace: 'imds-guard' });
  });

  it('implements every rule of rules/: the JS/TS ones for JavaScript too, all of them for the languages', () => {
    assert.deepEqual(Object.keys(rules).sort(), allRules().map((r) => r.id).sort());
    for (const [id, rule] of Object.entries(rules)) {
      const js = getRule(id)!.targets.includes('javascript') ? ['js/js'] : [];
      assert.deepEqual(rule.meta.languages, [...js, 'imds-guard/sh', 'imds-guard/terraform', 'imds-guard/cloudformation'], id);
    }
    assert.deepEqual(Object.keys(plugin.languages).sort(), ['cloudformation', 'sh', 'terraform']);
  });

  for (const [id, rule] of Object.entries(rules)) {
    it(`${id}: meta comes from rules/${id}/rule.yaml`, () => {
      const meta = getRule(id)!;
      assert.equal(rule.meta.docs!.url, ruleDocsUrl(id));
      assert.equal(rule.meta.docs!.description, meta.title);
      assert.equal(rule.meta.type, meta.type);
      assert.deepEqual(rule.meta.messages, Object.fromEntries(Object.entries(meta.messages).map(([k, m]) => [k, m.text])));
      assert.equal(rule.meta.fixable, meta.fix.safety === 'safe' && meta.fix.availability !== 'none' ? 'code' : undefined);
      if (meta.fix.safety === 'unsafe') assert.equal(rule.meta.hasSuggestions, true);
      assert.match(rule.meta.docs!.description!, /^(Enforce|Require|Disallow) .+[^. ]$/);
    });
  }

  it('wires each language to its files in recommended-languages, with every recommended rule at its severity', () => {
    const configs = plugin.configs['recommended-languages'];
    assert.deepEqual(
      configs.map((c) => [c.language, c.files]),
      [
        ['imds-guard/sh', ['**/*.sh', '**/*.bash']],
        ['imds-guard/terraform', ['**/*.tf', '**/*.tfvars']],
        ['imds-guard/cloudformation', ['**/*.yaml', '**/*.yml', '**/*.json', '**/*.template']],
      ],
    );
    const severity = { error: 'error', warning: 'warn', note: 'warn' } as const;
    const expected = Object.fromEntries(allRules().filter((r) => r.recommended).map((r) => [`imds-guard/${r.id}`, severity[r.severity]]));
    for (const c of configs) {
      assert.deepEqual(c.plugins, { 'imds-guard': plugin });
      assert.deepEqual(c.rules, expected);
    }
  });

  it('recommends every recommended rule, at its severity, for every JS/TS extension', () => {
    const [main, jsx, ts] = plugin.configs.recommended;
    assert.deepEqual(main!.files, ['**/*.js', '**/*.mjs', '**/*.cjs', '**/*.jsx', '**/*.ts', '**/*.tsx', '**/*.mts', '**/*.cts']);
    assert.deepEqual(main!.plugins, { 'imds-guard': plugin });
    assert.deepEqual(main!.rules, Object.fromEntries(Object.keys(jsRules).map((id) => [`imds-guard/${id}`, 'error'])));
    assert.deepEqual(jsx!.files, ['**/*.jsx']);
    assert.deepEqual(ts!.files, ['**/*.ts', '**/*.tsx', '**/*.mts', '**/*.cts']);
    assert.ok(ts!.languageOptions?.parser);
  });
});

// --- a user's project -------------------------------------------------------------------------

const V1 = `fetch('http://169.254.169.254/latest/meta-data/instance-id')`;
const SOURCES: Record<string, string> = {
  'src/a.js': `export const id = () => ${V1};\n`,
  'src/b.mjs': `export const id = () => ${V1};\n`,
  'src/c.cjs': `module.exports.id = () => ${V1};\n`,
  'src/d.jsx': `export const Id = () => <pre>{String(${V1})}</pre>;\n`,
  'src/e.ts': `export const id = (): Promise<Response> => ${V1};\n`,
  'src/f.tsx': `export const Id = (): JSX.Element => <pre>{String(${V1})}</pre>;\n`,
  'src/g.mts': `export const id = async (): Promise<string> => (await ${V1}).text();\n`,
  'src/h.cts': `import type { Agent } from 'node:http';\nexport const id = (agent?: Agent) => ${V1};\n`,
  // safe fixes: a misspelled token header and a dated token path
  'src/fixable.ts': [
    `export async function instanceId(): Promise<string> {`,
    `  const token = await (await fetch('http://169.254.169.254/2021-03-23/api/token', { method: 'PUT', headers: { 'X-aws-ec2-metadata-token-ttl-seconds': '300' } })).text();`,
    `  const res = await fetch('http://169.254.169.254/latest/meta-data/instance-id', { headers: { 'X-aws-metadata-token': token } });`,
    `  return res.text();`,
    `}`,
    ``,
  ].join('\n'),
  'src/clean.ts': `export const zone = (token: string) => fetch('http://169.254.169.254/latest/meta-data/placement/availability-zone', { headers: { 'X-aws-ec2-metadata-token': token } });\n`,
};

const dirs: string[] = [];
after(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

/** A project with the plugin (and typescript-eslint) linked into node_modules, as an install leaves them. */
function project(config: string, sources: Record<string, string> = SOURCES): string {
  const dir = realpathSync(mkdtempSync(join(tmpdir(), 'imds-guard-eslint-')));
  dirs.push(dir);
  mkdirSync(join(dir, 'node_modules'));
  symlinkSync(PACKAGE, join(dir, 'node_modules', 'eslint-plugin-imds-guard'), 'dir');
  symlinkSync(dirname(require.resolve('typescript-eslint/package.json')), join(dir, 'node_modules', 'typescript-eslint'), 'dir');
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'service', private: true, type: 'module' }));
  writeFileSync(join(dir, 'eslint.config.js'), config);
  for (const [name, text] of Object.entries(sources)) {
    mkdirSync(join(dir, dirname(name)), { recursive: true });
    writeFileSync(join(dir, name), text);
  }
  return dir;
}

const RECOMMENDED = `import imdsGuard from 'eslint-plugin-imds-guard';\nexport default [...imdsGuard.configs.recommended];\n`;

function summary(results: ESLint.LintResult[], dir: string): string[] {
  return results.flatMap((r) => r.messages.map((m) => `${r.filePath.slice(dir.length + 1)}:${m.line}:${m.column} ${m.ruleId ?? 'fatal'}/${m.messageId ?? m.message}`)).sort();
}

const EXPECTED = [
  'src/a.js:1:25 imds-guard/no-imdsv1-request/missingToken',
  'src/b.mjs:1:25 imds-guard/no-imdsv1-request/missingToken',
  'src/c.cjs:1:27 imds-guard/no-imdsv1-request/missingToken',
  'src/d.jsx:1:38 imds-guard/no-imdsv1-request/missingToken',
  'src/e.ts:1:44 imds-guard/no-imdsv1-request/missingToken',
  'src/f.tsx:1:51 imds-guard/no-imdsv1-request/missingToken',
  'src/fixable.ts:2:30 imds-guard/no-invalid-imds-token-request/datedTokenPath',
  'src/fixable.ts:3:21 imds-guard/no-imdsv1-request/misspelledToken',
  'src/g.mts:1:55 imds-guard/no-imdsv1-request/missingToken',
  'src/h.cts:2:38 imds-guard/no-imdsv1-request/missingToken',
];

describe('a project using configs.recommended', () => {
  it('gets findings in .js .mjs .cjs .jsx .ts .tsx .mts .cts through the ESLint API', async () => {
    const dir = project(RECOMMENDED);
    const results = await new ESLint({ cwd: dir }).lintFiles(['.']);
    assert.deepEqual(summary(results, dir), EXPECTED);
    const e = results.find((r) => r.filePath.endsWith('e.ts'))!.messages[0]!;
    assert.equal(e.severity, 2);
    assert.deepEqual(e.suggestions?.map((s) => s.messageId), ['suggestTokenHeader']);
  });

  it('composes with typescript-eslint', async () => {
    const dir = project(
      `import tseslint from 'typescript-eslint';\nimport imdsGuard from 'eslint-plugin-imds-guard';\nexport default [...tseslint.configs.recommended, ...imdsGuard.configs.recommended];\n`,
    );
    const results = await new ESLint({ cwd: dir }).lintFiles(['.']);
    assert.deepEqual(summary(results, dir).filter((s) => s.includes('imds-guard/') || s.includes('fatal')), EXPECTED);
  });

  it('eslint --fix applies the safe fixes and leaves the suggestions', () => {
    const dir = project(RECOMMENDED);
    const bin = join(dirname(require.resolve('eslint/package.json')), 'bin', 'eslint.js');
    const run = spawnSync(process.execPath, [bin, '--fix', '--format', 'json', '.'], { cwd: dir, encoding: 'utf8', env: { ...process.env, NODE_OPTIONS: '' } });
    assert.equal(run.status, 1, run.stderr);
    const fixed = readFileSync(join(dir, 'src/fixable.ts'), 'utf8');
    assert.equal(fixed, SOURCES['src/fixable.ts']!.replace('/2021-03-23/', '/latest/').replace(`'X-aws-metadata-token'`, `'X-aws-ec2-metadata-token'`));
    assert.equal(readFileSync(join(dir, 'src/e.ts'), 'utf8'), SOURCES['src/e.ts']);
    const remaining = (JSON.parse(run.stdout) as ESLint.LintResult[]).flatMap((r) => r.messages.map((m) => m.messageId));
    assert.deepEqual(remaining, Array(8).fill('missingToken'));
  });
});

// --- a project using the languages ----------------------------------------------------------------

const IMDS = 'http://169.254.169.254';
const LANGUAGE_SOURCES: Record<string, string> = {
  'scripts/boot.sh': [
    '#!/bin/bash',
    'set -euo pipefail',
    `ID=$(curl -s ${IMDS}/latest/meta-data/instance-id)`,
    '# eslint-disable-next-line imds-guard/no-imdsv1-request -- read by the vendor agent until 2.4',
    `AZ=$(curl -s ${IMDS}/latest/meta-data/placement/availability-zone)`,
    'echo "$ID $AZ"',
    '',
  ].join('\n'),
  // a module: the variable's default is in another file of the directory
  'infra/main.tf': ['resource "aws_launch_template" "app" {', '  metadata_options {', '    http_tokens = var.http_tokens', '  }', '}', ''].join('\n'),
  'infra/variables.tf': ['variable "http_tokens" {', '  type    = string', '  default = "optional"', '}', ''].join('\n'),
  'cfn/stack.yaml': [
    'Resources:',
    '  Bastion:',
    '    Type: AWS::EC2::Instance',
    '    Properties:',
    '      ImageId: ami-0abc',
    '      MetadataOptions:',
    '        HttpTokens: optional',
    '',
  ].join('\n'),
  // ordinary YAML and JSON that mention the same words: not templates, nothing to report
  'k8s/agent.yaml': `apiVersion: v1\nkind: ConfigMap\ndata:\n  HttpTokens: optional\n  endpoint: ${IMDS}/latest/meta-data/\n`,
  'package.json': JSON.stringify({ name: 'infra', private: true, type: 'module', description: 'AWS::EC2::Instance with HttpTokens optional' }),
};

const WITH_LANGUAGES = `import imdsGuard from 'eslint-plugin-imds-guard';\nexport default [...imdsGuard.configs.recommended, ...imdsGuard.configs['recommended-languages']];\n`;

describe('a project using configs.recommended-languages', () => {
  it('gets findings in shell, Terraform (as a module) and CloudFormation files, and none in other YAML/JSON', async () => {
    const dir = project(WITH_LANGUAGES, LANGUAGE_SOURCES);
    const results = await new ESLint({ cwd: dir }).lintFiles(['.']);
    const rows = results.flatMap((r) => r.messages.map((m) => `${r.filePath.slice(dir.length + 1)}:${m.line}:${m.column} ${m.ruleId} ${m.message}`)).sort();
    assert.deepEqual(rows, [
      'cfn/stack.yaml:7:9 imds-guard/no-imdsv1-instance-config Bastion sets HttpTokens to optional: its instances accept IMDSv1 requests',
      'infra/main.tf:3:5 imds-guard/no-imdsv1-instance-config aws_launch_template.app sets HttpTokens to optional (var.http_tokens, default in variables.tf): its instances accept IMDSv1 requests',
      `scripts/boot.sh:3:6 imds-guard/no-imdsv1-request curl reads ${IMDS}/latest/meta-data/instance-id without the X-aws-ec2-metadata-token header: this is an IMDSv1 request and gets 401 once the instance requires IMDSv2`,
    ]);
    // the ordinary YAML and JSON files were linted (by the CloudFormation language), and passed
    for (const file of ['k8s/agent.yaml', 'package.json']) assert.deepEqual(results.find((r) => r.filePath.endsWith(file))?.messages, [], file);
  });

  it('eslint --fix fixes the script, offers the template changes as suggestions, and reads stdin', () => {
    const dir = project(WITH_LANGUAGES, LANGUAGE_SOURCES);
    const bin = join(dirname(require.resolve('eslint/package.json')), 'bin', 'eslint.js');
    const env = { ...process.env, NODE_OPTIONS: '' };
    const run = spawnSync(process.execPath, [bin, '--fix', '--format', 'json', '.'], { cwd: dir, encoding: 'utf8', env });
    assert.equal(run.status, 1, run.stderr);
    const boot = readFileSync(join(dir, 'scripts/boot.sh'), 'utf8');
    assert.equal(
      boot,
      LANGUAGE_SOURCES['scripts/boot.sh']!.replace(
        'ID=$(curl -s',
        () => `: "\${IMDS_TOKEN:=$(curl -sS -X PUT "${IMDS}/latest/api/token" -H "X-aws-ec2-metadata-token-ttl-seconds: 21600")}"\nID=$(curl -H "X-aws-ec2-metadata-token: $IMDS_TOKEN" -s`,
      ),
    );
    for (const file of ['infra/main.tf', 'infra/variables.tf', 'cfn/stack.yaml']) assert.equal(readFileSync(join(dir, file), 'utf8'), LANGUAGE_SOURCES[file], file);
    const remaining = (JSON.parse(run.stdout) as ESLint.LintResult[]).flatMap((r) => r.messages.map((m) => `${r.filePath.slice(dir.length + 1)} ${m.ruleId} ${m.suggestions?.length ?? 0}`));
    // the Terraform value is set in variables.tf, so the scan offers no fix at main.tf, and neither does ESLint
    assert.deepEqual(remaining.sort(), ['cfn/stack.yaml imds-guard/no-imdsv1-instance-config 1', 'infra/main.tf imds-guard/no-imdsv1-instance-config 0']);

    const stdin = spawnSync(process.execPath, [bin, '--format', 'json', '--stdin', '--stdin-filename', 'scripts/other.sh'], {
      cwd: dir,
      encoding: 'utf8',
      env,
      input: `wget -qO- ${IMDS}/latest/meta-data/local-ipv4\n`,
    });
    assert.equal(stdin.status, 1, stdin.stderr);
    const [result] = JSON.parse(stdin.stdout) as ESLint.LintResult[];
    assert.deepEqual(result!.messages.map((m) => [m.ruleId, m.line, m.column, m.fix !== undefined]), [['imds-guard/no-imdsv1-request', 1, 1, true]]);
  });
});
