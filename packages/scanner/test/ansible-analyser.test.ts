import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { applyFixes, type Finding } from '@imds-guard/core';
import { ansibleAnalyser } from '../src/ansible/analyser.ts';
import { scanWith } from '../src/scan.ts';
import { tempTree } from '../../testkit/src/temp-tree.ts';

const tree = tempTree('imds-guard-ansible-');
after(() => tree.cleanup());
let counter = 0;

/** Scans files (relative path → text) laid out in a fresh folder with the Ansible analyser only. */
async function scanFiles(files: Record<string, string>) {
  const dir = `case-${++counter}`;
  for (const [rel, text] of Object.entries(files)) tree.write(`${dir}/${rel}`, text);
  const result = await scanWith([ansibleAnalyser()], [dir], { cwd: tree.root });
  const strip = (f: Finding) => ({ ...f, file: f.file.slice(dir.length + 1) });
  return { ...result, findings: result.findings.map(strip), errors: result.errors };
}

async function scanOne(text: string, name = 'playbook.yml') {
  return scanFiles({ [name]: text });
}

const brief = (findings: readonly Finding[]) => findings.map((f) => `${f.line}:${f.column} ${f.ruleId === 'no-imds-hop-limit-above-one' ? 'hop/' : ''}${f.messageId}`);

function fixAll(text: string, findings: readonly Finding[], file: string): string {
  return applyFixes(text, findings.filter((f) => f.file === file && f.fix).map((f) => f.fix!)).text;
}

describe('ansible analyser: which files', () => {
  const analyser = ansibleAnalyser();

  it('claims .yml and .yaml files', () => {
    assert.equal(analyser.claims('site.yml', false), true);
    assert.equal(analyser.claims('roles/web/tasks/main.YAML', false), true);
    assert.equal(analyser.claims('main.tf', false), false);
  });

  it('looks only at files that name one of the modules', () => {
    assert.equal(analyser.mayMatter('- name: x\n  amazon.aws.ec2_instance:\n'), true);
    assert.equal(analyser.mayMatter('- name: x\n  community.aws.ec2_lc:\n'), true);
    assert.equal(analyser.mayMatter('- name: x\n  ansible.builtin.debug: {}\n'), false);
  });

  it('groups a role’s tasks with its defaults and vars, and leaves other files alone', () => {
    const group = analyser.groupOf!;
    assert.equal(group('/r/roles/web/tasks/main.yml'), group('/r/roles/web/defaults/main.yml'));
    assert.equal(group('/r/roles/web/tasks/main.yml'), group('/r/roles/web/vars/main.yml'));
    assert.notEqual(group('/r/roles/web/tasks/main.yml'), group('/r/roles/db/tasks/main.yml'));
    assert.notEqual(group('/r/site.yml'), group('/r/other.yml'));
  });
});

describe('ansible analyser: semantics', () => {
  it('reports optional tokens at the value, with a fix that keeps the quotes and the comment', async () => {
    const text = `- name: web\n  amazon.aws.ec2_instance:\n    name: web\n    metadata_options:\n      http_tokens: "optional"  # legacy agent\n`;
    const { findings } = await scanOne(text);
    assert.deepEqual(brief(findings), ['5:20 tokensOptional']);
    assert.match(findings[0]!.message, /^task\[1\]:web sets HttpTokens to optional/);
    assert.equal(fixAll(text, findings, 'playbook.yml'), text.replace('"optional"', '"required"'));
  });

  it('metadata_options without http_tokens: the module sends optional', async () => {
    const { findings } = await scanOne(`- amazon.aws.ec2_launch_template:\n    name: lt\n    metadata_options:\n      http_endpoint: enabled\n`);
    assert.deepEqual(brief(findings), ['3:5 tokensMissingToolDefault']);
    assert.match(findings[0]!.message, /the amazon\.aws\.ec2_launch_template module then sends optional/);
    assert.match(findings[0]!.message, /^task\[1\]:amazon\.aws\.ec2_launch_template /);
  });

  it('no metadata_options: AWS default, reported at the module key', async () => {
    const { findings } = await scanOne(`- name: a\n  ec2_instance:\n    name: a\n`);
    assert.deepEqual(brief(findings), ['2:3 tokensMissing']);
  });

  it('the endpoint switched off passes; required passes; absent and stopped instances are ignored', async () => {
    const { findings } = await scanOne(
      [
        '- amazon.aws.ec2_instance:',
        '    metadata_options: {http_endpoint: disabled, http_tokens: optional}',
        '- amazon.aws.ec2_instance:',
        '    metadata_options: {http_tokens: required}',
        '- amazon.aws.ec2_instance:',
        '    state: terminated',
        '- amazon.aws.ec2_instance:',
        '    state: stopped',
        '    instance_ids: [i-123]',
        '- community.aws.ec2_launch_template:',
        '    name: old',
        '    state: absent',
        '',
      ].join('\n'),
    );
    assert.deepEqual(brief(findings), []);
  });

  it('the hop limit above 1 is a separate note', async () => {
    const { findings } = await scanOne(`- amazon.aws.ec2_instance:\n    metadata_options:\n      http_tokens: required\n      http_put_response_hop_limit: 3\n`);
    assert.deepEqual(brief(findings), ['4:36 hop/hopLimitAboveOne']);
  });

  it('finds tasks in blocks, rescue, always, handlers, pre_tasks and post_tasks, in every document', async () => {
    const task = (n: string) => `- name: t${n}\n      ec2_instance: {name: t${n}}`;
    const text = [
      '- hosts: all',
      '  pre_tasks:',
      `    ${task('1')}`,
      '  tasks:',
      '    - block:',
      `        - name: b\n          ec2_instance: {name: b}`,
      '      rescue:',
      `        - name: r\n          ec2_instance: {name: r}`,
      '      always:',
      `        - name: a\n          ec2_instance: {name: a}`,
      '  post_tasks:',
      `    ${task('2')}`,
      '  handlers:',
      `    ${task('3')}`,
      '---',
      '- name: second document',
      '  ec2_instance: {name: d}',
      '',
    ].join('\n');
    const { findings, errors } = await scanOne(text);
    assert.deepEqual(errors, []);
    assert.equal(findings.length, 7);
    assert.ok(findings.every((f) => f.messageId === 'tokensMissing'));
  });

  it('also reads action: forms and legacy community names', async () => {
    const { findings } = await scanOne(
      [
        '- name: action string',
        '  action: amazon.aws.ec2_instance',
        '  args:',
        '    name: x',
        '    metadata_options:',
        '      http_tokens: optional',
        '- name: legacy',
        '  community.aws.ec2_instance:',
        '    metadata_options:',
        '      http_tokens: optional',
        '',
      ].join('\n'),
    );
    assert.deepEqual(brief(findings), ['6:20 tokensOptional', '10:20 tokensOptional']);
  });

  it('a launch configuration can carry no metadata options: reported, never fixed', async () => {
    const { findings } = await scanOne(`- community.aws.autoscaling_launch_config:\n    name: lc\n    image_id: ami-1\n`);
    assert.deepEqual(brief(findings), ['1:3 tokensMissing']);
    assert.equal(findings[0]!.fix, undefined);
  });

  it('ignores YAML that is not Ansible', async () => {
    const { findings, errors } = await scanOne(
      'AWSTemplateFormatVersion: "2010-09-09"\nDescription: ec2_instance for tests\nResources: {}\n',
      'template.yaml',
    );
    assert.deepEqual(findings, []);
    assert.deepEqual(errors, []);
  });

  it('parses !vault and !unsafe without complaint', async () => {
    const { findings, errors } = await scanOne(
      [
        '- hosts: all',
        '  vars:',
        '    secret: !vault |',
        '      $ANSIBLE_VAULT;1.1;AES256',
        '      6231336539',
        '    raw: !unsafe "{{ not a template }}"',
        '  tasks:',
        '    - amazon.aws.ec2_instance:',
        '        metadata_options:',
        '          http_tokens: !unsafe required',
        '',
      ].join('\n'),
    );
    assert.deepEqual(errors, []);
    assert.deepEqual(findings, []);
  });

  it('reports YAML syntax errors and still analyses the rest', async () => {
    const { errors } = await scanOne('- name: x\n  ec2_instance:\n    name: [unclosed\n');
    assert.equal(errors.length, 1);
    assert.match(errors[0]!.message, /syntax error at line/);
  });
});

describe('ansible analyser: variables', () => {
  it('resolves play vars and reports (and fixes) the definition', async () => {
    const text = [
      '- hosts: all',
      '  vars:',
      '    tokens: optional',
      '  tasks:',
      '    - name: web',
      '      amazon.aws.ec2_instance:',
      '        metadata_options:',
      '          http_tokens: "{{ tokens }}"',
      '',
    ].join('\n');
    const { findings } = await scanOne(text);
    assert.deepEqual(brief(findings), ['3:13 tokensOptional']);
    assert.match(findings[0]!.message, /^task\[5\]:web sets HttpTokens to optional \(through tokens\):/);
    assert.equal(fixAll(text, findings, 'playbook.yml'), text.replace('tokens: optional', 'tokens: required'));
  });

  it('task vars win over block vars, which win over play vars', async () => {
    const text = [
      '- hosts: all',
      '  vars: {tokens: optional}',
      '  tasks:',
      '    - vars: {tokens: optional}',
      '      block:',
      '        - amazon.aws.ec2_instance:',
      '            metadata_options: {http_tokens: "{{ tokens }}"}',
      '          vars: {tokens: required}',
      '',
    ].join('\n');
    assert.deepEqual(brief((await scanOne(text)).findings), []);
  });

  it('set_fact earlier in the play wins over play vars', async () => {
    const text = [
      '- hosts: all',
      '  vars: {tokens: required}',
      '  tasks:',
      '    - ansible.builtin.set_fact:',
      '        tokens: optional',
      '    - amazon.aws.ec2_instance:',
      '        metadata_options: {http_tokens: "{{ tokens }}"}',
      '',
    ].join('\n');
    assert.deepEqual(brief((await scanOne(text)).findings), ['5:17 tokensOptional']);
  });

  it('default(), inline if, ternary and attribute access', async () => {
    const text = [
      '- hosts: all',
      '  vars:',
      '    imds: {tokens: optional}',
      '    prod: true',
      '  tasks:',
      '    - name: default used',
      '      amazon.aws.ec2_instance:',
      `        metadata_options: {http_tokens: "{{ unset_var | default('optional') }}"}`,
      '    - name: inline if',
      '      amazon.aws.ec2_instance:',
      `        metadata_options: {http_tokens: "{{ 'required' if prod else 'optional' }}"}`,
      '    - name: ternary',
      '      amazon.aws.ec2_instance:',
      `        metadata_options: {http_tokens: "{{ prod | ternary('required', 'required') }}"}`,
      '    - name: attribute',
      '      amazon.aws.ec2_instance:',
      `        metadata_options: {http_tokens: "{{ imds.tokens }}"}`,
      '',
    ].join('\n');
    const { findings } = await scanOne(text);
    assert.deepEqual(brief(findings), ['3:20 tokensOptional', '8:65 tokensOptional', '11:69 tokensOptional']);
    const fixed = fixAll(text, findings, 'playbook.yml');
    assert.match(fixed, /default\('required'\)/);
    assert.match(fixed, /'required' if prod else 'required'/);
    assert.match(fixed, /imds: \{tokens: required\}/);
  });

  it('default(omit) leaves the module default: optional once metadata_options is given', async () => {
    const { findings } = await scanOne(`- amazon.aws.ec2_instance:\n    metadata_options:\n      http_tokens: "{{ t | default(omit) }}"\n`);
    assert.deepEqual(brief(findings), ['2:5 tokensMissingToolDefault']);
  });

  it('an undefined variable cannot be determined, and gets no fix', async () => {
    const { findings } = await scanOne(`- amazon.aws.ec2_instance:\n    metadata_options:\n      http_tokens: "{{ from_inventory }}"\n`);
    assert.deepEqual(brief(findings), ['1:3 cannotDetermine']);
    assert.match(findings[0]!.message, /from_inventory, which is not defined/);
    assert.equal(findings[0]!.fix, undefined);
  });

  it('templates with text around them, and unknown filters, cannot be determined', async () => {
    const text = [
      '- hosts: all',
      '  vars: {t: optional}',
      '  tasks:',
      '    - amazon.aws.ec2_instance:',
      '        metadata_options: {http_tokens: "x{{ t }}"}',
      '    - amazon.aws.ec2_instance:',
      '        metadata_options: {http_tokens: "{{ t | regex_replace(\'o\', \'r\') }}"}',
      '',
    ].join('\n');
    assert.deepEqual(brief((await scanOne(text)).findings), ['4:7 cannotDetermine', '6:7 cannotDetermine']);
  });

  it('metadata_options from a variable, and through merge keys', async () => {
    const text = [
      '- hosts: all',
      '  vars:',
      '    imds_options:',
      '      http_endpoint: enabled',
      '    base: &base',
      '      metadata_options:',
      '        http_tokens: optional',
      '  tasks:',
      '    - amazon.aws.ec2_instance:',
      '        metadata_options: "{{ imds_options }}"',
      '    - amazon.aws.ec2_instance:',
      '        <<: *base',
      '        name: merged',
      '',
    ].join('\n');
    const { findings } = await scanOne(text);
    assert.deepEqual(brief(findings), ['7:22 tokensOptional', '10:9 tokensMissingToolDefault']);
    const fixed = fixAll(text, findings, 'playbook.yml');
    assert.match(fixed, /imds_options:\n {6}http_tokens: required\n {6}http_endpoint: enabled/);
  });

  it('role tasks resolve defaults/main.yml, overridden by vars/main.yml; the fix edits the defaults', async () => {
    const tasks = `- name: web\n  amazon.aws.ec2_instance:\n    metadata_options:\n      http_tokens: "{{ web_tokens }}"\n      http_put_response_hop_limit: "{{ web_hops }}"\n`;
    const defaults = `web_tokens: optional\nweb_hops: 1\n`;
    const { findings } = await scanFiles({ 'roles/web/tasks/main.yml': tasks, 'roles/web/defaults/main.yml': defaults });
    assert.deepEqual(
      findings.map((f) => `${f.file}:${f.line} ${f.messageId}`),
      ['roles/web/defaults/main.yml:1 tokensOptional'],
    );
    assert.equal(fixAll(defaults, findings, 'roles/web/defaults/main.yml'), 'web_tokens: required\nweb_hops: 1\n');

    const overridden = await scanFiles({
      'roles/web/tasks/main.yml': tasks,
      'roles/web/defaults/main.yml': defaults,
      'roles/web/vars/main.yml': 'web_tokens: required\nweb_hops: 2\n',
    });
    assert.deepEqual(
      overridden.findings.map((f) => `${f.file}:${f.line} ${f.messageId}`),
      ['roles/web/vars/main.yml:2 hopLimitAboveOne'],
    );
  });
});

describe('ansible analyser: launch templates and their users', () => {
  it('an instance without metadata options defers to a template of the same file', async () => {
    const text = [
      '- name: lt',
      '  amazon.aws.ec2_launch_template:',
      '    template_name: web',
      '    metadata_options: {http_tokens: optional}',
      '- name: asg',
      '  amazon.aws.autoscaling_group:',
      '    launch_template: {launch_template_name: web}',
      '- name: vm',
      '  amazon.aws.ec2_instance:',
      '    launch_template: {name: web}',
      '- name: vm with its own options',
      '  amazon.aws.ec2_instance:',
      '    launch_template: {name: web}',
      '    metadata_options: {http_endpoint: enabled}',
      '',
    ].join('\n');
    const { findings } = await scanOne(text);
    assert.deepEqual(brief(findings), ['4:37 tokensOptional', '14:5 tokensMissingToolDefault']);
    assert.match(findings[0]!.message, /\(used by task\[5\]:asg, task\[8\]:vm\)$/);
  });
});

describe('ansible analyser: fixes', () => {
  it('appends metadata_options after the last argument, in the file’s indentation', async () => {
    const text = [
      '- name: a',
      '  amazon.aws.ec2_instance:',
      '      name: a',
      '      user_data: |',
      '        #!/bin/bash',
      '        echo hi',
      '',
      '      tags:',
      '          Role: a   # comment',
      '- name: b',
      '  amazon.aws.ec2_instance: {name: b}',
      '- name: c',
      '  amazon.aws.ec2_instance:',
      '    name: c',
      '    metadata_options: {}',
    ].join('\n');
    const { findings } = await scanOne(text);
    const fixed = fixAll(text, findings, 'playbook.yml');
    assert.equal(
      fixed,
      [
        '- name: a',
        '  amazon.aws.ec2_instance:',
        '      name: a',
        '      user_data: |',
        '        #!/bin/bash',
        '        echo hi',
        '',
        '      tags:',
        '          Role: a   # comment',
        '      metadata_options:',
        '          http_tokens: required',
        '- name: b',
        '  amazon.aws.ec2_instance: {name: b, metadata_options: {http_tokens: required}}',
        '- name: c',
        '  amazon.aws.ec2_instance:',
        '    name: c',
        '    metadata_options: {http_tokens: required}',
      ].join('\n'),
    );
  });

  it('keeps CRLF line endings, and the fixed file offers no further fix', async () => {
    const text = '- name: a\r\n  amazon.aws.ec2_instance:\r\n    name: a\r\n- name: b\r\n  amazon.aws.ec2_instance:\r\n    metadata_options:\r\n      http_endpoint: enabled\r\n';
    const { findings } = await scanOne(text);
    const fixed = fixAll(text, findings, 'playbook.yml');
    assert.doesNotMatch(fixed.replace(/\r\n/g, ''), /\n/);
    assert.equal(fixed.split('\r\n').length, text.split('\r\n').length + 3);
    const again = await scanOne(fixed);
    assert.deepEqual(brief(again.findings), []);
  });

  it('counts syntax errors for the fix check', async () => {
    const analyser = ansibleAnalyser();
    assert.equal(await analyser.countSyntaxErrors('a: 1\n', 'x.yml'), 0);
    assert.ok((await analyser.countSyntaxErrors('a: [1\n', 'x.yml')) > 0);
  });
});
