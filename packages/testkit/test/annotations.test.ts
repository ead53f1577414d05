import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { compareFindings, parseAnnotations, type ActualFinding, type Expectation } from '../src/index.js';

const R = 'no-imdsv1-request';
const T = 'no-invalid-imds-token-request';

/** Drops annotationLine so expectations compare on what matters. */
function targets(text: string, leader?: string) {
  const parsed = parseAnnotations(text, leader);
  return {
    ...parsed,
    short: parsed.expectations.map(({ annotationLine: _a, ...rest }) => rest),
  };
}

describe('parseAnnotations', () => {
  test('an own-line annotation applies to the next line', () => {
    const { short, errors } = targets(['#!/bin/bash', `# ruleid: ${R}`, 'curl -s http://169.254.169.254/latest/meta-data/'].join('\n'));
    assert.deepEqual(errors, []);
    assert.deepEqual(short, [{ kind: 'ruleid', ruleId: R, line: 3 }]);
  });

  test('a trailing annotation applies to its own line', () => {
    const { short, expectations } = targets(['set -e', `wget -qO- http://169.254.169.254/latest/meta-data/  # ruleid: ${R}`].join('\n'));
    assert.deepEqual(short, [{ kind: 'ruleid', ruleId: R, line: 2 }]);
    assert.equal(expectations[0]!.annotationLine, 2);
  });

  test('stacked annotations all apply to the next non-annotation line', () => {
    const text = [`# ruleid: ${R}/missingToken`, `# ruleid: ${R}`, `# ok: ${T}`, 'curl a || curl b'].join('\n');
    const { short, rulesNamed } = targets(text);
    assert.deepEqual(short, [
      { kind: 'ruleid', ruleId: R, messageId: 'missingToken', line: 4 },
      { kind: 'ruleid', ruleId: R, line: 4 },
      { kind: 'ok', ruleId: T, line: 4 },
    ]);
    assert.deepEqual([...rulesNamed].sort(), [R, T]);
  });

  test('stacked annotations and a trailing one on the target combine', () => {
    const { short } = targets([`# ruleid: ${R}`, `curl a || curl b # ruleid: ${R}`].join('\n'));
    assert.deepEqual(short, [
      { kind: 'ruleid', ruleId: R, line: 2 },
      { kind: 'ruleid', ruleId: R, line: 2 },
    ]);
  });

  test('a plain comment is a target line (for ok on commented-out commands)', () => {
    const { short } = targets([`# ok: ${R}`, '# curl http://169.254.169.254/latest/meta-data/'].join('\n'));
    assert.deepEqual(short, [{ kind: 'ok', ruleId: R, line: 2 }]);
  });

  test('all four kinds, messageId, col and text', () => {
    const text = [
      `# todoruleid: ${R}`,
      'a',
      `# todook: ${R}/cannotDetermine`,
      'b',
      `# ok:${R}`,
      'c',
      `#   ruleid:  ${R}/missingToken col=7 "without the X-aws-ec2-metadata-token \\"header\\""`,
      'd',
    ].join('\n');
    const { short, errors } = targets(text);
    assert.deepEqual(errors, []);
    assert.deepEqual(short, [
      { kind: 'todoruleid', ruleId: R, line: 2 },
      { kind: 'todook', ruleId: R, messageId: 'cannotDetermine', line: 4 },
      { kind: 'ok', ruleId: R, line: 6 },
      { kind: 'ruleid', ruleId: R, messageId: 'missingToken', line: 8, col: 7, text: 'without the X-aws-ec2-metadata-token "header"' },
    ]);
  });

  test('the fixture directive on the first line returns options and names rules', () => {
    const text = ['# fixture: {"filename": "scripts/boot.sh", "rules": ["no-imdsv1-instance-config"]}', `# ok: ${R}`, 'x'].join('\n');
    const { options, rulesNamed, errors, short } = targets(text);
    assert.deepEqual(errors, []);
    assert.deepEqual(options, { filename: 'scripts/boot.sh', rules: ['no-imdsv1-instance-config'] });
    assert.deepEqual([...rulesNamed].sort(), ['no-imdsv1-instance-config', R]);
    assert.deepEqual(short, [{ kind: 'ok', ruleId: R, line: 3 }]);
  });

  test('a directive that is not on line 1 or not JSON is an error', () => {
    assert.match(targets('x\n# fixture: {}').errors.join(), /only allowed on the first line/);
    assert.match(targets('# fixture: {oops').errors.join(), /not a JSON object/);
    assert.match(targets('# fixture: [1]').errors.join(), /not a JSON object/);
    assert.equal(targets('x').options, undefined);
  });

  test('the `//` leader for JavaScript-like files', () => {
    const { short } = targets([`// ruleid: ${R}`, 'fetch(u);', `http.get(u); // ok: ${R}`, `# ruleid: ${R}`].join('\n'), '//');
    assert.deepEqual(short, [
      { kind: 'ruleid', ruleId: R, line: 2 },
      { kind: 'ok', ruleId: R, line: 3 },
    ]);
  });

  test('CRLF line endings keep line numbers', () => {
    const { short } = targets(`a\r\n# ruleid: ${R}\r\nb\r\n`);
    assert.deepEqual(short, [{ kind: 'ruleid', ruleId: R, line: 3 }]);
  });

  test('errors: malformed body, blank target, end of file, near-miss syntax', () => {
    assert.match(targets(`# ruleid: ${R} because reasons\nx`).errors.join(), /line 1: cannot parse annotation/);
    assert.match(targets(`# ruleid:\nx`).errors.join(), /line 1: cannot parse/);
    assert.match(targets(`# ok: ${R}\n\nx`).errors.join(), /line 1: .*followed by an empty line/);
    assert.match(targets(`x\n# ruleid: ${R}`).errors.join(), /line 2: .*end of the file/);
    assert.match(targets(`# ruleid ${R}\nx`).errors.join(), /line 1: looks like an annotation/);
    assert.match(targets(`curl x # todo-ok: ${R}`).errors.join(), /looks like an annotation/);
    assert.match(targets(`# ok ${R}\nx`).errors.join(), /looks like an annotation/);
    assert.deepEqual(targets(`# OK to fail here, the agent retries\nx`).errors, []);
    assert.deepEqual(targets(`echo "$#" # count`).errors, []);
  });

  test('a `#` that does not follow whitespace does not start a trailing annotation', () => {
    const { expectations } = targets(`curl http://x/#ok:${R}`);
    assert.deepEqual(expectations, []);
  });
});

function finding(line: number, messageId = 'missingToken', ruleId = R, column = 1): ActualFinding {
  return { ruleId, messageId, line, column, message: `${ruleId}/${messageId} message` };
}

function exp(kind: Expectation['kind'], line: number, extra: Partial<Expectation> = {}): Expectation {
  return { kind, ruleId: R, line, annotationLine: line - 1, ...extra };
}

const UNDER_TEST = new Set([R]);

describe('compareFindings', () => {
  test('passes when every ruleid has its finding', () => {
    assert.deepEqual(compareFindings([exp('ruleid', 3), exp('ok', 5)], [finding(3)], UNDER_TEST), []);
  });

  test('a missing finding fails', () => {
    const out = compareFindings([exp('ruleid', 3)], [], UNDER_TEST);
    assert.equal(out.length, 1);
    assert.match(out[0]!, /^line 3: expected a finding for "ruleid: no-imdsv1-request".*none was reported/);
  });

  test('each ruleid needs its own finding: two annotations, one finding', () => {
    const out = compareFindings([exp('ruleid', 3), exp('ruleid', 3)], [finding(3)], UNDER_TEST);
    assert.equal(out.length, 1);
    assert.match(out[0]!, /expected a finding/);
    assert.match(out[0]!, /reported no-imdsv1-request\/missingToken at 3:1/);
  });

  test('two findings on one line need two ruleids (strict)', () => {
    const out = compareFindings([exp('ruleid', 3)], [finding(3), finding(3, 'missingToken', R, 20)], UNDER_TEST);
    assert.equal(out.length, 1);
    assert.match(out[0]!, /^line 3: unexpected finding no-imdsv1-request\/missingToken at 3:20/);
  });

  test('messageId, col and text must match when given', () => {
    assert.deepEqual(compareFindings([exp('ruleid', 3, { messageId: 'missingToken', col: 5, text: 'message' })], [finding(3, 'missingToken', R, 5)], UNDER_TEST), []);
    const wrongMsg = compareFindings([exp('ruleid', 3, { messageId: 'rootProbe' })], [finding(3)], UNDER_TEST);
    assert.equal(wrongMsg.length, 2, wrongMsg.join('\n'));
    assert.match(wrongMsg[0]!, /expected a finding for "ruleid: no-imdsv1-request\/rootProbe"/);
    assert.match(wrongMsg[1]!, /unexpected finding/);
    assert.equal(compareFindings([exp('ruleid', 3, { col: 2 })], [finding(3)], UNDER_TEST).length, 2);
    assert.equal(compareFindings([exp('ruleid', 3, { text: 'nope' })], [finding(3)], UNDER_TEST).length, 2);
  });

  test('matching is not greedy: a specific and a general ruleid share two findings', () => {
    const exps = [exp('ruleid', 3), exp('ruleid', 3, { messageId: 'rootProbe' })];
    const finds = [finding(3, 'rootProbe'), finding(3, 'missingToken')];
    assert.deepEqual(compareFindings(exps, finds, UNDER_TEST), []);
  });

  test('strict mode: an unannotated finding of a rule under test fails', () => {
    const out = compareFindings([], [finding(7)], UNDER_TEST);
    assert.deepEqual(out.length, 1);
    assert.match(out[0]!, /^line 7: unexpected finding/);
  });

  test('findings of rules not under test are ignored, unless an annotation names the rule', () => {
    assert.deepEqual(compareFindings([], [finding(7, 'tokensMissing', 'no-imdsv1-instance-config')], UNDER_TEST), []);
    const named = compareFindings([exp('ok', 2, { ruleId: T })], [finding(7, 'missingTtl', T)], UNDER_TEST);
    assert.equal(named.length, 1);
    assert.match(named[0]!, /unexpected finding no-invalid-imds-token-request\/missingTtl/);
  });

  test('a finding on an ok line fails with a message that names the annotation', () => {
    const out = compareFindings([exp('ok', 4)], [finding(4)], UNDER_TEST);
    assert.equal(out.length, 1);
    assert.match(out[0]!, /^line 4: "ok: no-imdsv1-request" \(line 3\) but the rule reported/);
  });

  test('todoruleid: passes while the finding is missing, asks for promotion once it appears', () => {
    assert.deepEqual(compareFindings([exp('todoruleid', 4)], [], UNDER_TEST), []);
    const out = compareFindings([exp('todoruleid', 4)], [finding(4)], UNDER_TEST);
    assert.equal(out.length, 1);
    assert.match(out[0]!, /is now reported .*promote the annotation to ruleid/);
  });

  test('todook: passes while the false positive is reported, asks for promotion once it is gone', () => {
    assert.deepEqual(compareFindings([exp('todook', 4)], [finding(4)], UNDER_TEST), []);
    assert.deepEqual(compareFindings([exp('todook', 4)], [finding(4), finding(4, 'cannotDetermine')], UNDER_TEST), []);
    const out = compareFindings([exp('todook', 4)], [], UNDER_TEST);
    assert.equal(out.length, 1);
    assert.match(out[0]!, /no longer reported: promote the annotation to ok/);
  });

  test('todook with a messageId excuses only that message', () => {
    const out = compareFindings([exp('todook', 4, { messageId: 'cannotDetermine' })], [finding(4, 'cannotDetermine'), finding(4)], UNDER_TEST);
    assert.equal(out.length, 1);
    assert.match(out[0]!, /unexpected finding no-imdsv1-request\/missingToken/);
  });

  test('ruleid and todoruleid on one line: one real finding, one known miss', () => {
    assert.deepEqual(compareFindings([exp('ruleid', 4), exp('todoruleid', 4)], [finding(4)], UNDER_TEST), []);
  });

  test('contradictory ok and ruleid on one line are reported', () => {
    const out = compareFindings([exp('ok', 4), exp('ruleid', 4)], [finding(4)], UNDER_TEST);
    assert.equal(out.length, 1);
    assert.match(out[0]!, /contradictory annotations/);
  });

  test('messages come out ordered by line', () => {
    const out = compareFindings([exp('ruleid', 9), exp('ruleid', 2)], [finding(5)], UNDER_TEST);
    assert.deepEqual(out.map((m) => Number(/^line (\d+)/.exec(m)![1])), [2, 5, 9]);
  });

  test('parse and compare end to end', () => {
    const text = [
      '#!/bin/bash',
      `# ruleid: ${R}`,
      'curl -s http://169.254.169.254/latest/meta-data/instance-id',
      `curl -s -H "X-aws-ec2-metadata-token: $T" http://169.254.169.254/latest/meta-data/ # ok: ${R}`,
    ].join('\n');
    const { expectations, rulesNamed } = parseAnnotations(text);
    const under = new Set([R, ...rulesNamed]);
    assert.deepEqual(compareFindings(expectations, [finding(3)], under), []);
    assert.equal(compareFindings(expectations, [finding(3), finding(4)], under).length, 1);
    assert.equal(compareFindings(expectations, [], under).length, 1);
  });
});
