import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { applyFixes } from '@imds-guard/core';
import { analyseEmbeddedShell, isTokenlessRequest, ShellTextBuilder } from '../src/embedded/index.js';

// A host that writes `$` as `$$` (as Makefiles and systemd units do), indented by four spaces.
function dollarDoubled(host: string, from: number, to: number) {
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
    context: 'in a test host',
    escape: (text, at) => {
      const indent = host.slice(host.lastIndexOf('\n', at - 1) + 1, at).match(/^ */)![0];
      return text.replaceAll('$', () => '$$').replaceAll('\n', `\n${indent}`);
    },
  });
}

const HOST = ['target:', '    echo "$$HOME"', '    curl -s http://169.254.169.254/latest/meta-data/instance-id > id', ''].join('\n');

describe('analyseEmbeddedShell', () => {
  const piece = dollarDoubled(HOST, HOST.indexOf('    echo'), HOST.length);

  it('decodes the host escaping into the text the shell sees', () => {
    assert.equal(piece.text, 'echo "$HOME"\ncurl -s http://169.254.169.254/latest/meta-data/instance-id > id\n');
  });

  it('reports at the host line and column, with the context after the message', async () => {
    const [finding, ...rest] = await analyseEmbeddedShell(HOST, 'Makefile', [piece]);
    assert.equal(rest.length, 0);
    assert.equal(finding!.messageId, 'missingToken');
    assert.deepEqual([finding!.line, finding!.column, finding!.endLine], [3, 5, 3]);
    assert.equal(HOST.slice(finding!.start, finding!.end), 'curl -s http://169.254.169.254/latest/meta-data/instance-id');
    assert.match(finding!.message, /\(in a test host\)$/);
    assert.ok(isTokenlessRequest(finding!));
  });

  it('writes the fix in the host escaping and indentation', async () => {
    const [finding] = await analyseEmbeddedShell(HOST, 'Makefile', [piece]);
    const fixed = applyFixes(HOST, [finding!.fix!]).text;
    const lines = fixed.split('\n');
    assert.match(lines[2]!, /^ {4}: "\$\$\{IMDS_TOKEN:=\$\$\(curl -sS -X PUT /);
    assert.match(lines[3]!, /^ {4}curl -H "X-aws-ec2-metadata-token: \$\$IMDS_TOKEN" -s http/);
    const again = await analyseEmbeddedShell(fixed, 'Makefile', [dollarDoubled(fixed, fixed.indexOf('    echo'), fixed.length)]);
    assert.deepEqual(again.map((f) => f.messageId), []);
  });

  it('offers no fix when the host cannot hold the new text', async () => {
    const strict = { ...piece, escape: () => undefined };
    const [finding] = await analyseEmbeddedShell(HOST, 'Makefile', [strict]);
    assert.equal(finding!.messageId, 'missingToken');
    assert.equal(finding!.fix, undefined);
  });
});

describe('analyseEmbeddedShell and escapes', () => {
  it('offers no fix whose insertion would fall inside an escape', async () => {
    // The host writes the whole command line as one escape: no shell offset inside it maps to a host offset.
    const host = 'RUN curl http://169.254.169.254/latest/meta-data/\n';
    const piece = new ShellTextBuilder().decoded(4, host.length - 1, host.slice(4, -1)).build({ escape: (text) => text });
    const [finding] = await analyseEmbeddedShell(host, 'Dockerfile', [piece]);
    assert.equal(finding!.messageId, 'missingToken');
    assert.equal(finding!.fix, undefined);
  });
});

describe('analyseEmbeddedShell on instances that require IMDSv2', () => {
  it('reports a tokenless request as breaking, naming the resource, with the same fix', async () => {
    const piece = { ...dollarDoubled(HOST, HOST.indexOf('    echo'), HOST.length), requiredBy: 'aws_instance.web' };
    const [finding] = await analyseEmbeddedShell(HOST, 'Makefile', [piece]);
    assert.equal(finding!.messageId, 'breaksAtBoot');
    assert.equal(finding!.severity, 'error');
    assert.match(finding!.message, /aws_instance\.web requires IMDSv2/);
    assert.equal(finding!.fix?.description, 'Fetch an IMDSv2 token once and send it with this request');
    assert.ok(isTokenlessRequest(finding!));
  });
});
