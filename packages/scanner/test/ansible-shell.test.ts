import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { applyFixes, type Finding } from '@imds-guard/core';
import { isScalar, parseDocument, type Scalar } from 'yaml';
import { ansibleAnalyser } from '../src/ansible/analyser.ts';
import { jinjaToShell } from '../src/ansible/jinja-text.ts';
import { scalarText } from '../src/ansible/scalar-text.ts';
import { shlexWords } from '../src/ansible/shlex.ts';
import { countYamlErrors } from '../src/ansible/yaml.ts';
import { scanWith } from '../src/scan.ts';
import { tempTree } from '../../testkit/src/temp-tree.ts';

// Test texts are built from pieces, so no line of this file is a runnable request.
const IMDS = ['http://169', '254', '169', '254'].join('.');
const ID_URL = `${IMDS}/latest/meta-data/instance-id`;

const tree = tempTree('imds-guard-ansible-shell-');
after(() => tree.cleanup());
let counter = 0;

async function scanFiles(files: Record<string, string>) {
  const dir = `case-${++counter}`;
  for (const [rel, text] of Object.entries(files)) tree.write(`${dir}/${rel}`, text);
  const result = await scanWith([ansibleAnalyser()], [dir], { cwd: tree.root });
  return { findings: result.findings.map((f) => ({ ...f, file: f.file.slice(dir.length + 1) })), errors: result.errors };
}

const scanOne = async (text: string, name = 'tasks.yml') => (await scanFiles({ [name]: text })).findings;
const brief = (findings: readonly Finding[]) => findings.map((f) => `${f.line}:${f.column} ${f.messageId}${f.fix ? ' fix' : ''}`);
const fixAll = (text: string, findings: readonly Finding[]) => applyFixes(text, findings.flatMap((f) => (f.fix ? [f.fix] : []))).text;

/** The first scalar value of a one-task file, for the mapping tests. */
function valueOf(text: string, key: string): Scalar {
  const doc = parseDocument(text);
  let found: Scalar | undefined;
  const visit = (node: unknown): void => {
    if (found || !node || typeof node !== 'object') return;
    const items = (node as { items?: unknown[] }).items;
    for (const item of items ?? []) {
      const pair = item as { key?: unknown; value?: unknown };
      if (isScalar(pair.key) && pair.key.value === key && isScalar(pair.value)) found = pair.value;
      else visit(pair.value ?? item);
    }
  };
  visit(doc.contents);
  assert.ok(found, `no scalar under ${key}`);
  return found;
}

/** The host text at the host position of shell offset `of` in the value. */
function hostAt(text: string, key: string, needle: string): string {
  const mapped = scalarText(text, valueOf(text, key))!;
  const at = mapped.piece.text.indexOf(needle);
  assert.ok(at >= 0, `${needle} not in ${JSON.stringify(mapped.piece.text)}`);
  const start = mapped.piece.toHost(at);
  return text.slice(start, mapped.piece.toHostEnd(at + needle.length));
}

describe('YAML scalars: value and positions', () => {
  const cases: [string, string][] = [
    ['plain over lines', `- shell: curl -s\n    ${ID_URL}\n\n    -o id\n`],
    ['single-quoted', `- shell: 'echo ''it''s'' &&\n    curl -s ${ID_URL}'\n`],
    ['double-quoted with escapes', `- shell: "echo \\"\\u00e9\\t\\" && curl -s ${ID_URL}"\n`],
    ['literal block', `- shell: |\n    set -e\n      indented\n\n    curl -s ${ID_URL}\n  when: true\n`],
    ['literal block, keep', `- shell: |+\n    curl -s ${ID_URL}\n\n- x: 1\n`],
    ['folded block', `- shell: >-\n    curl -s\n    ${ID_URL}\n\n    more\n      kept\n    end\n`],
    ['literal block, CRLF', `- shell: |\r\n    set -e\r\n    curl -s ${ID_URL}\r\n`],
  ];
  for (const [name, text] of cases) {
    it(`${name}: the mapped text is the parsed value, and curl and the URL map onto their source`, () => {
      const node = valueOf(text, 'shell');
      const mapped = scalarText(text, node)!;
      assert.equal(mapped.piece.text, node.value);
      assert.equal(mapped.precise, true);
      assert.equal(hostAt(text, 'shell', 'curl'), 'curl');
      assert.equal(hostAt(text, 'shell', ID_URL), ID_URL);
    });
  }

  it('maps escapes and folds onto the characters they were written as', () => {
    assert.equal(hostAt(cases[2]![1], 'shell', '\u00e9'), '\\u00e9');
    assert.equal(hostAt(cases[1]![1], 'shell', "it's"), "it''s");
    assert.equal(hostAt(cases[0]![1], 'shell', `-s ${IMDS}`), `-s\n    ${IMDS}`);
  });

  it('falls back to a coarse map, with no edits, for an explicit indentation indicator', () => {
    const text = `- shell: |2\n    curl -s ${ID_URL}\n`;
    const node = valueOf(text, 'shell');
    const mapped = scalarText(text, node)!;
    assert.equal(mapped.precise, false);
    assert.equal(mapped.piece.text, node.value);
    assert.equal(mapped.piece.toHost(5), node.range![0]);
    assert.equal(mapped.piece.escape, undefined);
  });
});

describe('Jinja in module arguments', () => {
  it('writes resolved variables in, unknown expressions as unset variables, and drops tags', () => {
    const shell = jinjaToShell('curl {{ base }}/x/{{ item | lower }}\n{% if a %}\necho {# note #}hi\n{% endif %}\n', (n) => (n === 'base' ? IMDS : undefined));
    assert.equal(shell.text, `curl ${IMDS}/x/\${__jinja_1}\necho hi\n`);
    assert.equal(shell.toHost(shell.text.indexOf('/x/')), 'curl {{ base }}'.length);
  });

  it('keeps raw sections and honours whitespace control', () => {
    assert.equal(jinjaToShell('a {% raw %}{{ x }}{% endraw %} b').text, 'a {{ x }} b');
    assert.equal(jinjaToShell('a   {{- x -}}   b').text, 'a${__jinja_1}b');
  });

  it('refuses fix text that would start a template', () => {
    const shell = jinjaToShell('echo hi');
    assert.equal(shell.escape!('echo {{ x }}', 0), undefined);
    assert.equal(shell.escape!('echo "${X}"', 0), 'echo "${X}"');
  });
});

describe('shlexWords (the command module)', () => {
  it('splits like shlex.split in POSIX mode', () => {
    assert.deepEqual(
      shlexWords(`curl -H "A: \\"b\\"" 'c d' e\\ f |`).map((w) => w.word),
      ['curl', '-H', 'A: "b"', 'c d', 'e f', '|'],
    );
    assert.deepEqual(shlexWords('  a  bb ').map((w) => [w.start, w.end]), [[2, 3], [5, 7]]);
  });
});

describe('ansible shell tasks: findings', () => {
  it('reports a folded script at the request, and fixes it as a literal block that parses and scans clean', async () => {
    const text = `- name: id\n  shell: >\n    curl -s\n    ${ID_URL}\n    > /tmp/id\n`;
    const findings = await scanOne(text);
    assert.deepEqual(brief(findings), ['3:5 missingToken fix']);
    const fixed = fixAll(text, findings);
    assert.equal(countYamlErrors(fixed), 0);
    assert.match(fixed, /\n {2}shell: \|\n {4}: "\$\{IMDS_TOKEN:=/);
    assert.deepEqual(brief(await scanOne(fixed)), []);
  });

  it('edits a literal block in place, keeping its indentation and CRLF line ends', async () => {
    const text = `- name: id\r\n  ansible.builtin.shell: |\r\n    set -e\r\n    ID=$(curl -s ${ID_URL})\r\n  changed_when: false\r\n`;
    const findings = await scanOne(text);
    assert.deepEqual(brief(findings), ['4:10 missingToken fix']);
    const fixed = fixAll(text, findings);
    assert.equal(fixed.split('\r\n')[3], '    : "${IMDS_TOKEN:=$(curl -sS -X PUT "http://169.254.169.254/latest/api/token" -H "X-aws-ec2-metadata-token-ttl-seconds: 21600")}"');
    assert.ok(!/[^\r]\n/.test(fixed), 'a bare LF was added');
    assert.deepEqual(brief(await scanOne(fixed)), []);
  });

  it('keeps a trailing comment when a one-line script becomes a block', async () => {
    const text = `- name: id\n  shell: curl -s ${ID_URL} > /tmp/id  # cached for the agent\n  args:\n    creates: /tmp/id\n`;
    const fixed = fixAll(text, await scanOne(text));
    assert.match(fixed, /\n {2}shell: \| # cached for the agent\n {4}: "/);
    assert.equal(countYamlErrors(fixed), 0);
    assert.equal(parseDocument(fixed).toJS()[0].args.creates, '/tmp/id');
  });

  it('writes the fix in the escapes of a double-quoted scalar inside a flow mapping', async () => {
    const text = `- { name: id, shell: "curl -s ${ID_URL}" }\n`;
    const findings = await scanOne(text);
    assert.deepEqual(brief(findings), ['1:23 missingToken fix']);
    const fixed = fixAll(text, findings);
    const value = parseDocument(fixed).toJS()[0].shell as string;
    assert.match(value, /^: "\$\{IMDS_TOKEN:=.*\)\}"\ncurl -H "X-aws-ec2-metadata-token: \$IMDS_TOKEN" -s /);
  });

  it('resolves a URL from the role defaults, and says nothing when the variable is unknown', async () => {
    const task = `- name: id\n  shell: curl -s {{ metadata_base }}/latest/meta-data/instance-id\n`;
    const { findings } = await scanFiles({
      'roles/facts/tasks/main.yml': task,
      'roles/facts/defaults/main.yml': `metadata_base: ${IMDS}\n`,
      'other/tasks.yml': task,
    });
    assert.deepEqual(findings.map((f) => `${f.file}:${f.line}`), ['roles/facts/tasks/main.yml:2']);
  });

  it('treats a templated header as unknown (a warning), not as missing', async () => {
    const findings = await scanOne(`- name: id\n  shell: curl -s -H "{{ token_header }}" ${ID_URL}\n`);
    assert.deepEqual(brief(findings), ['2:10 cannotDetermine']);
  });

  it('analyses command as one argv: a pipe is an argument, and no fix is offered', async () => {
    const findings = await scanOne(`- name: id\n  command: curl -s ${ID_URL} | tee /tmp/id\n- name: argv\n  command:\n    argv: [curl, -s, "${ID_URL}"]\n    chdir: /tmp\n`);
    assert.deepEqual(brief(findings), ['2:12 missingToken', '5:12 missingToken']);
    assert.equal(findings[0]!.endColumn, `  command: curl -s ${ID_URL} | tee /tmp/id`.length + 1);
  });

  it('fixes a one-line win_shell script as a literal block; win_command gets no fix', async () => {
    const text = `- name: id\n  ansible.windows.win_shell: Invoke-RestMethod -Uri ${ID_URL} | Out-File C:\\\\id.txt\n- name: cmd\n  win_command: curl.exe -s ${ID_URL}\n`;
    const findings = await scanOne(text);
    assert.deepEqual(brief(findings), ['2:30 missingToken fix', '4:16 missingToken']);
    const fixed = fixAll(text, findings);
    assert.match(fixed, /win_shell: \|\n {4}\$IMDSToken = Invoke-RestMethod -Method PUT .*\n {4}Invoke-RestMethod -Uri \S+ -Headers @\{ 'X-aws-ec2-metadata-token' = \$IMDSToken \} \| Out-File C:\\\\id\.txt\n/);
    assert.equal(countYamlErrors(fixed), 0);
    const argv = await scanOne(`- name: argv\n  ansible.windows.win_command:\n    argv: [curl.exe, -s, "${ID_URL}"]\n`);
    assert.deepEqual(brief(argv), ['3:12 missingToken']);
  });

  it('says when a task runs on the controller', async () => {
    const [finding] = await scanOne(`- name: probe\n  shell: curl -s ${ID_URL}\n  delegate_to: localhost\n`);
    assert.match(finding!.message, /\(in task 'probe', which runs on the Ansible controller\)$/);
  });

  it('looks only at task lists, and only at files that mention IMDS', async () => {
    const analyser = ansibleAnalyser();
    assert.equal(analyser.mayMatter('- shell: curl -s http://example.com\n'), false);
    assert.equal(analyser.mayMatter(`- shell: curl -s ${ID_URL}\n`), true);
    assert.deepEqual(brief(await scanOne(`jobs:\n  build:\n    steps:\n      - shell: curl -s ${ID_URL}\n`)), []);
  });
});

describe('ansible uri and get_url tasks', () => {
  it('judges the URL, method and headers like any HTTP client, and offers no fix', async () => {
    const text = [
      '- name: v1',
      '  ansible.builtin.uri:',
      `    url: ${ID_URL}`,
      '- name: token without TTL',
      '  uri:',
      `    url: ${IMDS}/latest/api/token`,
      '    method: PUT',
      '- name: headers from a variable',
      '  vars:',
      '    h: { X-aws-ec2-metadata-token: "{{ t }}" }',
      '  ansible.builtin.get_url:',
      `    url: ${ID_URL}`,
      '    dest: /tmp/id',
      '    headers: "{{ h }}"',
      '- name: headers unknown',
      '  uri:',
      `    url: ${ID_URL}`,
      '    headers: "{{ undefined_headers }}"',
      '',
    ].join('\n');
    const findings = await scanOne(text);
    assert.deepEqual(
      findings.map((f) => `${f.line} ${f.ruleId}/${f.messageId}${f.fix ? ' fix' : ''}`),
      ['2 no-imdsv1-request/missingToken', '5 no-invalid-imds-token-request/missingTtl', '16 no-imdsv1-request/cannotDetermine'],
    );
    assert.match(findings[0]!.message, /^ansible\.builtin\.uri reads http:\/\/169\.254\.169\.254\/latest\/meta-data\/instance-id without/);
  });
});

describe('ansible uri fixes', () => {
  it('sends the token an earlier uri task registered, in the task\'s headers', async () => {
    const text = [
      '- name: read before the token',
      '  uri:',
      `    url: ${ID_URL}`,
      '- name: token',
      '  ansible.builtin.uri:',
      `    url: ${IMDS}/latest/api/token`,
      '    method: PUT',
      '    headers:',
      '      X-aws-ec2-metadata-token-ttl-seconds: "300"',
      '    return_content: yes',
      '  register: imds',
      '- name: no headers yet',
      '  ansible.builtin.uri:',
      `    url: ${ID_URL}`,
      '    return_content: true',
      '- name: other headers',
      '  ansible.builtin.get_url:',
      `    url: ${ID_URL}`,
      '    dest: /tmp/id',
      '    headers:',
      '      Accept: text/plain',
      '',
    ].join('\n');
    const findings = await scanOne(text);
    assert.deepEqual(brief(findings), ['2:3 missingToken', '13:3 missingToken fix', '17:3 missingToken fix']);
    const fixed = fixAll(text, findings);
    const tasks = parseDocument(fixed).toJS();
    assert.deepEqual(tasks[2]['ansible.builtin.uri'].headers, { 'X-aws-ec2-metadata-token': '{{ imds.content }}' });
    assert.deepEqual(tasks[3]['ansible.builtin.get_url'].headers, { 'X-aws-ec2-metadata-token': '{{ imds.content }}', Accept: 'text/plain' });
    assert.deepEqual(brief(await scanOne(fixed)), ['2:3 missingToken']);
  });
});

describe('ansible ec2_instance user data', () => {
  it('reports a tokenless request as breaking the instance whose metadata options require tokens, with a fix', async () => {
    const launch = (name: string, options: string, userData: string) =>
      `- name: ${name}\n  amazon.aws.ec2_instance:\n    name: ${name}\n    image_id: ami-0abc${options}\n    user_data: |\n${userData}`;
    const text = [
      launch('web', '\n    metadata_options:\n      http_tokens: required', `      #!/bin/bash\n      ID=$(curl -s ${ID_URL})\n`),
      launch('worker', '\n    metadata_options:\n      http_tokens: optional', `      #cloud-config\n      runcmd:\n        - curl -s ${ID_URL} > /etc/id\n`),
    ].join('');
    const findings = (await scanOne(text)).filter((f) => f.ruleId === 'no-imdsv1-request');
    assert.deepEqual(findings.map((f) => `${f.line}:${f.column} ${f.messageId}`), ['9:12 breaksAtBoot', '19:11 missingToken']);
    assert.match(findings[0]!.message, /but task\[1\]:web requires IMDSv2.*\(in the user_data of task 'web'\)$/);
    assert.match(findings[1]!.message, /in the user_data of task 'worker'\)$/);
    const fixed = applyFixes(text, [findings[0]!.fix!]).text;
    assert.match(fixed, /\n {6}: "\$\{IMDS_TOKEN:=.*\n {6}ID=\$\(curl -H "X-aws-ec2-metadata-token: \$IMDS_TOKEN" -s /);
    assert.equal(countYamlErrors(fixed), 0);
  });
});
