import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { applyFixes, type Finding } from '@imds-guard/core';
import { packerAnalyser } from '../src/packer/analyser.ts';
import { scanWith } from '../src/scan.ts';
import { tempTree } from '../../testkit/src/temp-tree.ts';

const tree = tempTree('imds-guard-packer-');
after(() => tree.cleanup());
let counter = 0;

/** Scans one directory of Packer files (name → text) with the Packer analyser only. */
async function scanDir(files: Record<string, string>) {
  const dir = `case-${++counter}`;
  for (const [rel, text] of Object.entries(files)) tree.write(`${dir}/${rel}`, text);
  const result = await scanWith([packerAnalyser()], [dir], { cwd: tree.root });
  return { ...result, findings: result.findings.map((f) => ({ ...f, file: f.file.slice(dir.length + 1) })) };
}

const brief = (findings: readonly Finding[]) =>
  findings.map((f) => `${f.file}:${f.line}:${f.column} ${f.ruleId === 'no-imds-hop-limit-above-one' ? 'hop/' : ''}${f.messageId}`);

function fixAll(text: string, findings: readonly Finding[], file: string): string {
  return applyFixes(text, findings.filter((f) => f.file === file && f.fix).map((f) => f.fix!)).text;
}

const source = (body: string, builder = 'amazon-ebs', name = 'x') => `source "${builder}" "${name}" {\n  ami_name = "x"\n${body}}\n`;

describe('packer analyser: which files', () => {
  const analyser = packerAnalyser();

  it('claims templates and variable files, grouped by directory', () => {
    assert.equal(analyser.claims('img/build.pkr.hcl', false), true);
    assert.equal(analyser.claims('img/prod.pkrvars.hcl', false), true);
    assert.equal(analyser.claims('img/ci.auto.pkrvars.hcl', false), true);
    assert.equal(analyser.claims('img/main.tf', false), false);
    assert.equal(analyser.claims('img/config.hcl', false), false);
    assert.equal(analyser.groupOf!('/r/img/a.pkr.hcl'), analyser.groupOf!('/r/img/b.pkrvars.hcl'));
  });

  it('looks only at directories with an amazon builder', () => {
    assert.equal(analyser.mayMatter('source "amazon-ebssurrogate" "x" {}'), true);
    assert.equal(analyser.mayMatter('source "docker" "x" {}'), false);
  });
});

describe('packer analyser: semantics', () => {
  it('no metadata_options: Packer sends optional; no imds_support: a note about the AMI', async () => {
    const { findings } = await scanDir({ 'a.pkr.hcl': source('') });
    assert.deepEqual(brief(findings), ['a.pkr.hcl:1:1 tokensMissingToolDefault', 'a.pkr.hcl:1:1 amiAllowsV1Default']);
    assert.match(findings[0]!.message, /^source\.amazon-ebs\.x does not set HttpTokens, and Packer then sends optional/);
    assert.equal(findings[0]!.severity, 'error');
    assert.equal(findings[1]!.severity, 'note');
    assert.equal(findings[1]!.fix, undefined);
  });

  it('required tokens and a v2.0 AMI pass; the endpoint switched off passes', async () => {
    const { findings } = await scanDir({
      'a.pkr.hcl':
        source('  imds_support = "v2.0"\n  metadata_options {\n    http_tokens = "required"\n  }\n') +
        source('  imds_support = "v2.0"\n  metadata_options {\n    http_endpoint = "disabled"\n  }\n', 'amazon-ebs', 'y'),
    });
    assert.deepEqual(brief(findings), []);
  });

  it('ebsvolume builds no AMI, chroot launches no instance, skip_create_ami registers none', async () => {
    const { findings } = await scanDir({
      'a.pkr.hcl':
        source('  metadata_options {\n    http_tokens = "required"\n  }\n', 'amazon-ebsvolume', 'v') +
        source('', 'amazon-chroot', 'c') +
        source('  skip_create_ami = true\n  metadata_options {\n    http_tokens = "required"\n  }\n', 'amazon-ebs', 's') +
        source('', 'docker', 'd'),
    });
    assert.deepEqual(brief(findings), ['a.pkr.hcl:7:1 amiAllowsV1Default']);
  });

  it('imds_support set to something else than v2.0 is reported at the value', async () => {
    const { findings } = await scanDir({ 'a.pkr.hcl': source('  imds_support = ""\n  metadata_options {\n    http_tokens = "required"\n  }\n') });
    assert.deepEqual(brief(findings), ['a.pkr.hcl:3:18 amiAllowsV1Default']);
  });

  it('a dynamic metadata_options block cannot be determined', async () => {
    const { findings } = await scanDir({
      'a.pkr.hcl': source('  imds_support = "v2.0"\n  dynamic "metadata_options" {\n    for_each = [1]\n    content {\n      http_tokens = "optional"\n    }\n  }\n'),
    });
    assert.deepEqual(brief(findings), ['a.pkr.hcl:1:1 cannotDetermine']);
  });

  it('the hop limit above 1 is a note of its own', async () => {
    const { findings } = await scanDir({
      'a.pkr.hcl': source('  imds_support = "v2.0"\n  metadata_options {\n    http_tokens = "required"\n    http_put_response_hop_limit = 2\n  }\n'),
    });
    assert.deepEqual(brief(findings), ['a.pkr.hcl:6:35 hop/hopLimitAboveOne']);
  });

  it('reports syntax errors and still analyses the file', async () => {
    const { errors, findings } = await scanDir({ 'a.pkr.hcl': `${source('')}variable "x" {\n  default = \n` });
    assert.equal(errors.length, 1);
    assert.ok(findings.some((f) => f.messageId === 'tokensMissingToolDefault'));
  });
});

describe('packer analyser: values', () => {
  const template = source('  imds_support = var.support\n  metadata_options {\n    http_tokens = var.tokens\n  }\n');

  it('a variable default', async () => {
    const variables = 'variable "tokens" {\n  default = "optional"\n}\nvariable "support" {\n  default = "v2.0"\n}\n';
    const { findings } = await scanDir({ 'a.pkr.hcl': template, 'variables.pkr.hcl': variables });
    assert.deepEqual(brief(findings), ['variables.pkr.hcl:2:13 tokensOptional']);
    assert.match(findings[0]!.message, /^source\.amazon-ebs\.x sets HttpTokens to optional \(var\.tokens\):/);
    assert.equal(fixAll(variables, findings, 'variables.pkr.hcl'), variables.replace('"optional"', '"required"'));
  });

  it('*.auto.pkrvars.hcl overrides the default; plain *.pkrvars.hcl values are possible too', async () => {
    const files = {
      'a.pkr.hcl': template,
      'variables.pkr.hcl': 'variable "tokens" {\n  default = "optional"\n}\nvariable "support" {\n  default = ""\n}\n',
      'x.auto.pkrvars.hcl': 'tokens = "required"\nsupport = "v2.0"\n',
    };
    assert.deepEqual(brief((await scanDir(files)).findings), []);
    const withVarFile = await scanDir({ ...files, 'old.pkrvars.hcl': 'tokens = "optional"\n' });
    assert.deepEqual(brief(withVarFile.findings), ['old.pkrvars.hcl:1:10 tokensOptional']);
  });

  it('locals, "${…}" templates and both branches of a condition', async () => {
    const text = [
      'locals {',
      '  tokens = var.prod ? "required" : "optional"',
      '}',
      'variable "prod" {',
      '  default = true',
      '}',
      source('  imds_support = "v2.0"\n  metadata_options {\n    http_tokens = "${local.tokens}"\n  }\n'),
    ].join('\n');
    const { findings } = await scanDir({ 'a.pkr.hcl': text });
    assert.deepEqual(brief(findings), ['a.pkr.hcl:2:36 tokensOptional']);
    assert.match(fixAll(text, findings, 'a.pkr.hcl'), /var\.prod \? "required" : "required"/);
  });

  it('a variable without a default, a function call: cannot be determined, no fix', async () => {
    const { findings } = await scanDir({
      'a.pkr.hcl':
        'variable "tokens" {\n  type = string\n}\n' +
        source('  imds_support = "v2.0"\n  metadata_options {\n    http_tokens = var.tokens\n  }\n') +
        source('  imds_support = "v2.0"\n  metadata_options {\n    http_tokens = lower(var.tokens)\n  }\n', 'amazon-ebs', 'y'),
    });
    assert.deepEqual(brief(findings), ['a.pkr.hcl:4:1 cannotDetermine', 'a.pkr.hcl:11:1 cannotDetermine']);
    assert.ok(findings.every((f) => f.fix === undefined));
    assert.match(findings[0]!.message, /var\.tokens has no default/);
  });
});

describe('packer analyser: fixes', () => {
  it('inserts a metadata_options block before the source’s closing brace', async () => {
    const text = 'source "amazon-ebs" "x" {\n    ami_name = "x"\n    imds_support = "v2.0"\n}\n';
    const { findings } = await scanDir({ 'a.pkr.hcl': text });
    assert.equal(
      fixAll(text, findings, 'a.pkr.hcl'),
      'source "amazon-ebs" "x" {\n    ami_name = "x"\n    imds_support = "v2.0"\n\n    metadata_options {\n        http_tokens = "required"\n    }\n}\n',
    );
  });

  it('inserts http_tokens into an existing block, aligned with its neighbours', async () => {
    const text = 'source "amazon-ebs" "x" {\n  imds_support = "v2.0"\n  metadata_options {\n    http_endpoint               = "enabled"\n    http_put_response_hop_limit = 1\n  }\n}\n';
    const { findings } = await scanDir({ 'a.pkr.hcl': text });
    assert.equal(
      fixAll(text, findings, 'a.pkr.hcl'),
      'source "amazon-ebs" "x" {\n  imds_support = "v2.0"\n  metadata_options {\n    http_endpoint               = "enabled"\n    http_put_response_hop_limit = 1\n    http_tokens                 = "required"\n  }\n}\n',
    );
  });

  it('writes a one-line block out on lines, keeps CRLF and tabs, and leaves nothing to fix', async () => {
    const text = 'source "amazon-ebs" "x" {\r\n\timds_support = "v2.0"\r\n\tmetadata_options {}\r\n}\r\n';
    const { findings } = await scanDir({ 'a.pkr.hcl': text });
    const fixed = fixAll(text, findings, 'a.pkr.hcl');
    assert.equal(fixed, 'source "amazon-ebs" "x" {\r\n\timds_support = "v2.0"\r\n\tmetadata_options {\r\n\t\thttp_tokens = "required"\r\n\t}\r\n}\r\n');
    const again = await scanDir({ 'a.pkr.hcl': fixed });
    assert.deepEqual(brief(again.findings), []);
  });

  it('replaces a literal and keeps the comment after it', async () => {
    const text = source('  imds_support = "v2.0"\n  metadata_options {\n    http_tokens = "optional" # legacy\n  }\n');
    const { findings } = await scanDir({ 'a.pkr.hcl': text });
    assert.equal(fixAll(text, findings, 'a.pkr.hcl'), text.replace('"optional" # legacy', '"required" # legacy'));
  });

  it('counts syntax errors for the fix check', async () => {
    const analyser = packerAnalyser();
    assert.equal(await analyser.countSyntaxErrors('a = 1\n', 'a.pkr.hcl'), 0);
    assert.ok((await analyser.countSyntaxErrors('a = \n', 'a.pkr.hcl')) > 0);
  });
});
