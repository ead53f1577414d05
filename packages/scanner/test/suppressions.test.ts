// Inline suppressions: the directive grammar per language, their scope, rule settings, and the
// no-invalid-suppression reports, through the real scan.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { applyFixes } from '@imds-guard/core';
import { commentLeaders, findRule, parseDirectives, scan, type RuleSettings } from '@imds-guard/scanner';
import { tempTree } from '../../testkit/src/temp-tree.ts';

const V1 = 'curl -s http://169.254.169.254/latest/meta-data/instance-id';

async function scanText(name: string, text: string, rules?: RuleSettings) {
  const t = tempTree();
  try {
    t.write(name, text);
    const result = await scan([name], { cwd: t.root, rules });
    return result;
  } finally {
    t.cleanup();
  }
}

const brief = (fs: readonly { ruleId: string; messageId: string; line: number }[]) => fs.map((f) => `${f.line} ${f.ruleId}/${f.messageId}`);

describe('rule names', () => {
  it('finds a rule by id, prefixed id, code in any case, and nothing else', () => {
    for (const name of ['no-imdsv1-request', 'imds-guard/no-imdsv1-request', 'IMDS001', 'imds001', ' IMDS001 ']) {
      assert.equal(findRule(name)?.id, 'no-imdsv1-request', name);
    }
    for (const name of ['', 'imds-guard/', 'IMDS999', 'no-imdsv1', 'eslint/no-imdsv1-request']) assert.equal(findRule(name), undefined, name);
  });
});

describe('directive parsing', () => {
  it('knows each language\'s comment leaders', () => {
    assert.deepEqual(commentLeaders('a.sh', ''), ['#']);
    assert.deepEqual(commentLeaders('run', ''), ['#']);
    assert.deepEqual(commentLeaders('t.yaml', ''), ['#']);
    assert.deepEqual(commentLeaders('main.tf', ''), ['#', '//', '/*']);
    assert.deepEqual(commentLeaders('x.pkr.hcl', ''), ['#', '//', '/*']);
    assert.deepEqual(commentLeaders('t.json', ''), ['//', '/*']);
    assert.deepEqual(commentLeaders('src/imds.ts', ''), ['//', '/*']);
    assert.deepEqual(commentLeaders('lib/x.mjs', ''), ['//', '/*']);
    assert.deepEqual(commentLeaders('stack.template', '{ "Resources": {} }'), ['//', '/*']);
    assert.deepEqual(commentLeaders('stack.template', 'Resources: {}'), ['#']);
  });

  it('reads rules, reason, scope and span', () => {
    const text = [
      'a # imds-guard-ignore IMDS001, imds-guard/no-invalid-imds-token-request -- legacy AMI',
      '  # imds-guard-ignore-next-line IMDS001 IMDS003',
      '  # imds-guard-ignore-next-line IMDS002 -- stacked',
      'b',
      'echo "#imds-guard-ignore" # not a directive: the leader must start a word',
      'c #imds-guard-ignoreX IMDS001',
    ].join('\n');
    const ds = parseDirectives('a.sh', text);
    assert.equal(ds.length, 3);
    const [same, next1, next2] = ds;
    assert.deepEqual(same!.names.map((n) => n.ruleId), ['no-imdsv1-request', 'no-invalid-imds-token-request']);
    assert.equal(same!.reason, 'legacy AMI');
    assert.equal(same!.target, 1);
    assert.equal(text.slice(same!.start, same!.end), '# imds-guard-ignore IMDS001, imds-guard/no-invalid-imds-token-request -- legacy AMI');
    assert.equal(next1!.reason, '');
    assert.equal(next1!.target, 4, 'stacked -next-line directives all apply to the first line after them');
    assert.equal(next2!.target, 4);
    assert.ok(next1!.ownLine && !same!.ownLine);
  });

  it('ignores leaders of other languages and finds HCL block comments', () => {
    assert.equal(parseDirectives('a.sh', 'x // imds-guard-ignore IMDS001 -- r').length, 0);
    assert.equal(parseDirectives('t.json', '"a": 1 # imds-guard-ignore IMDS001 -- r').length, 0);
    const [d] = parseDirectives('main.tf', 'http_tokens = "optional" /* imds-guard-ignore IMDS002 -- vendor agent */ # trailing');
    assert.equal(d!.reason, 'vendor agent');
    assert.deepEqual(d!.names.map((n) => n.ruleId), ['no-imdsv1-instance-config']);
    const [j] = parseDirectives('t.json', '  // imds-guard-ignore-next-line IMDS002 -- r');
    assert.equal(j!.nextLine, true);
  });

  it('handles CRLF', () => {
    const text = '# imds-guard-ignore-next-line IMDS001 -- r\r\ncurl x\r\n';
    const [d] = parseDirectives('a.sh', text);
    assert.equal(text.slice(d!.start, d!.end), '# imds-guard-ignore-next-line IMDS001 -- r');
    assert.equal(d!.target, 2);
  });
});

describe('suppressions in a scan', () => {
  it('suppresses on the same line and the next line, with any spelling of the rule', async () => {
    const text = [
      `${V1} # imds-guard-ignore IMDS001 -- legacy`,
      '# imds-guard-ignore-next-line imds-guard/no-imdsv1-request -- legacy',
      V1,
      '# imds-guard-ignore-next-line no-imdsv1-request -- legacy',
      V1,
      V1,
    ].join('\n');
    const result = await scanText('boot.sh', `${text}\n`);
    assert.deepEqual(brief(result.findings), ['6 no-imdsv1-request/missingToken']);
    assert.deepEqual(brief(result.suppressed ?? []), ['1 no-imdsv1-request/missingToken', '3 no-imdsv1-request/missingToken', '5 no-imdsv1-request/missingToken']);
  });

  it('a same-line directive at the end of a continued command covers it', async () => {
    const result = await scanText('boot.sh', 'curl -s \\\n  http://169.254.169.254/latest/meta-data/ # imds-guard-ignore IMDS001 -- legacy\n');
    assert.deepEqual(result.findings, []);
    assert.equal(result.suppressed?.length, 1);
  });

  it('a directive for another rule suppresses nothing and is reported as unused', async () => {
    const result = await scanText('boot.sh', `${V1} # imds-guard-ignore IMDS003 -- wrong rule\n`);
    assert.deepEqual(brief(result.findings), ['1 no-imdsv1-request/missingToken', '1 no-invalid-suppression/unused']);
  });

  it('reports a missing reason, a missing rule and an unknown rule, and still suppresses', async () => {
    const text = [`${V1} # imds-guard-ignore IMDS001`, `${V1} # imds-guard-ignore`, `${V1} # imds-guard-ignore IMDS001, no-such-rule -- r`].join('\n');
    const result = await scanText('boot.sh', `${text}\n`);
    assert.deepEqual(brief(result.findings), [
      '1 no-invalid-suppression/missingReason',
      '2 no-imdsv1-request/missingToken',
      '2 no-invalid-suppression/missingRule',
      '3 no-invalid-suppression/unknownRule',
    ]);
    const unknown = result.findings.find((f) => f.messageId === 'unknownRule')!;
    assert.match(unknown.message, /'no-such-rule'/);
    assert.equal(unknown.severity, 'warning');
  });

  it('reports an unused directive in a file that no longer mentions IMDS, and --fix removes it', async () => {
    const text = '#!/bin/sh\n# imds-guard-ignore-next-line IMDS001 -- fixed since\necho hello\necho done # imds-guard-ignore IMDS001 -- old\n';
    const result = await scanText('boot.sh', text);
    assert.deepEqual(brief(result.findings), ['2 no-invalid-suppression/unused', '4 no-invalid-suppression/unused']);
    const fixed = applyFixes(text, result.findings.map((f) => f.fix!));
    assert.equal(fixed.text, '#!/bin/sh\necho hello\necho done\n');
  });

  it('offers no fix when only some of the named rules are unused', async () => {
    const result = await scanText('boot.sh', `${V1} # imds-guard-ignore IMDS001, IMDS003 -- r\n`);
    const unused = result.findings.filter((f) => f.messageId === 'unused');
    assert.equal(unused.length, 1);
    assert.match(unused[0]!.message, /IMDS003 suppresses nothing/);
    assert.equal(unused[0]!.fix, undefined);
  });

  it('no-invalid-suppression can itself be suppressed, or turned off', async () => {
    const text = '# imds-guard-ignore-next-line IMDS005 -- the next comment is kept for the audit trail\n# imds-guard-ignore-next-line IMDS001\necho ok\n';
    const silenced = await scanText('boot.sh', text);
    assert.deepEqual(brief(silenced.findings), []);
    assert.deepEqual(brief(silenced.suppressed ?? []), ['2 no-invalid-suppression/missingReason', '2 no-invalid-suppression/unused']);
    const off = await scanText('boot.sh', `echo x # imds-guard-ignore IMDS001\n`, { 'no-invalid-suppression': 'off' });
    assert.deepEqual(off.findings, []);
  });

  it('rule settings: off drops findings and unused-reports for that rule; a severity overrides', async () => {
    const off = await scanText('boot.sh', `${V1}\necho # imds-guard-ignore IMDS001 -- r\n`, { 'no-imdsv1-request': 'off' });
    assert.deepEqual(off.findings, []);
    const note = await scanText('boot.sh', `${V1}\n`, { 'no-imdsv1-request': 'note' });
    assert.deepEqual(note.findings.map((f) => f.severity), ['note']);
  });

  it('works in Terraform with #, // and /* */', async () => {
    const tf = (comment: string) => `resource "aws_instance" "web" {
  ami           = "ami-0123456789abcdef0"
  instance_type = "t3.micro"
  metadata_options {
    http_tokens = "optional" ${comment}
  }
}
`;
    const plain = await scanText('main.tf', tf(''));
    // The Terraform analyser may not be registered yet; then there is nothing to suppress.
    if (!plain.findings.some((f) => f.ruleId === 'no-imdsv1-instance-config')) return;
    assert.deepEqual(brief(plain.findings), ['5 no-imdsv1-instance-config/tokensOptional']);
    for (const comment of ['# imds-guard-ignore IMDS002 -- vendor', '// imds-guard-ignore IMDS002 -- vendor', '/* imds-guard-ignore IMDS002 -- vendor */']) {
      const r = await scanText('main.tf', tf(comment));
      assert.deepEqual(brief(r.findings), [], comment);
      assert.equal(r.suppressed?.length, 1, comment);
    }
  });
});

describe('suppressions in CloudFormation, Packer and Ansible', () => {
  const cases: Record<string, string> = {
    'stack.yaml': 'Resources:\n  LT:\n    Type: AWS::EC2::LaunchTemplate\n    Properties:\n      LaunchTemplateData:\n        MetadataOptions:\n          HttpTokens: optional # imds-guard-ignore IMDS002 -- vendor agent\n',
    'stack.json': '{\n  "Resources": {\n    "LT": {\n      "Type": "AWS::EC2::LaunchTemplate",\n      "Properties": {\n        "LaunchTemplateData": {\n          // imds-guard-ignore-next-line IMDS002 -- vendor agent\n          "MetadataOptions": { "HttpTokens": "optional" }\n        }\n      }\n    }\n  }\n}\n',
    'x.pkr.hcl': 'source "amazon-ebs" "x" {\n  imds_support = "v2.0"\n  metadata_options {\n    // imds-guard-ignore-next-line IMDS002 -- r\n    http_tokens = "optional"\n  }\n}\n',
    'play.ansible.yml': '- hosts: all\n  tasks:\n    - amazon.aws.ec2_instance:\n        name: x\n        metadata_options:\n          http_tokens: optional  # imds-guard-ignore IMDS002 -- r\n',
  };
  for (const [name, text] of Object.entries(cases)) {
    it(name, async () => {
      const result = await scanText(name, text);
      assert.deepEqual(brief(result.findings), []);
      assert.deepEqual(brief(result.suppressed ?? []).map((s) => s.replace(/^\d+ /, '')), ['no-imdsv1-instance-config/tokensOptional']);
    });
  }
});
