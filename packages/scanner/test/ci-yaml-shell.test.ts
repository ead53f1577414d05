import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { applyFixes, type Finding } from '@imds-guard/core';
import { isMap, isSeq, parseDocument, type Node } from 'yaml';
import { splitExpressions } from '../src/ci/github-actions.ts';
import { YamlShellBuilder } from '../src/ci/yaml-shell.ts';
import { analyseEmbeddedShell } from '../src/embedded/index.ts';

const URL = 'http://169.254.169.254/latest/meta-data/instance-id';

function valueOf(host: string, key: string): Node {
  const doc = parseDocument(host, { keepSourceTokens: true });
  assert.deepEqual(doc.errors, [], 'the test YAML parses');
  const node = (doc.contents as { get(k: string, keep: true): Node }).get(key, true);
  assert.ok(node, `no ${key}`);
  return node;
}

/** One scalar as a piece; `split` turns on GitHub's `${{ }}` handling. */
function piece(host: string, key: string, split = false) {
  const b = new YamlShellBuilder(host, split ? splitExpressions : undefined);
  assert.ok(b.scalar(valueOf(host, key)));
  return b.build({ context: 'in a test' });
}

/** A list of scalars joined into one script, as GitLab and cloud-init do. */
function listPiece(host: string, key: string) {
  const seq = valueOf(host, key);
  assert.ok(isSeq(seq));
  const b = new YamlShellBuilder(host);
  let last: number | undefined;
  for (const item of seq.items as Node[]) {
    if (last !== undefined) b.joiner(last, '\n');
    assert.ok(b.scalar(item, { item: true }));
    last = item.range![1];
  }
  return b.build();
}

async function fixOnce(host: string, findings: readonly Finding[]) {
  return applyFixes(host, findings.flatMap((f) => (f.fix ? [f.fix] : []))).text;
}

describe('YAML scalars as shell text', () => {
  it('strips a literal block\'s indentation and maps each character back', () => {
    const host = `run: |\n  id=$(curl -s ${URL})\n    echo "$id"\n\n  done\n`;
    const p = piece(host, 'run');
    assert.equal(p.text, `id=$(curl -s ${URL})\n  echo "$id"\n\ndone\n`);
    assert.equal(host.slice(p.toHost(p.text.indexOf('curl'))).slice(0, 4), 'curl');
    assert.equal(host.slice(p.toHost(p.text.indexOf('echo'))).slice(0, 4), 'echo');
    assert.equal(host.slice(p.toHost(p.text.indexOf('done'))).slice(0, 4), 'done');
  });

  it('folds a folded block and flow scalars the way the parser does', () => {
    const host = [
      'folded: >-',
      '  curl -s',
      `  ${URL}`,
      '',
      '  echo next',
      'plain: curl -s',
      `  ${URL}`,
      `single: 'echo ''it''s'' &&`,
      `  curl ${URL}'`,
      `double: "printf \\"%s\\\\t\\x41\\u00e9\\" \\`,
      `  $(curl ${URL})"`,
      '',
    ].join('\n');
    assert.equal(piece(host, 'folded').text, `curl -s ${URL}\necho next\n`);
    assert.equal(piece(host, 'plain').text, `curl -s ${URL}`);
    assert.equal(piece(host, 'single').text, `echo 'it's' && curl ${URL}`);
    // `\\` is one backslash, `\x41` is A, `\u00e9` is é, and the escaped line break joins without a space.
    assert.equal(piece(host, 'double').text, `printf "%s\\tAé" $(curl ${URL})`);
    const double = piece(host, 'double');
    assert.equal(host.slice(double.toHost(double.text.indexOf('curl'))).slice(0, 4), 'curl');
  });

  it('shows `${{ }}` to the shell as one opaque word that no fix edits', async () => {
    const host = `run: |\n  curl -s -H "Authorization: \${{ secrets.HOOK }}" \${{ env.BASE }}/hook\n  curl -s ${URL}\n`;
    const p = piece(host, 'run', true);
    assert.equal(p.text, `curl -s -H "Authorization: __GHA_EXPR_1__" __GHA_EXPR_2__/hook\ncurl -s ${URL}\n`);
    const findings = await analyseEmbeddedShell(host, 'w.yml', [p]);
    assert.deepEqual(findings.map((f) => [f.line, f.messageId]), [[3, 'missingToken']]);
    assert.match(await fixOnce(host, findings), /\$\{\{ secrets\.HOOK \}\}" \$\{\{ env\.BASE \}\}\/hook\n {2}: "\$\{IMDS_TOKEN:=/);
  });

  it('keeps CRLF line ends in a literal block and in its fix', async () => {
    const host = `run: |\r\n  echo start\r\n  curl -s ${URL}\r\n`;
    const p = piece(host, 'run');
    assert.equal(p.text, `echo start\ncurl -s ${URL}\n`);
    const fixed = await fixOnce(host, await analyseEmbeddedShell(host, 'w.yml', [p]));
    assert.match(fixed, /\r\n {2}: "\$\{IMDS_TOKEN:=[^\n]*\r\n {2}curl -H "X-aws-ec2-metadata-token: \$IMDS_TOKEN" -s /);
    assert.doesNotMatch(fixed, /[^\r]\n/);
  });
});

describe('fixes written in the style of the scalar', () => {
  it('indents every new line of a literal block', async () => {
    const host = `jobs:\n  run: |\n      set -e\n      curl -s ${URL}\n`;
    const doc = parseDocument(host, { keepSourceTokens: true });
    const run = (doc.get('jobs') as { get(k: string, keep: true): Node }).get('run', true);
    const b = new YamlShellBuilder(host);
    b.scalar(run);
    const fixed = await fixOnce(host, await analyseEmbeddedShell(host, 'w.yml', [b.build()]));
    assert.equal(fixed.split('\n')[3]!.slice(0, 9), '      : "');
    assert.equal(parseDocument(fixed).toJS().jobs.run.split('\n')[1].slice(0, 30), ': "${IMDS_TOKEN:=$(curl -sS -X');
  });

  it('escapes quotes and writes the new line as \\n in a double-quoted scalar', async () => {
    const host = `run: "curl -s ${URL}"\n`;
    const fixed = await fixOnce(host, await analyseEmbeddedShell(host, 'w.yml', [piece(host, 'run')]));
    const value = parseDocument(fixed).toJS().run as string;
    assert.equal(value.split('\n').length, 2);
    assert.match(value, /^: "\$\{IMDS_TOKEN:=\$\(curl -sS -X PUT "http:\/\/169\.254\.169\.254\/latest\/api\/token"/);
    assert.match(value.split('\n')[1]!, /^curl -H "X-aws-ec2-metadata-token: \$IMDS_TOKEN" -s /);
  });

  it('offers no fix where the style cannot hold the new text', async () => {
    // Plain: `-H "…: …"` would start a mapping. Single-quoted and folded: no way to add the token line.
    for (const host of [`run: curl -s ${URL}\n`, `run: 'curl -s ${URL}'\n`, `run: >\n  curl -s\n  ${URL}\n`]) {
      const [finding, ...rest] = await analyseEmbeddedShell(host, 'w.yml', [piece(host, 'run')]);
      assert.equal(rest.length, 0);
      assert.equal(finding!.messageId, 'missingToken', host);
      assert.equal(finding!.fix, undefined, host);
    }
  });

  it('fixes a single-quoted scalar when the token is already in scope, doubling quotes', async () => {
    const host = `run: 'T=$(curl -s -X PUT http://169.254.169.254/latest/api/token -H ''X-aws-ec2-metadata-token-ttl-seconds: 60''); curl -s ${URL}'\n`;
    const findings = await analyseEmbeddedShell(host, 'w.yml', [piece(host, 'run')]);
    assert.deepEqual(findings.map((f) => f.messageId), ['missingToken']);
    const fixed = await fixOnce(host, findings);
    assert.match(parseDocument(fixed).toJS().run, /; curl -H "X-aws-ec2-metadata-token: \$T" -s http/);
  });

  it('inserts the token line as a new item before a list item, in the item\'s quoting', async () => {
    const host = [
      'script:',
      '  - echo start',
      `  - 'ID=$(curl -s ${URL})'`,
      `  - "echo \\"$ID\\" $(curl -s ${URL})"`,
      '',
    ].join('\n');
    const fixed = await fixOnce(host, await analyseEmbeddedShell(host, 'ci.yml', [listPiece(host, 'script')]));
    const items = parseDocument(fixed).toJS().script as string[];
    assert.equal(items.length, 4);
    assert.equal(items[0], 'echo start');
    assert.match(items[1]!, /^: "\$\{IMDS_TOKEN:=\$\(curl -sS -X PUT /);
    assert.match(items[2]!, /^ID=\$\(curl -H "X-aws-ec2-metadata-token: \$IMDS_TOKEN" -s /);
    assert.match(items[3]!, /^echo "\$ID" \$\(curl -H "X-aws-ec2-metadata-token: \$IMDS_TOKEN" -s /);
    assert.match(fixed, /\n {2}- ': "\$\{IMDS_TOKEN:=[^\n]*'\n {2}- 'ID=/);
  });

  it('writes a new item before a plain item in single quotes', async () => {
    // HTTPie's header (`Name:value`, no space) fits in a plain scalar; the token line goes in quotes.
    const host = `script:\n  - - http --body GET ${URL}\n`;
    const seq = valueOf(host, 'script');
    assert.ok(isSeq(seq) && isSeq(seq.items[0]));
    const b = new YamlShellBuilder(host);
    assert.ok(b.scalar((seq.items[0] as { items: Node[] }).items[0], { item: true }));
    const [finding] = await analyseEmbeddedShell(host, 'ci.yml', [b.build()]);
    const fixed = await fixOnce(host, [finding!]);
    assert.match(fixed, /^script:\n {2}- - ': "\$\{IMDS_TOKEN:=[^\n]*"'\n {4}- http --body GET http\S+ "X-aws-ec2-metadata-token:\$IMDS_TOKEN"\n$/);
    assert.deepEqual(parseDocument(fixed).errors, []);
  });

  it('withholds the whole fix when one of its edits cannot be written', async () => {
    const host = `script:\n  - curl -s ${URL}\n`;
    const [finding] = await analyseEmbeddedShell(host, 'ci.yml', [listPiece(host, 'script')]);
    assert.equal(finding!.messageId, 'missingToken');
    assert.equal(finding!.fix, undefined);
  });
});

describe('scalars the decoder does not follow', () => {
  it('are still analysed, reported at the scalar, without a fix', async () => {
    // An indentation indicator in a nested sequence: the block's indentation counts from the inner
    // sequence, not from the line, so the decoded text would differ from the parser's value.
    const host = `- - |2\n      curl -s ${URL}\n`;
    const doc = parseDocument(host, { keepSourceTokens: true });
    assert.deepEqual(doc.errors, []);
    const node = ((doc.contents as { items: { items: Node[] }[] }).items[0]!).items[0]!;
    const b = new YamlShellBuilder(host);
    assert.ok(b.scalar(node));
    const p = b.build();
    assert.equal(p.text, `  curl -s ${URL}\n`);
    const [finding] = await analyseEmbeddedShell(host, 'w.yml', [p]);
    assert.equal(finding!.messageId, 'missingToken');
    assert.equal(finding!.start, node.range![0]);
    assert.equal(finding!.fix, undefined);
  });

  it('refuses what is not a string scalar', () => {
    const host = 'a: 42\nb: [x]\nc: {k: v}\n';
    const doc = parseDocument(host, { keepSourceTokens: true });
    assert.ok(isMap(doc.contents));
    const b = new YamlShellBuilder(host);
    for (const key of ['a', 'b', 'c']) assert.equal(b.scalar(doc.get(key, true) as Node), false);
    assert.ok(b.isEmpty);
  });
});
