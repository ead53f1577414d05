/**
 * The scan checks JavaScript and TypeScript with the ESLint plugin's rules, through ESLint's
 * Linter: its findings for the bundled example are exactly what `eslint` reports with the
 * plugin's recommended config, and ESLint fixes and unsafe suggestions become scan fixes.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { ESLint } from 'eslint';
import { applyFixes, type Finding } from '@imds-guard/core';
import { scan } from '@imds-guard/scanner';
import plugin from '@imds-guard/eslint-rules';
import { analyseJavaScript, isJavaScriptFile, javascriptAnalyser } from '../src/javascript/analyser.ts';

const REPO = fileURLToPath(new URL('../../../', import.meta.url));

const row = (file: string, ruleId: string, messageId: string, line: number, column: number, endLine: number, endColumn: number, message: string) =>
  `${file}:${line}:${column}-${endLine}:${endColumn} ${ruleId}/${messageId} ${message}`;

describe('the JavaScript/TypeScript analyser', () => {
  it('finds in the bundled example exactly what eslint finds with configs.recommended', async () => {
    const eslint = new ESLint({ cwd: REPO, overrideConfigFile: true, overrideConfig: plugin.configs.recommended });
    const results = await eslint.lintFiles(['examples']);
    const fromEslint = results
      .flatMap((r) => r.messages.map((m) => row(r.filePath.slice(REPO.length).split('\\').join('/'), m.ruleId!.replace('imds-guard/', ''), m.messageId!, m.line, m.column, m.endLine!, m.endColumn!, m.message)))
      .sort();
    const { findings, errors } = await scan(['examples'], { cwd: REPO });
    assert.deepEqual(errors, []);
    const fromScan = findings
      .filter((f) => isJavaScriptFile(f.file))
      .map((f) => row(f.file, f.ruleId, f.messageId, f.line, f.column, f.endLine, f.endColumn, f.message))
      .sort();
    assert.ok(fromEslint.length >= 4, `the example has JS/TS findings:\n${fromEslint.join('\n')}`);
    assert.deepEqual(fromScan, fromEslint);
    assert.deepEqual(new Set(fromScan.map((r) => r.split(':')[0])), new Set(['examples/cdk/lib/worker-stack.ts', 'examples/node-service/src/instance-info.ts', 'examples/node-service/src/region.js']));
  });

  it('claims the JavaScript and TypeScript extensions only', () => {
    const a = javascriptAnalyser();
    for (const ext of ['js', 'mjs', 'cjs', 'jsx', 'ts', 'tsx', 'mts', 'cts', 'TS']) assert.ok(a.claims(`src/x.${ext}`, false), ext);
    for (const name of ['x.json', 'x.sh', 'x.tf', 'x.yaml', 'x.js.map']) assert.ok(!a.claims(name, false), name);
    assert.ok(!a.mayMatter('export const add = (a: number, b: number) => a + b;\n'));
    assert.ok(a.mayMatter("fetch('http://169.254.169.254/latest/meta-data/')"));
    assert.ok(a.mayMatter("import * as ec2 from 'aws-cdk-lib/aws-ec2';"));
  });

  const analyse = (text: string, path = 'src/x.ts') => analyseJavaScript({ path, file: path, text });


  it('turns a safe ESLint fix into a safe fix with offsets into the text', async () => {
    const text = `export const id = (token: string) =>\n  fetch('http://169.254.169.254/latest/meta-data/instance-id', { headers: { 'X-aws-metadata-token': token } });\n`;
    const { findings } = await analyse(text);
    assert.equal(findings.length, 1);
    const f = findings[0]!;
    assert.deepEqual([f.ruleId, f.messageId, f.severity, f.line, f.column], ['no-imdsv1-request', 'misspelledToken', 'error', 2, 3]);
    assert.equal(text.slice(f.start, f.start + 5), 'fetch');
    assert.equal(f.fix?.safety, 'safe');
    assert.equal(applyFixes(text, [f.fix!]).text, text.replace('X-aws-metadata-token', 'X-aws-ec2-metadata-token'));
  });

  it('turns the suggestion of an unsafe rule into an unsafe fix, and keeps other suggestions out', async () => {
    const text = `import * as ec2 from 'aws-cdk-lib/aws-ec2';\ndeclare const stack: any;\nnew ec2.LaunchTemplate(stack, 'Lt', { httpTokens: ec2.LaunchTemplateHttpTokens.OPTIONAL });\nexport const id = async () => fetch('http://169.254.169.254/latest/meta-data/instance-id');\n`;
    const { findings } = await analyse(text);
    const byRule = new Map<string, Finding>(findings.map((f) => [f.ruleId, f]));
    assert.equal(byRule.get('no-imdsv1-instance-config')?.fix?.safety, 'unsafe');
    assert.equal(applyFixes(text, [byRule.get('no-imdsv1-instance-config')!.fix!]).text, text.replace('HttpTokens.OPTIONAL', 'HttpTokens.REQUIRED'));
    assert.equal(byRule.get('no-imdsv1-request')?.fix, undefined);
  });

  it('reports a syntax error and severities from rules/', async () => {
    const broken = await analyse(`fetch('http://169.254.169.254/latest/meta-data/' +;\n`, 'src/x.js');
    assert.equal(broken.syntaxProblems.length, 1);
    const uncertain = await analyse(`export const f = (h: Headers) => fetch('http://169.254.169.254/latest/meta-data/', { headers: h });\n`);
    assert.deepEqual(uncertain.findings.map((f) => [f.messageId, f.severity]), [['cannotDetermine', 'warning']]);
    assert.equal(await javascriptAnalyser().countSyntaxErrors('const a = ;', join('src', 'x.ts')), 1);
    assert.equal(await javascriptAnalyser().countSyntaxErrors('const a = 1;', join('src', 'x.ts')), 0);
  });
});
