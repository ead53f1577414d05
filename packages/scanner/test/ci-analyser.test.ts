import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseDocument } from 'yaml';
import { analyseCiFile, ciAnalyser } from '../src/ci/analyser.ts';
import { githubActionsPieces } from '../src/ci/github-actions.ts';
import { buildspecPieces } from '../src/ci/buildspec.ts';

const URL = 'http://169.254.169.254/latest/meta-data/instance-id';

async function analyse(path: string, text: string) {
  return analyseCiFile({ path, file: path, text });
}

const lines = async (path: string, text: string) => (await analyse(path, text)).findings.map((f) => f.line);

const workflow = (steps: string, jobExtra = '') => `on: push\njobs:\n  deploy:\n    runs-on: self-hosted\n${jobExtra}    steps:\n${steps}`;

describe('GitHub Actions', () => {
  it('finds workflows by content, whatever their name, and names the step and job', async () => {
    const text = workflow(`      - name: Who am I\n        run: curl -s ${URL}\n      - run: |\n          curl -s ${URL}\n`);
    const { findings } = await analyse('ci/deploy.yml', text);
    assert.deepEqual(findings.map((f) => [f.line, f.message.slice(f.message.lastIndexOf('('))]), [
      [7, "(in the run step 'Who am I' of job deploy)"],
      [9, '(in run step 2 of job deploy)'],
    ]);
  });

  it('reads the effective shell: step, job defaults, workflow defaults, Windows runners', () => {
    const text = [
      'defaults: {run: {shell: pwsh}}',
      'jobs:',
      '  a:',
      '    runs-on: ubuntu-latest',
      '    steps:',
      `      - run: irm ${URL}`,
      `      - {shell: bash, run: curl ${URL}}`,
      '  b:',
      '    runs-on: ubuntu-latest',
      '    defaults: {run: {shell: "sh -e {0}"}}',
      '    steps:',
      `      - run: curl ${URL}`,
      `      - {shell: python, run: "print(1)"}`,
      `      - {shell: cmd, run: "curl ${URL}"}`,
      '  c:',
      '    runs-on: [self-hosted, Windows, x64]',
      '    steps:',
      `      - run: irm ${URL}`,
      '',
    ].join('\n');
    const doc = parseDocument(text, { keepSourceTokens: true });
    const pieces = githubActionsPieces(text, doc, 'w.yml')!;
    assert.deepEqual(pieces.map((p) => [p.language, p.context]), [
      ['powershell', 'in run step 1 of job a'],
      ['sh', 'in run step 2 of job a'],
      ['sh', 'in run step 1 of job b'],
      ['powershell', 'in run step 1 of job c'],
    ]);
  });

  it('resolves env of the workflow, job and step in the shell', async () => {
    const text = [
      'env: {IMDS: "http://169.254.169.254"}',
      'jobs:',
      '  deploy:',
      '    runs-on: self-hosted',
      '    env: {META: "${{ env.IMDS }}/latest/meta-data"}',
      '    steps:',
      '      - run: curl -s "$IMDS/latest/meta-data/ami-id"',
      '      - env: {PATH_PART: instance-id}',
      '        run: curl -s "$IMDS/latest/meta-data/$PATH_PART"',
      '',
    ].join('\n');
    const { findings } = await analyse('w.yml', text);
    assert.deepEqual(findings.map((f) => [f.line, f.messageId]), [[7, 'missingToken'], [9, 'missingToken']]);
    assert.match(findings[1]!.message, /meta-data\/instance-id/);
  });

  it('reads composite actions', async () => {
    const text = `name: x\nruns:\n  using: composite\n  steps:\n    - shell: bash\n      run: curl -s ${URL}\n`;
    const { findings } = await analyse('action.yml', text);
    assert.deepEqual(findings.map((f) => f.message.slice(f.message.lastIndexOf('('))), ['(in run step 1 of this composite action)']);
  });
});

describe('GitLab CI', () => {
  const pipeline = [
    'variables:',
    '  META: http://169.254.169.254/latest/meta-data',
    '.common: &common',
    `  - 'ID=$(curl -s "$META/instance-id")'`,
    'a:',
    '  before_script: *common',
    '  script: [echo a]',
    'b:',
    '  before_script: *common',
    '  script:',
    `    - - 'curl -s -H "X-aws-ec2-metadata-token: $TOKEN" $META/ami-id'`,
    '',
  ].join('\n');

  it('reports a line shared through an anchor once, and resolves variables', async () => {
    const { findings } = await analyse('.gitlab-ci.yml', pipeline);
    assert.deepEqual(findings.map((f) => [f.line, f.messageId]), [[4, 'missingToken']]);
  });

  it('recognises GitLab CI by content only when a job looks like one', async () => {
    assert.deepEqual(await lines('ci/pipeline.yml', pipeline), []);
    assert.deepEqual(await lines('ci/pipeline.yml', `stages: [deploy]\n${pipeline}`), [5]);
    assert.deepEqual(await lines('ci/jobs.yml', `deploy:\n  stage: deploy\n  script:\n    - 'curl -s ${URL}'\n`), [4]);
    assert.deepEqual(await lines('.gitlab/ci/deploy.yml', `deploy:\n  script:\n    - 'curl -s ${URL}'\n`), [3]);
  });

  it('runs before_script and script in one shell, after_script in another', async () => {
    const put = `'T=$(curl -sX PUT http://169.254.169.254/latest/api/token -H "X-aws-ec2-metadata-token-ttl-seconds: 60")'`;
    const text = `job:\n  before_script:\n    - ${put}\n  script:\n    - 'curl -s ${URL}'\n  after_script:\n    - 'curl -s ${URL}'\n`;
    const { findings } = await analyse('.gitlab-ci.yml', text);
    assert.deepEqual(findings.map((f) => f.line), [5, 7]);
    // In the script, the token that before_script fetched is used; after_script fetches its own.
    assert.deepEqual(findings[0]!.fix!.edits.map((e) => e.text), [' -H "X-aws-ec2-metadata-token: $T"']);
    assert.equal(findings[1]!.fix!.edits.length, 2);
    assert.match(findings[1]!.fix!.edits[0]!.text, /^: "\$\{IMDS_TOKEN:=.*'\n {4}- '$/);
  });
});

describe('CodeBuild buildspec', () => {
  const spec = (version: string) =>
    [
      `version: ${version}`,
      'phases:',
      '  pre_build:',
      '    commands:',
      `      - 'ID=$(curl -s ${URL})'`,
      '  build:',
      '    commands:',
      `      - 'curl -s http://169.254.169.254/latest/meta-data/ami-id'`,
      '',
    ].join('\n');

  it('runs a 0.2 buildspec in one shell: one token line serves every phase', async () => {
    const { findings } = await analyse('buildspec.yml', spec('0.2'));
    assert.deepEqual(findings.map((f) => f.line), [5, 8]);
    assert.ok(findings.every((f) => f.fix));
  });

  it('runs each command of a 0.1 buildspec in its own shell: no list item is added', async () => {
    const { findings } = await analyse('buildspec.yml', spec('0.1'));
    assert.deepEqual(findings.map((f) => f.line), [5, 8]);
    assert.ok(findings.every((f) => f.fix === undefined));
  });

  it('is recognised by its version and phases under any name, and knows a Windows shell', () => {
    const text = `version: 0.2\nenv:\n  shell: powershell.exe\nphases:\n  build:\n    commands:\n      - irm ${URL}\n`;
    const doc = parseDocument(text, { keepSourceTokens: true });
    assert.deepEqual(buildspecPieces(text, doc, 'ci/release.yml')!.map((p) => p.language), ['powershell']);
    assert.equal(buildspecPieces('version: 0.2\nphases: {}\n', parseDocument('version: 0.2\nphases: {}\n'), 'x.yml')!.length, 0);
    assert.equal(buildspecPieces('phases: {}\n', parseDocument('phases: {}\n'), 'x.yml'), undefined);
  });

  it('leaves the container credential endpoint alone', async () => {
    const text = `version: 0.2\nphases:\n  build:\n    commands:\n      - curl -s "http://169.254.170.2$AWS_CONTAINER_CREDENTIALS_RELATIVE_URI"\n`;
    assert.deepEqual(await lines('buildspec.yml', text), []);
  });
});

describe('the CI analyser', () => {
  it('says nothing of YAML that other analysers own', async () => {
    const cfn = [
      'AWSTemplateFormatVersion: "2010-09-09"',
      'Resources:',
      '  Web:',
      '    Type: AWS::EC2::Instance',
      '    Properties:',
      '      UserData:',
      '        Fn::Base64: |',
      '          #!/bin/bash',
      `          curl -s ${URL}`,
      '',
    ].join('\n');
    const playbook = `- hosts: all\n  tasks:\n    - name: id\n      shell: curl -s ${URL}\n      register: id\n`;
    const k8s = `apiVersion: v1\nkind: ConfigMap\ndata:\n  script: |\n    curl -s ${URL}\n`;
    for (const text of [cfn, playbook, k8s]) assert.deepEqual(await analyse('templates/x.yaml', text), { file: 'templates/x.yaml', findings: [], syntaxProblems: [] });
  });

  it('reports syntax errors only in files that are CI configuration by name', async () => {
    const broken = `jobs:\n  a:\n    steps:\n      - run: curl -H "X: 1" ${URL}\n`;
    assert.equal((await analyse('.github/workflows/deploy.yml', broken)).syntaxProblems.length > 0, true);
    assert.deepEqual((await analyse('notes/imds.yml', `a: b: ${URL}\n`)).syntaxProblems, []);
  });

  it('claims YAML, and only files that mention IMDS matter', () => {
    const a = ciAnalyser();
    assert.equal(a.claims('x/.gitlab-ci.yml', false), true);
    assert.equal(a.claims('x/deploy.sh', false), false);
    assert.equal(a.mayMatter('jobs: {}\n'), false);
    assert.equal(a.mayMatter(`run: curl ${URL}`), true);
  });
});
