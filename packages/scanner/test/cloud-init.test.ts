import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { applyFixes } from '@imds-guard/core';
import { parseDocument } from 'yaml';
import { analyseCloudConfigFile, cloudInitAnalyser } from '../src/cloud-init/analyser.ts';
import { cloudConfigPieces } from '../src/cloud-init/cloud-config.ts';
import { analyseEmbeddedShell, ShellTextBuilder, userDataPieces } from '../src/embedded/index.ts';
import { scan } from '../src/scan.ts';
import { tempTree } from '../../testkit/src/temp-tree.ts';

const URL = 'http://169.254.169.254/latest/meta-data/instance-id';

const analyse = (text: string) => analyseCloudConfigFile({ path: 'user-data', file: 'user-data', text });

describe('cloud-config files', () => {
  it('runs runcmd and bootcmd as scripts, one line per item, with their context', async () => {
    const text = `#cloud-config\nbootcmd:\n  - 'curl -s ${URL} > /run/id'\nruncmd:\n  - echo hi\n  - [curl, -s, '${URL}']\n`;
    const { findings } = await analyse(text);
    assert.deepEqual(findings.map((f) => [f.line, f.message.slice(f.message.lastIndexOf('('))]), [
      [3, '(in the cloud-config bootcmd, which runs at every boot)'],
      [6, '(in the cloud-config runcmd)'],
    ]);
    // The argv item is quoted word by word by cloud-init: reported, never fixed.
    assert.equal(findings[1]!.fix, undefined);
    assert.ok(findings[0]!.fix);
  });

  it('quotes argv items the way cloud-init does', () => {
    const text = `#cloud-config\nruncmd:\n  - [sh, -c, "echo it's $HOME"]\n  - [echo, 42]\n`;
    assert.equal(cloudConfigPieces(text).pieces[0]!.text, `'sh' '-c' 'echo it'\\''s $HOME'\n'echo' '42'`);
  });

  it('analyses write_files entries that are scripts, and only those', async () => {
    const entry = (extra: string, content = `curl -s ${URL}`) => `  - path: /opt/x${extra}\n    content: |\n      ${content}\n`;
    const files = [
      entry('.sh'), // script by its name
      entry('\n    permissions: "0750"'), // executable
      entry('\n    permissions: 0755'), // YAML 1.1 octal, as cloud-init reads it
      entry('', `#!/bin/sh\n      curl -s ${URL}`), // shebang
      entry('.conf\n    permissions: "0644"'), // data
      entry('.sh', `#!/usr/bin/env python3\n      curl -s ${URL}`), // another interpreter
      entry('.sh\n    encoding: b64'), // encoded: not read
    ];
    const text = `#cloud-config\nwrite_files:\n${files.join('')}`;
    assert.deepEqual(parseDocument(text).errors, []);
    const { findings } = await analyse(text);
    assert.deepEqual(
      findings.map((f) => f.message.slice(f.message.lastIndexOf('(in ') + 4, f.message.indexOf(','))),
      ['/opt/x.sh', '/opt/x', '/opt/x', '/opt/x'],
    );
  });

  it('inserts the token line as a runcmd item and keeps the file valid YAML', async () => {
    const text = `#cloud-config\nruncmd:\n  - 'ID=$(curl -fsS ${URL})'\n  - "echo \\"$ID\\" > /etc/id"\n`;
    const { findings } = await analyse(text);
    const fixed = applyFixes(text, findings.map((f) => f.fix!)).text;
    const runcmd = parseDocument(fixed).toJS().runcmd as string[];
    assert.equal(runcmd.length, 3);
    assert.match(runcmd[0]!, /^: "\$\{IMDS_TOKEN:=/);
    assert.match(runcmd[1]!, /^ID=\$\(curl -H "X-aws-ec2-metadata-token: \$IMDS_TOKEN" -fsS /);
    assert.deepEqual((await analyse(fixed)).findings, []);
  });

  it('reads nothing but #cloud-config files', async () => {
    assert.deepEqual((await analyse(`runcmd:\n  - curl -s ${URL}\n`)).findings, []);
    assert.deepEqual((await analyse(`#!/bin/bash\ncurl -s ${URL}\n`)).findings, []);
  });
});

describe('the cloud-init analyser', () => {
  const tree = tempTree('imds-guard-cloud-init-');
  after(() => tree.cleanup());

  it('claims YAML, and other files by their first line when named like user data', () => {
    const a = cloudInitAnalyser();
    const config = `#cloud-config\nruncmd: []\n`;
    assert.equal(a.claims(tree.write('any.yaml', 'x: 1\n'), false), true);
    assert.equal(a.claims(tree.write('user-data', config), false), true);
    assert.equal(a.claims(tree.write('web.cloud-config', config), false), true);
    assert.equal(a.claims(tree.write('userdata-web.txt', config), false), true);
    assert.equal(a.claims(tree.write('user-data-shell', `#!/bin/bash\n`), false), false);
    assert.equal(a.claims(tree.write('notes.txt', config), false), false);
    assert.equal(a.claims(tree.path('notes.txt'), true), true);
    // Terraform templates reach cloud-init through the resource that renders them.
    assert.equal(a.claims(tree.write('user-data.tpl', config), false), false);
    assert.equal(a.mayMatter(`#cloud-config\nruncmd:\n  - curl ${URL}\n`), true);
    assert.equal(a.mayMatter(`runcmd:\n  - curl ${URL}\n`), false);
    assert.equal(a.mayMatter(`#cloud-config\nruncmd:\n  - echo hi\n`), false);
  });

  it('reports a user-data file once, through the whole scan', async () => {
    tree.write('scan/user-data', `#cloud-config\nruncmd:\n  - 'curl -s ${URL}'\n`);
    tree.write('scan/.gitlab-ci.yml', `job:\n  script:\n    - 'curl -s ${URL}'\n`);
    const result = await scan(['scan'], { cwd: tree.root });
    assert.deepEqual(result.errors, []);
    assert.deepEqual(result.findings.map((f) => [f.file, f.line, f.messageId]), [
      ['scan/.gitlab-ci.yml', 3, 'missingToken'],
      ['scan/user-data', 3, 'missingToken'],
    ]);
  });
});

/** User data inside a host that writes `$` as `$$` and indents every line by four spaces. */
function dollarHost(host: string, from: number, to: number) {
  const b = new ShellTextBuilder();
  for (let i = from; i < to; ) {
    if (host.startsWith('$$', i)) {
      b.decoded(i, i + 2, '$');
      i += 2;
    } else if (host.startsWith('    ', i) && (i === from || host[i - 1] === '\n')) {
      b.decoded(i, i + 4, '');
      i += 4;
    } else {
      let j = i + 1;
      while (j < to && !host.startsWith('$$', j) && host[j - 1] !== '\n') j++;
      b.verbatim(i, host.slice(i, j));
      i = j;
    }
  }
  return b.build({
    context: 'in the user_data of aws_instance.web',
    requiredBy: 'aws_instance.web',
    escape: (text, at) => {
      const indent = host.slice(host.lastIndexOf('\n', at - 1) + 1, at).match(/^ */)![0];
      return text.replaceAll('$', () => '$$').replaceAll('\n', `\n${indent.slice(0, 4)}`);
    },
  });
}

describe('cloud-config user data in another host', () => {
  const HOST = ['user_data = <<EOF', '    #cloud-config', '    runcmd:', '      - echo "$$HOME"', `      - 'ID=$$(curl -s ${URL})'`, 'EOF', ''].join('\n');
  const from = HOST.indexOf('    #cloud-config');
  const to = HOST.indexOf('EOF\n', from);

  it('is recognised by the user-data dispatcher and not read as a shell script', () => {
    const pieces = userDataPieces(dollarHost(HOST, from, to));
    assert.equal(pieces.length, 1);
    assert.equal(pieces[0]!.text, `echo "$HOME"\nID=$(curl -s ${URL})`);
    assert.equal(pieces[0]!.context, 'in the cloud-config runcmd, in the user_data of aws_instance.web');
    const empty = `    #cloud-config\n    packages: [jq]\n`;
    assert.deepEqual(userDataPieces(dollarHost(empty, 0, empty.length)), []);
  });

  it('reports at the host position, as breaking the instance that requires IMDSv2, with both escapings in the fix', async () => {
    const [finding, ...rest] = await analyseEmbeddedShell(HOST, 'main.tf', userDataPieces(dollarHost(HOST, from, to)));
    assert.equal(rest.length, 0);
    assert.equal(finding!.messageId, 'breaksAtBoot');
    assert.equal(HOST.slice(finding!.start, finding!.end), `curl -s ${URL}`);
    assert.match(finding!.message, /aws_instance\.web/);
    const fixed = applyFixes(HOST, [finding!.fix!]).text;
    const lines = fixed.split('\n');
    // A new runcmd item, at the item's indentation inside the heredoc, with `$` doubled for the host.
    assert.equal(lines[3], '      - echo "$$HOME"');
    assert.match(lines[4]!, /^ {6}- ': "\$\$\{IMDS_TOKEN:=\$\$\(curl -sS -X PUT [^']*"'$/);
    assert.match(lines[5]!, /^ {6}- 'ID=\$\$\(curl -H "X-aws-ec2-metadata-token: \$\$IMDS_TOKEN" -s /);
    const userData = dollarHost(fixed, from, fixed.indexOf('EOF\n', from));
    const doc = parseDocument(userData.text);
    assert.deepEqual(doc.errors, []);
    assert.equal((doc.toJS().runcmd as string[]).length, 3);
    assert.deepEqual(await analyseEmbeddedShell(fixed, 'main.tf', userDataPieces(userData)), []);
  });
});
