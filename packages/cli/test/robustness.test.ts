// Bad input never crashes the scan and never costs the findings in other files: encodings, line
// endings, a 200 MB file, 10,000-level nesting in every language, invalid syntax, unreadable
// files, broken and looping symlinks. Each case scans the bad file next to a good one.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, closeSync, openSync, readFileSync, rmSync, statSync, symlinkSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { runMain, tempTree } from './helpers.ts';

const GOOD = '#!/bin/sh\nID=$(curl -s http://169.254.169.254/latest/meta-data/instance-id)\n';
const V1_LINE = 'curl -s http://169.254.169.254/latest/meta-data/ami-id';

interface Report {
  findings: { file: string; line: number; column: number; ruleId: string; messageId: string }[];
  errors: { file: string; message: string }[];
}

/** Scans `good.sh` and the bad input; the good finding must survive whatever the bad one does. */
async function scanWithGood(t: ReturnType<typeof tempTree>, args: string[] = ['.']) {
  t.write('good.sh', GOOD);
  const r = await runMain(['scan', '--format', 'json', ...args], t.root);
  assert.equal(r.stderr, '', 'no internal error');
  const report = JSON.parse(r.stdout) as Report;
  assert.ok(report.findings.some((f) => f.file === 'good.sh' && f.line === 2), `the good file's finding is kept:\n${r.stdout}`);
  return { code: r.code, report, errorOf: (file: string) => report.errors.find((e) => e.file === file)?.message, findingsIn: (file: string) => report.findings.filter((f) => f.file === file) };
}

function withTree(fn: (t: ReturnType<typeof tempTree>) => Promise<void>) {
  return async () => {
    const t = tempTree('imds-guard-robust-');
    try {
      await fn(t);
    } finally {
      t.cleanup();
    }
  };
}

describe('encodings and line endings', () => {
  it('UTF-16 with a BOM (either byte order) is reported as not analysed', withTree(async (t) => {
    t.write('le.sh', Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(`${V1_LINE}\n`, 'utf16le')]));
    const be = Buffer.from(`${V1_LINE}\n`, 'utf16le').swap16();
    t.write('be.sh', Buffer.concat([Buffer.from([0xfe, 0xff]), be]));
    t.write('le.tf', Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('resource "aws_instance" "x" {}\n', 'utf16le')]));
    const { code, errorOf } = await scanWithGood(t);
    assert.equal(code, 1);
    assert.match(errorOf('le.sh')!, /UTF-16 is not supported; convert the file to UTF-8/);
    assert.match(errorOf('be.sh')!, /UTF-16/);
    assert.match(errorOf('le.tf')!, /UTF-16/);
  }));

  it('CRLF: positions, code frames, suppressions and fixes as with LF', withTree(async (t) => {
    const text = ['#!/bin/sh', `  ${V1_LINE}`, `${V1_LINE} # imds-guard-ignore IMDS001 -- legacy`, ''].join('\r\n');
    const path = t.write('crlf.sh', text);
    const { findingsIn } = await scanWithGood(t);
    assert.deepEqual(findingsIn('crlf.sh').map((f) => [f.line, f.column]), [[2, 3]]);
    const frame = await runMain(['scan', 'crlf.sh'], t.root);
    assert.match(frame.stdout, /  2 \|   curl -s http:\/\/169\.254\.169\.254\/latest\/meta-data\/ami-id\n/);
    assert.doesNotMatch(frame.stdout, /\r|␍/);
    await runMain(['scan', '--fix', 'crlf.sh'], t.root);
    const fixed = readFileSync(path, 'utf8');
    assert.equal(fixed.split('\r\n').length, fixed.split('\n').length, 'still CRLF throughout');
    assert.match(fixed, /X-aws-ec2-metadata-token: \$IMDS_TOKEN/);
  }));

  it('CRLF YAML and Terraform are analysed', withTree(async (t) => {
    t.write('main.tf', 'resource "aws_instance" "web" {\r\n  metadata_options {\r\n    http_tokens = "optional"\r\n  }\r\n}\r\n');
    t.write('stack.yaml', 'Resources:\r\n  LT:\r\n    Type: AWS::EC2::LaunchTemplate\r\n    Properties:\r\n      LaunchTemplateData:\r\n        MetadataOptions:\r\n          HttpTokens: optional\r\n');
    const { findingsIn, report } = await scanWithGood(t);
    assert.deepEqual(report.errors, []);
    assert.deepEqual(findingsIn('main.tf').map((f) => [f.line, f.messageId]), [[3, 'tokensOptional']]);
    assert.deepEqual(findingsIn('stack.yaml').map((f) => [f.line, f.messageId]), [[7, 'tokensOptional']]);
  }));
});

describe('size', () => {
  it('a 200 MB file is skipped above the limit with a message, and the limit is configurable', withTree(async (t) => {
    // Sparse: a script head, then 200 MB of holes; created in milliseconds, never kept.
    const path = t.path('huge.sh');
    const fd = openSync(path, 'w');
    try {
      writeSync(fd, `#!/bin/sh\n${V1_LINE}\n`);
    } finally {
      closeSync(fd);
    }
    spawnSync('truncate', ['-s', '200M', path]);
    try {
      assert.equal(statSync(path).size, 200 * 1024 * 1024);
      const { code, errorOf } = await scanWithGood(t);
      assert.equal(code, 1);
      assert.match(errorOf('huge.sh')!, /skipped because of its size: 209715200 bytes is more than the limit of 10485760 bytes/);
      // A smaller limit from the configuration file skips the good file too; the flag wins over it.
      t.write('imds-guard.config.json', JSON.stringify({ maxFileSize: 10 }));
      const small = JSON.parse((await runMain(['scan', '--format', 'json'], t.root)).stdout) as Report;
      assert.match(small.errors.find((e) => e.file === 'good.sh')!.message, /limit of 10 bytes/);
      rmSync(t.path('imds-guard.config.json'));
      // Above a larger limit it is read, and its NUL bytes make it binary: still no crash.
      const big = await scanWithGood(t, ['--max-file-size', String(300 * 1024 * 1024), '.']);
      assert.match(big.errorOf('huge.sh')!, /binary/);
    } finally {
      rmSync(path, { force: true });
    }
  }));
});

describe('10,000-level nesting', () => {
  const N = 10_000;
  const url = 'http://169.254.169.254/latest/meta-data/';
  const bash: Record<string, string> = {
    'subst.sh': `x=${'$('.repeat(N)}curl ${url}${')'.repeat(N)}\n`,
    'quoted-subst.sh': `x=${'"$('.repeat(N)}curl ${url}${')"'.repeat(N)}\n`,
    'braces.sh': `${'{ '.repeat(N)}curl ${url}; ${'}; '.repeat(N)}\n`,
    'subshells.sh': `${'( '.repeat(N)}curl ${url} ${')'.repeat(N)}\n`,
    'ifs.sh': `${'if true; then '.repeat(N)}curl ${url}\n${'fi\n'.repeat(N)}`,
    'case.sh': `${'case x in x) '.repeat(N)}curl ${url} ${';; esac\n'.repeat(N)}`,
    'functions.sh': `${'f() { '.repeat(N)}curl ${url}; ${'}; '.repeat(N)}\nf\n`,
    'expansions.sh': `x=${'${a:-'.repeat(N)}$(curl ${url})${'}'.repeat(N)}\n`,
    'arithmetic.sh': `x=${'$(('.repeat(N)}1${'))'.repeat(N)}\ncurl ${url}\n`,
    'unclosed.sh': `${'( '.repeat(N)}curl ${url}\n`,
  };

  it('bash: every shape is analysed and its request found, in seconds', withTree(async (t) => {
    for (const [name, text] of Object.entries(bash)) t.write(`deep/${name}`, text);
    const started = performance.now();
    const { report, findingsIn, errorOf } = await scanWithGood(t);
    const seconds = (performance.now() - started) / 1000;
    for (const name of Object.keys(bash)) {
      const file = `deep/${name}`;
      assert.ok(!errorOf(file)?.startsWith('analysis failed'), `${file}: ${errorOf(file)}`);
      if (name !== 'arithmetic.sh') assert.equal(findingsIn(file).filter((f) => f.ruleId === 'no-imdsv1-request').length, 1, `${file}: ${JSON.stringify(report.findings.filter((f) => f.file === file))}`);
    }
    assert.deepEqual(findingsIn('deep/arithmetic.sh').map((f) => f.line), [2]);
    assert.match(errorOf('deep/unclosed.sh')!, /syntax error/);
    // Minutes before the fix (tree-sitter's parent is O(depth)); a few seconds on a 2-core CI.
    assert.ok(seconds < 60, `took ${seconds.toFixed(1)} s`);
  }));

  it('bash: --fix on a deeply nested script verifies and writes it', withTree(async (t) => {
    const path = t.write('deep.sh', bash['quoted-subst.sh']!);
    const r = await runMain(['scan', '--fix', 'deep.sh'], t.root);
    assert.equal(r.code, 0, r.stdout);
    assert.match(readFileSync(path, 'utf8'), /^: "\$\{IMDS_TOKEN:=/);
  }));

  it('Terraform, Packer, YAML and JSON: no crash, and the finding outside the nesting is kept', withTree(async (t) => {
    const deepHcl = `${'{ a = '.repeat(N)}1${' }'.repeat(N)}`;
    t.write('tf/main.tf', `resource "aws_instance" "web" {\n  metadata_options {\n    http_tokens = "optional"\n  }\n  tags = ${deepHcl}\n}\n`);
    t.write('tf2/main.tf', `resource "aws_launch_template" "lt" {\n${'dynamic "x" {\n'.repeat(N)}${'}\n'.repeat(N)}  metadata_options {\n    http_tokens = "optional"\n  }\n}\n`);
    t.write('packer/x.pkr.hcl', `source "amazon-ebs" "x" {\n  metadata_options {\n    http_tokens = "optional"\n  }\n  tags = ${deepHcl}\n}\n`);
    const cfn = 'AWSTemplateFormatVersion: "2010-09-09"\nResources:\n  LT:\n    Type: AWS::EC2::LaunchTemplate\n    Properties:\n      LaunchTemplateData:\n        MetadataOptions:\n          HttpTokens: optional\n';
    t.write('cfn/flow.yaml', `${cfn}        Deep: ${'['.repeat(N)}1${']'.repeat(N)}\n`);
    t.write('cfn/map.yaml', `${cfn}        Deep: ${'{a: '.repeat(N)}1${'}'.repeat(N)}\n`);
    t.write('ansible/play.yml', `- hosts: all\n  tasks:\n    - amazon.aws.ec2_instance:\n        name: x\n        metadata_options:\n          http_tokens: optional\n        tags: ${'['.repeat(N)}1${']'.repeat(N)}\n`);
    t.write('cfn/stack.json', `{"AWSTemplateFormatVersion": "2010-09-09", "Resources": {"LT": {"Type": "AWS::EC2::LaunchTemplate", "Properties": {"LaunchTemplateData": {"MetadataOptions": {"HttpTokens": "optional"}, "Deep": ${'['.repeat(N)}1${']'.repeat(N)}}}}}}`);
    const { findingsIn, errorOf } = await scanWithGood(t);
    const tokens = (file: string) => findingsIn(file).filter((f) => f.messageId === 'tokensOptional').map((f) => f.line);
    assert.deepEqual(tokens('tf/main.tf'), [3]);
    assert.deepEqual(tokens('tf2/main.tf'), [2 * N + 3]);
    assert.deepEqual(tokens('packer/x.pkr.hcl'), [3]);
    // The YAML parser gives up on very deep flow collections: a syntax error, findings kept.
    assert.deepEqual(tokens('cfn/flow.yaml'), [8]);
    assert.deepEqual(tokens('cfn/map.yaml'), [8]);
    assert.deepEqual(tokens('ansible/play.yml'), [6]);
    for (const file of ['cfn/flow.yaml', 'cfn/map.yaml', 'ansible/play.yml']) assert.doesNotMatch(errorOf(file) ?? '', /analysis failed/);
    // JSON: the analyser's parser (jsonc-parser) recurses and overflows the stack. The scan goes
    // on and says so; the template's own finding is lost until the analyser guards its depth.
    const json = errorOf('cfn/stack.json');
    assert.ok(json === undefined || /analysis failed|syntax error/.test(json), json);
  }));

  it('JSON CloudFormation keeps its finding next to deep nesting', withTree(async (t) => {
    t.write('stack.json', `{"Resources": {"LT": {"Type": "AWS::EC2::LaunchTemplate", "Properties": {"LaunchTemplateData": {"MetadataOptions": {"HttpTokens": "optional"}, "Deep": ${'['.repeat(N)}1${']'.repeat(N)}}}}}}`);
    const { findingsIn } = await scanWithGood(t);
    assert.equal(findingsIn('stack.json').length, 1);
  }));
});

describe('invalid syntax', () => {
  it('broken bash, HCL, YAML and JSON are reported; findings elsewhere in them and in other files are kept', withTree(async (t) => {
    t.write('broken.sh', `if true; then\n  ${V1_LINE}\n`);
    t.write('broken/main.tf', 'resource "aws_instance" "web" {\n  metadata_options {\n    http_tokens = "optional"\n  }\n}\nresource "x" {\n  = = =\n');
    t.write('broken.yaml', 'Resources:\n  LT:\n    Type: AWS::EC2::LaunchTemplate\n    Properties:\n      LaunchTemplateData:\n        MetadataOptions:\n          HttpTokens: optional\n  Bad: [unclosed\n  : :\n');
    t.write('broken.json', '{"Resources": {"LT": {"Type": "AWS::EC2::LaunchTemplate", "Properties": {"LaunchTemplateData": {"MetadataOptions": {"HttpTokens": "optional"}}}}, }');
    t.write('garbage.yaml', '\u0001\u0002 AWS::EC2::LaunchTemplate ]]]] {{{{ ::: &&& *** !!! %%%\n\t- - -\n');
    t.write('garbage.tf', 'resource aws_instance " { metadata_options { http_tokens = \n\n}}}}}}}\n"""\n');
    const { errorOf, findingsIn, report } = await scanWithGood(t);
    assert.match(errorOf('broken.sh')!, /syntax error/);
    assert.deepEqual(findingsIn('broken.sh').map((f) => f.line), [2]);
    for (const e of report.errors) assert.doesNotMatch(e.message, /analysis failed/, `${e.file}: ${e.message}`);
    assert.match(errorOf('broken/main.tf') ?? '', /syntax error/);
  }));
});

describe('unreadable files and directories', () => {
  const bin = fileURLToPath(new URL('../bin/imds-guard.js', import.meta.url));
  const root = process.getuid?.() === 0;
  // Root reads every file whatever its mode: run the built CLI as `nobody` instead, where it can.
  const nobody = root && spawnSync(process.execPath, ['-e', `require('fs').accessSync(${JSON.stringify(bin)})`], { uid: 65534, gid: 65534 }).status === 0;

  it('are reported, and the rest is scanned', { skip: root && !nobody ? 'running as root, and user nobody cannot read the CLI here' : false }, withTree(async (t) => {
    chmodSync(t.root, 0o755);
    t.write('good.sh', GOOD);
    t.write('secret.sh', `${V1_LINE}\n`);
    t.write('locked/inner.sh', `${V1_LINE}\n`);
    chmodSync(t.path('secret.sh'), 0o000);
    chmodSync(t.path('locked'), 0o000);
    try {
      let stdout: string;
      if (nobody) {
        const r = spawnSync(process.execPath, [bin, 'scan', '--format', 'json', '.'], { cwd: t.root, uid: 65534, gid: 65534, encoding: 'utf8' });
        assert.equal(r.status, 1, r.stderr);
        stdout = r.stdout;
      } else {
        stdout = (await runMain(['scan', '--format', 'json', '.'], t.root)).stdout;
      }
      const report = JSON.parse(stdout) as Report;
      const errors = Object.fromEntries(report.errors.map((e) => [e.file, e.message]));
      assert.equal(errors['secret.sh'], 'cannot read: permission denied');
      assert.match(errors['locked'] ?? '', /permission denied/);
      assert.deepEqual(report.findings.map((f) => f.file), ['good.sh']);
    } finally {
      chmodSync(t.path('locked'), 0o755);
      chmodSync(t.path('secret.sh'), 0o644);
    }
  }));
});

describe('symlinks', () => {
  const t = tempTree('imds-guard-robust-');
  after(t.cleanup);

  it('broken and looping links (to files and to directories) are reported or passed over, never followed forever', async () => {
    t.write('real/x.sh', `${V1_LINE}\n`);
    symlinkSync('missing.sh', t.path('dangling.sh'));
    symlinkSync('loop-b.sh', t.path('loop-a.sh'));
    symlinkSync('loop-a.sh', t.path('loop-b.sh'));
    symlinkSync('self.sh', t.path('self.sh'));
    symlinkSync('..', t.path('real/up'));
    symlinkSync('.', t.path('real/here'));
    symlinkSync(join(t.root, 'real'), t.path('real/abs-loop'));
    const { errorOf, findingsIn } = await scanWithGood(t);
    assert.match(errorOf('dangling.sh')!, /broken symlink/);
    assert.match(errorOf('loop-a.sh')!, /loop/);
    assert.match(errorOf('self.sh')!, /loop/);
    // Directory links inside the walk are not followed: the real file is found once.
    assert.equal(findingsIn('real/x.sh').length, 1);
    assert.equal(findingsIn('real/up/real/x.sh').length, 0);

    // Named on the command line, a looping link is an error, not a hang.
    const r = await runMain(['scan', '--format', 'json', 'loop-a.sh', 'real/here'], t.root);
    const report = JSON.parse(r.stdout) as Report;
    assert.match(report.errors.find((e) => e.file === 'loop-a.sh')!.message, /loop/);
    assert.deepEqual(report.findings.map((f) => f.file), ['real/here/x.sh']);
  });
});
