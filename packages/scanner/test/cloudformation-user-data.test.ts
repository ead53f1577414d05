// The shell in CloudFormation templates and SSM documents: how template text maps to the shell
// text and back (YAML scalar styles, JSON strings, Fn::Sub, Fn::Join), the fixes written in the
// template's escaping, and the link between user data and the launch settings it runs under.
// Every script below is analysed as text, never run.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { applyFixes, type Finding } from '@imds-guard/core';
import { scan } from '@imds-guard/scanner';
import { tempTree } from '../../testkit/src/temp-tree.ts';
import { analyseCloudFormationFile, parseTemplateText } from '../src/cloudformation/analyse.js';
import { valueText } from '../src/cloudformation/embedded/intrinsic-text.js';
import { scalarText } from '../src/cloudformation/embedded/scalar-text.js';
import { childAt, type ScalarNode, type TemplateNode } from '../src/cloudformation/template-node.js';

const IMDS = 'http://169.254.169.254/latest/meta-data';

async function analyse(text: string, path = 'template.yaml') {
  return (await analyseCloudFormationFile({ path, file: path, text })).findings;
}

function fixed(text: string, findings: readonly Finding[], safety: 'safe' | 'all' = 'safe'): string {
  return applyFixes(text, findings.flatMap((f) => (f.fix && (safety === 'all' || f.fix.safety === 'safe') ? [f.fix] : []))).text;
}

/** Fixes, checks the result parses and that a new analysis offers no such fix, and returns it. */
async function fixedAndClean(text: string, path = 'template.yaml', safety: 'safe' | 'all' = 'all'): Promise<string> {
  const out = fixed(text, await analyse(text, path), safety);
  assert.deepEqual(parseTemplateText(path, out).errors, [], `the fixed text does not parse:\n${out}`);
  const again = (await analyse(out, path)).filter((f) => f.fix && (safety === 'all' || f.fix.safety === 'safe'));
  assert.deepEqual(again.map((f) => f.message), [], `a new analysis still offers fixes:\n${out}`);
  return out;
}

const requests = (findings: readonly Finding[]) => findings.filter((f) => f.ruleId === 'no-imdsv1-request');

/** The node at `path` of the first document. */
function nodeAt(text: string, path: readonly string[], file = 'x.yaml'): TemplateNode {
  const node = childAt(parseTemplateText(file, text).documents[0], path);
  assert.ok(node, `no node at ${path.join('.')}`);
  return node;
}

/** Every verbatim segment is the host's own text, and the value is the parser's. */
function assertMapsBack(text: string, node: TemplateNode, syntax: 'yaml' | 'json' = 'yaml') {
  const mapped = scalarText(text, node as ScalarNode, syntax)!;
  assert.equal(mapped.text, (node as ScalarNode).value);
  assert.ok(mapped.segments.some((s) => s.verbatim), 'fell back to one decoded piece');
  for (const s of mapped.segments) if (s.verbatim) assert.equal(text.slice(s.hostStart, s.hostEnd), s.text);
  return mapped;
}

describe('scalar text maps back to the template', () => {
  it('follows each YAML style: plain and quoted folding, escapes, literal and folded blocks, chomping', () => {
    const text = [
      'plain: curl -s',
      '  http://x/y',
      "single: 'it''s a',",
      "  ' folded'",
      'double: "tab\\there \\"q\\" \\x41\\',
      '  joined\\n next"',
      'literal: |-',
      '  one',
      '    two',
      '',
      '  three',
      'folded: >+',
      '  a',
      '  b',
      '',
      '  c',
      '    indented',
      '  d',
      '',
      'end: 1',
      '',
    ].join('\n');
    for (const key of ['plain', 'single', 'double', 'literal', 'folded']) assertMapsBack(text, nodeAt(text, [key]));
    assert.equal(scalarText(text, nodeAt(text, ['literal']) as ScalarNode, 'yaml')!.text, 'one\n  two\n\nthree');
  });

  it('maps a CRLF literal block, with the line break decoded', () => {
    const text = 'k: |\r\n  a\r\n  b\r\n';
    const mapped = assertMapsBack(text, nodeAt(text, ['k']));
    assert.equal(mapped.text, 'a\nb\n');
  });

  it('maps JSON strings with their escapes', () => {
    const text = '{"k": "a\\"b\\\\c\\u0041\\n"}';
    assertMapsBack(text, nodeAt(text, ['k'], 'x.json'), 'json');
  });

  it('treats a scalar it cannot follow as one decoded piece at its start (no fix written into it)', async () => {
    // An explicit indentation indicator keeps leading spaces the walk would strip.
    const text = [
      'Resources:',
      '  Host:',
      '    Type: AWS::EC2::Instance',
      '    Properties:',
      '      UserData: !Base64 |2',
      '          curl -s http://169.254.169.254/latest/meta-data/instance-id',
      '',
    ].join('\n');
    const mapped = scalarText(text, nodeAt(text, ['Resources', 'Host', 'Properties', 'UserData']) as ScalarNode, 'yaml');
    assert.equal(mapped?.segments.length, 1);
    const [request] = requests(await analyse(text));
    assert.equal(request?.line, 5);
    assert.equal(request?.fix, undefined);
  });
});

describe('Fn::Sub and Fn::Join', () => {
  it('unescapes ${!…}, keeps scanning after it, substitutes literals from the variable map, and makes the rest words', () => {
    const text = ['v: !Sub', '  - "${!A:-${AWS::Region}} ${Host} ${!B} ${Queue}"', '  - Host: 169.254.169.254', '    Queue: !Ref Q', ''].join('\n');
    const mapped = valueText(nodeAt(text, ['v']), { host: text, syntax: 'yaml' })!;
    assert.equal(mapped.text, '${A:-__CFN_AWS_Region__} 169.254.169.254 ${B} __CFN_Queue__');
  });

  it('writes ${ as ${! in a fix under Fn::Sub, and leaves $VAR alone', async () => {
    const text = [
      'Resources:',
      '  Host:',
      '    Type: AWS::EC2::Instance',
      '    Properties:',
      '      UserData:',
      '        Fn::Base64: !Sub |',
      '          #!/bin/bash',
      `          ID=$(curl -s ${IMDS}/instance-id)`,
      '          echo "${!ID} ${AWS::StackName}"',
      '',
    ].join('\n');
    const out = await fixedAndClean(text, 'template.yaml', 'safe');
    assert.match(out, /^ {10}: "\$\{!IMDS_TOKEN:=\$\(curl -sS -X PUT /m);
    assert.match(out, /^ {10}ID=\$\(curl -H "X-aws-ec2-metadata-token: \$IMDS_TOKEN" -s /m);
  });

  it('escapes a fix for Fn::Sub inside a JSON string: ${! and JSON escapes together', async () => {
    const text = [
      '{',
      '  "Resources": {',
      '    "Host": {',
      '      "Type": "AWS::EC2::Instance",',
      '      "Properties": {',
      '        "MetadataOptions": { "HttpTokens": "required" },',
      `        "UserData": { "Fn::Base64": { "Fn::Sub": "#!/bin/bash\\nID=$(curl -s ${IMDS}/instance-id)\\necho \\"\${!ID} \${AWS::Region}\\"\\n" } }`,
      '      }',
      '    }',
      '  }',
      '}',
      '',
    ].join('\n');
    const [request] = requests(await analyse(text, 'stack.json'));
    assert.equal(request?.messageId, 'breaksAtBoot');
    const out = await fixedAndClean(text, 'stack.json');
    assert.ok(out.includes('\\n: \\"${!IMDS_TOKEN:=$(curl -sS -X PUT \\"http://169.254.169.254/latest/api/token\\"'), out);
    assert.ok(out.includes('ID=$(curl -H \\"X-aws-ec2-metadata-token: $IMDS_TOKEN\\" -s '), out);
  });

  it('keeps the text of a scalar it could not follow when Fn::Sub substitutes in it', async () => {
    const text = ['v: !Sub |2', `    curl -s ${IMDS}/instance-id --region \${AWS::Region} \${!X}`, ''].join('\n');
    const mapped = valueText(nodeAt(text, ['v']), { host: text, syntax: 'yaml' })!;
    assert.equal(mapped.text, `  curl -s ${IMDS}/instance-id --region __CFN_AWS_Region__ \${X}\n`);
  });

  it('joins Fn::Join items, reports a command split over items where it starts, and adds a line as a new item', async () => {
    const text = [
      '{',
      '  "Resources": {',
      '    "Host": {',
      '      "Type": "AWS::EC2::Instance",',
      '      "Properties": {',
      '        "MetadataOptions": { "HttpTokens": "optional" },',
      '        "UserData": { "Fn::Base64": { "Fn::Join": ["", [',
      '          "#!/bin/bash\\n",',
      '          "ID=$(curl -s ",',
      `          "${IMDS}/instance-id)\\n",`,
      '          "echo ", { "Ref": "AWS::StackName" }, "\\n"',
      '        ]]}}',
      '      }',
      '    }',
      '  }',
      '}',
      '',
    ].join('\n');
    const findings = await analyse(text, 'stack.json');
    const [request] = requests(findings);
    assert.equal(request?.messageId, 'missingToken');
    assert.equal(request?.line, 9);
    const out = await fixedAndClean(text, 'stack.json');
    const lines = out.split('\n');
    assert.match(lines[8]!, /^ {10}": \\"\$\{IMDS_TOKEN:=\$\(curl -sS -X PUT \\"http:\/\/169\.254\.169\.254\/latest\/api\/token\\" .*\)\}\\"\\n",$/);
    assert.equal(lines[9], '          "ID=$(curl -H \\"X-aws-ec2-metadata-token: $IMDS_TOKEN\\" -s ",');
    assert.match(out, /"HttpTokens": "required"/);
  });

  it('analyses both branches of Fn::If', async () => {
    const text = [
      'Resources:',
      '  Host:',
      '    Type: AWS::EC2::Instance',
      '    Properties:',
      '      MetadataOptions: { HttpTokens: required }',
      '      UserData: !If',
      '        - IsProd',
      `        - !Base64 "curl -s ${IMDS}/instance-id"`,
      `        - !Base64 "wget -qO- ${IMDS}/ami-id"`,
      '',
    ].join('\n');
    const found = requests(await analyse(text)).map((f) => [f.line, f.messageId]);
    assert.deepEqual(found, [[8, 'breaksAtBoot'], [9, 'breaksAtBoot']]);
  });
});

describe('fixes in YAML scalar styles', () => {
  const host = (userData: string[]) =>
    ['Resources:', '  Host:', '    Type: AWS::EC2::Instance', '    Properties:', '      MetadataOptions:', '        HttpTokens: required', ...userData, ''].join('\n');

  it('indents new lines of a literal block and keeps CRLF', async () => {
    const text = host(['      UserData: !Base64 |', '        #!/bin/sh', `        curl -s ${IMDS}/instance-id > /tmp/id`]).replace(/\n/g, '\r\n');
    const out = await fixedAndClean(text);
    assert.ok(!/[^\r]\n/.test(out), 'a bare LF in a CRLF file');
    assert.match(out, /\r\n {8}: "\$\{IMDS_TOKEN:=/);
  });

  it('offers no fix where a new line would be folded (a `>` block)', async () => {
    const text = host(['      UserData: !Base64 >', `        curl -s ${IMDS}/instance-id`, '        > /tmp/id']);
    const [request] = requests(await analyse(text));
    assert.equal(request?.messageId, 'breaksAtBoot');
    assert.equal(request?.fix, undefined);
  });

  it('rewrites a plain scalar double-quoted when the fix needs quotes or a new line', async () => {
    const text = [
      'Resources:',
      '  Host:',
      '    Type: AWS::EC2::Instance',
      '    Metadata:',
      '      AWS::CloudFormation::Init:',
      '        config:',
      '          commands:',
      '            name:',
      `              command: hostnamectl set-hostname $(curl -s ${IMDS}/local-hostname)`,
      '',
    ].join('\n');
    const out = await fixedAndClean(text, 'template.yaml', 'safe');
    const command = nodeAt(out, ['Resources', 'Host', 'Metadata', 'AWS::CloudFormation::Init', 'config', 'commands', 'name', 'command']);
    assert.equal(command.kind === 'scalar' && command.style, 'double');
    const [token, request] = (command as ScalarNode).value!.split('\n');
    assert.match(token!, /^: "\$\{IMDS_TOKEN:=\$\(curl -sS -X PUT "http:\/\/169\.254\.169\.254\/latest\/api\/token" -H "X-aws-ec2-metadata-token-ttl-seconds: 21600"\)\}"$/);
    assert.equal(request, `hostnamectl set-hostname $(curl -H "X-aws-ec2-metadata-token: $IMDS_TOKEN" -s ${IMDS}/local-hostname)`);
  });

  it('offers no fix into a single-quoted scalar that would need a new line', async () => {
    const text = host([`      UserData: !Base64 'curl -s ${IMDS}/instance-id > /tmp/id'`]);
    const [request] = requests(await analyse(text));
    assert.equal(request?.fix, undefined);
  });
});

describe('user data and the launch settings it runs under', () => {
  const template = (tokens: string, instanceTokens?: string) =>
    [
      'Resources:',
      '  LT:',
      '    Type: AWS::EC2::LaunchTemplate',
      '    Properties:',
      '      LaunchTemplateData:',
      `        MetadataOptions: { HttpTokens: ${tokens} }`,
      '  Web:',
      '    Type: AWS::EC2::Instance',
      '    Properties:',
      '      LaunchTemplate: { LaunchTemplateId: !Ref LT, Version: "1" }',
      ...(instanceTokens ? [`      MetadataOptions: { HttpTokens: ${instanceTokens} }`] : []),
      '      UserData: !Base64 |',
      `        curl -s ${IMDS}/instance-id`,
      '',
    ].join('\n');

  it('reports tokenless user data as breaking when the instance takes required from its launch template', async () => {
    const [request] = requests(await analyse(template('required')));
    assert.equal(request?.messageId, 'breaksAtBoot');
    assert.match(request!.message, /but LT requires IMDSv2/);
  });

  it("uses the instance's own setting over its template's", async () => {
    const findings = await analyse(template('required', 'optional'));
    assert.equal(requests(findings)[0]?.messageId, 'missingToken');
    const config = findings.find((f) => f.ruleId === 'no-imdsv1-instance-config');
    assert.match(config!.message, /^Web sets HttpTokens to optional.*; before requiring tokens, fix the IMDS requests without a token in its UserData \(line 13\)$/);
  });

  it("names the instance's user data in its launch template's finding, and fixes both together", async () => {
    const text = template('optional');
    const findings = await analyse(text);
    const config = findings.find((f) => f.ruleId === 'no-imdsv1-instance-config')!;
    assert.match(config.message, /^LT sets HttpTokens to optional.*in the UserData of Web \(line 12\)$/);
    // The launch template's fix alone leaves nothing broken: the user data edits come with it.
    const out = applyFixes(text, [config.fix!]).text;
    assert.match(out, /HttpTokens: required/);
    assert.match(out, /curl -H "X-aws-ec2-metadata-token: \$IMDS_TOKEN" -s/);
    assert.deepEqual((await analyse(out)).map((f) => f.messageId), []);
  });
});

describe('user data formats', () => {
  it('hands #cloud-config user data to its extractor, and escapes its fixes for both hosts', async () => {
    const text = [
      'Resources:',
      '  Node:',
      '    Type: AWS::EC2::Instance',
      '    Properties:',
      '      MetadataOptions: { HttpTokens: required }',
      '      UserData:',
      '        Fn::Base64: !Sub |',
      '          #cloud-config',
      '          runcmd:',
      '            - echo "${AWS::Region}" > /etc/region',
      `            - "curl -s ${IMDS}/instance-id > /etc/instance-id"`,
      '',
    ].join('\n');
    const [request] = requests(await analyse(text));
    assert.deepEqual([request?.line, request?.messageId], [11, 'breaksAtBoot']);
    assert.match(request!.message, /in the UserData of Node\)$/);
    const out = await fixedAndClean(text, 'template.yaml', 'safe');
    assert.match(out, /\$\{!IMDS_TOKEN:=/);
  });

  it('reads a script for another interpreter as nothing', async () => {
    const text = ['Resources:', '  Host:', '    Type: AWS::EC2::Instance', '    Properties:', '      MetadataOptions: { HttpTokens: required }', '      UserData: !Base64 |', '        #!/usr/bin/env python3', `        import urllib.request; urllib.request.urlopen("${IMDS}/instance-id")`, ''].join('\n');
    assert.deepEqual(requests(await analyse(text)), []);
  });
});

describe('SSM documents', () => {
  const document = (schema: string) =>
    [`schemaVersion: "${schema}"`, 'mainSteps:', '  - action: aws:runShellScript', '    name: id', '    inputs:', '      runCommand:', '        - set -e', `        - curl -s ${IMDS}/{{ Path }}`, ''].join('\n');

  it('reads runShellScript steps as one script of their lines, with parameters as words', async () => {
    const [request] = await analyse(document('2.2'), 'doc.yaml');
    assert.equal(request?.line, 8);
    assert.match(request!.message, /meta-data\/__SSM_Path__ .*\(in step id of SSM document doc\.yaml\)$/);
  });

  it('claims only files that are SSM documents by content', async () => {
    const workflow = ['on: push', 'jobs:', '  id:', '    runs-on: ubuntu-latest', '    steps:', `      - run: curl -s ${IMDS}/instance-id`, ''].join('\n');
    assert.deepEqual(await analyse(workflow, 'ci.yaml'), []);
    assert.deepEqual(await analyse(document('two').replace('schemaVersion', 'schema'), 'doc.yaml'), []);
  });

  it('is found by a scan although it names no launch resource', async () => {
    const t = tempTree();
    try {
      t.write('ssm/doc.yaml', document('2.2'));
      const { findings } = await scan(['ssm'], { cwd: t.root });
      assert.deepEqual(findings.map((f) => [f.file, f.line, f.messageId]), [['ssm/doc.yaml', 8, 'missingToken']]);
    } finally {
      t.cleanup();
    }
  });
});
