// The Terraform analyser as the scan sees it: which files it claims, how it groups them into
// modules, syntax problems, the fix edits on layouts the fixtures do not cover, and a large file.
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { applyFixes, type Finding } from '@imds-guard/core';
import { terraformAnalyser } from '../src/terraform/analyser.ts';
import { scanWith } from '../src/scan.ts';
import { tempTree } from '../../testkit/src/temp-tree.ts';

const analyser = terraformAnalyser();
const tree = tempTree('imds-guard-terraform-');
after(() => tree.cleanup());

async function scanFiles(files: Record<string, string>, dir: string) {
  for (const [name, text] of Object.entries(files)) tree.write(`${dir}/${name}`, text);
  return scanWith([analyser], [dir], { cwd: tree.root });
}

const brief = (f: Finding) => `${f.file}:${f.line} ${f.ruleId}/${f.messageId}`;

function fixAll(text: string, findings: readonly Finding[]): string {
  return applyFixes(text, findings.flatMap((f) => (f.fix ? [f.fix] : []))).text;
}

describe('terraform analyser: files', () => {
  it('claims .tf and .tfvars files only', () => {
    assert.ok(analyser.claims('/x/main.tf', false));
    assert.ok(analyser.claims('/x/terraform.tfvars', false));
    assert.ok(analyser.claims('/x/MAIN.TF', false));
    assert.ok(!analyser.claims('/x/main.tf.json', false));
    assert.ok(!analyser.claims('/x/build.pkr.hcl', false));
  });

  it('groups by directory', () => {
    assert.equal(analyser.groupOf!('/repo/envs/prod/main.tf'), '/repo/envs/prod');
  });

  it('skips files that mention nothing it reports on', () => {
    assert.ok(analyser.mayMatter('resource "aws_instance" "x" {}'));
    assert.ok(analyser.mayMatter('module "x" { source = "terraform-aws-modules/eks/aws" }'));
    assert.ok(!analyser.mayMatter('resource "aws_s3_bucket" "logs" { bucket = "logs" }'));
  });

  it('resolves variables across the files of one directory, not across directories', async () => {
    const result = await scanFiles(
      {
        'app/main.tf': 'resource "aws_instance" "a" {\n  metadata_options {\n    http_tokens = var.tokens\n  }\n}\n',
        'app/variables.tf': 'variable "tokens" {\n  default = "optional"\n}\n',
        'other/main.tf': 'resource "aws_instance" "b" {\n  metadata_options {\n    http_tokens = var.tokens\n  }\n}\n',
      },
      'grouping',
    );
    assert.deepEqual(result.findings.map(brief), [
      'grouping/app/main.tf:3 no-imdsv1-instance-config/tokensOptional',
      'grouping/other/main.tf:1 no-imdsv1-instance-config/cannotDetermine',
    ]);
    // The default lives in another file: no fix from main.tf.
    assert.equal(result.findings[0]!.fix, undefined);
  });

  it('reports syntax problems and still analyses the rest of the file', async () => {
    const result = await scanFiles(
      { 'main.tf': 'resource "aws_instance" "a" {\n  ami = "x" "y"\n}\n\nresource "aws_instance" "b" {\n  metadata_options {\n    http_tokens = "optional"\n  }\n}\n' },
      'broken',
    );
    assert.match(result.errors.map((e) => e.message).join('\n'), /syntax error at line \d+:\d+/);
    assert.ok(result.findings.some((f) => f.messageId === 'tokensOptional' && f.line === 7));
    assert.ok((await analyser.countSyntaxErrors('resource "x" "y" {\n', 'main.tf')) > 0);
    assert.equal(await analyser.countSyntaxErrors('resource "x" "y" {}\n', 'main.tf'), 0);
  });
});

describe('terraform analyser: fixes', () => {
  it('spreads one-line blocks and keeps the result parseable and clean', async () => {
    const text = [
      'resource "aws_instance" "one_line" { ami = "ami-1" }',
      'resource "aws_instance" "empty" {}',
      'resource "aws_launch_template" "inline" {',
      '  metadata_options { instance_metadata_tags = "enabled" }',
      '}',
      'module "legacy" {',
      '  source           = "terraform-aws-modules/ec2-instance/aws"',
      '  version          = "4.3.0"',
      '  metadata_options = { http_endpoint = "enabled" }',
      '}',
      '',
    ].join('\n');
    const first = await scanFiles({ 'main.tf': text }, 'one-line');
    assert.equal(first.findings.filter((f) => f.fix).length, 4);
    const fixed = fixAll(text, first.findings);
    assert.equal(await analyser.countSyntaxErrors(fixed, 'main.tf'), 0, fixed);
    assert.match(fixed, /metadata_options = \{ http_tokens = "required", http_endpoint = "enabled" \}/);
    assert.match(fixed, /resource "aws_instance" "empty" \{\n {2}metadata_options \{\n {4}http_endpoint = "enabled"\n {4}http_tokens {3}= "required"\n {2}\}\n\}/);
    const again = await scanFiles({ 'main.tf': fixed }, 'one-line-fixed');
    assert.deepEqual(again.findings.map(brief), []);
  });
});

describe('terraform analyser: scale', () => {
  it('analyses a module with thousands of resources in reasonable time', async () => {
    const parts: string[] = [];
    for (let i = 0; i < 3000; i++) {
      parts.push(`resource "aws_instance" "i${i}" {\n  ami           = "ami-${i}"\n  instance_type = "t3.micro"\n\n  metadata_options {\n    http_tokens = ${i % 2 ? '"required"' : 'var.tokens'}\n  }\n}\n`);
      parts.push(`resource "aws_s3_bucket" "b${i}" {\n  bucket = "bucket-${i}"\n  tags = { Name = "b${i}" }\n}\n`);
    }
    parts.push('variable "tokens" {\n  default = "required"\n}\n');
    const started = Date.now();
    const result = await scanFiles({ 'main.tf': parts.join('\n') }, 'large');
    const elapsed = Date.now() - started;
    assert.deepEqual(result.findings, []);
    assert.ok(elapsed < 20_000, `took ${elapsed} ms`);
  });
});
