import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { allRules, ruleDocsUrl } from '@imds-guard/core';
import { jsonReporter, sarifReporter, textReporter, type ReportInput } from '../src/reporters/index.ts';
import { sampleResult, SCRIPT } from './sample-result.ts';

const input = (over: Partial<ReportInput> = {}): ReportInput => ({
  result: sampleResult(),
  cwd: '/repo',
  toolVersion: '9.9.9',
  color: false,
  unsafeFixes: false,
  ...over,
});

describe('json reporter', () => {
  it('has exactly the documented shape', () => {
    const report = JSON.parse(jsonReporter.render(input()));
    assert.deepEqual(Object.keys(report), ['findings', 'errors', 'baselined', 'suppressed']);
    assert.deepEqual([report.baselined, report.suppressed], [0, 0]);
    const [first, second] = report.findings;
    assert.deepEqual(first, {
      ruleId: 'no-imdsv1-request',
      code: 'IMDS001',
      messageId: 'missingToken',
      severity: 'error',
      message: 'curl reads $BASE/latest/meta-data/instance-id without the X-aws-ec2-metadata-token header',
      file: 'scripts/boot.sh',
      line: 2,
      column: 2,
      endLine: 2,
      endColumn: 46,
      fix: {
        description: 'send the session token',
        safety: 'safe',
        edits: [{ start: 18, end: 18, text: ' -H "X-aws-ec2-metadata-token: $TOKEN"' }],
      },
    });
    assert.equal('fix' in second, false, 'no fix key when there is no fix');
    assert.deepEqual(report.errors, [{ file: 'scripts/bin.sh', message: 'binary file (a NUL byte in the first 8 KiB); not analysed' }]);
  });

  it('applies to the text the way the offsets say', () => {
    const [first] = JSON.parse(jsonReporter.render(input())).findings;
    const edit = first.fix.edits[0];
    assert.equal(SCRIPT.slice(0, edit.start).endsWith('curl -s'), true);
  });
});

describe('sarif reporter', () => {
  const log = JSON.parse(sarifReporter.render(input()));
  const run = log.runs[0];

  it('is one SARIF 2.1.0 run with the rule registry', () => {
    assert.equal(log.version, '2.1.0');
    assert.match(log.$schema, /sarif-schema-2\.1\.0\.json$/);
    assert.equal(log.runs.length, 1);
    assert.equal(run.tool.driver.name, 'imds-guard');
    assert.equal(run.tool.driver.version, '9.9.9');
    assert.equal(run.columnKind, 'utf16CodeUnits');
    assert.deepEqual(run.originalUriBaseIds, { SRCROOT: { uri: 'file:///repo/' } });
    const rules = allRules();
    assert.deepEqual(
      run.tool.driver.rules.map((r: { id: string }) => r.id),
      rules.map((r) => r.id),
    );
    for (const [i, rule] of run.tool.driver.rules.entries()) {
      assert.equal(rule.shortDescription.text, rules[i]!.title);
      assert.equal(rule.helpUri, ruleDocsUrl(rules[i]!.id));
      assert.ok(['error', 'warning', 'note'].includes(rule.defaultConfiguration.level));
    }
  });

  it('points each result at its rule, level and region', () => {
    assert.equal(run.results.length, 3);
    const [first, second, third] = run.results;
    assert.equal(run.tool.driver.rules[first.ruleIndex].id, first.ruleId);
    assert.equal(first.level, 'error');
    assert.equal(second.level, 'warning');
    assert.equal(third.level, 'note');
    assert.deepEqual(first.message, { text: 'curl reads $BASE/latest/meta-data/instance-id without the X-aws-ec2-metadata-token header' });
    assert.deepEqual(first.locations, [
      {
        physicalLocation: {
          artifactLocation: { uri: 'scripts/boot.sh', uriBaseId: 'SRCROOT' },
          region: { startLine: 2, startColumn: 2, endLine: 2, endColumn: 46 },
        },
      },
    ]);
  });

  it('percent-encodes file names in URIs', () => {
    assert.deepEqual(run.results[2].locations[0].physicalLocation.artifactLocation, {
      uri: 'with%20space/%C3%A4%231.sh',
      uriBaseId: 'SRCROOT',
    });
  });

  it('carries fixes as replacements with regions computed from offsets', () => {
    assert.deepEqual(run.results[0].fixes, [
      {
        description: { text: 'send the session token' },
        artifactChanges: [
          {
            artifactLocation: { uri: 'scripts/boot.sh', uriBaseId: 'SRCROOT' },
            replacements: [
              {
                deletedRegion: { startLine: 2, startColumn: 9, endLine: 2, endColumn: 9 },
                insertedContent: { text: ' -H "X-aws-ec2-metadata-token: $TOKEN"' },
              },
            ],
          },
        ],
      },
    ]);
    assert.equal('fixes' in run.results[1], false);
  });

  it('lists files that could not be analysed as error notifications', () => {
    assert.deepEqual(run.invocations, [
      {
        executionSuccessful: true,
        toolExecutionNotifications: [
          {
            level: 'error',
            message: { text: 'binary file (a NUL byte in the first 8 KiB); not analysed' },
            locations: [{ physicalLocation: { artifactLocation: { uri: 'scripts/bin.sh', uriBaseId: 'SRCROOT' } } }],
          },
        ],
      },
    ]);
  });

  it('uses an absolute file URI for a file outside cwd', () => {
    const result = sampleResult();
    result.errors.splice(0, 1, { file: '../other/x y.sh', message: 'm' });
    const outside = JSON.parse(sarifReporter.render(input({ result, cwd: '/repo/sub' })));
    assert.deepEqual(outside.runs[0].invocations[0].toolExecutionNotifications[0].locations[0].physicalLocation.artifactLocation, {
      uri: 'file:///repo/other/x%20y.sh',
    });
  });
});

describe('text reporter', () => {
  it('prints findings grouped by file with a code frame, errors and a summary', () => {
    const out = textReporter.render(input());
    assert.equal(
      out,
      [
        'scripts/boot.sh:2:2  error    curl reads $BASE/latest/meta-data/instance-id without the X-aws-ec2-metadata-token header  no-imdsv1-request',
        '  2 | \tcurl -s "$BASE/latest/meta-data/instance-id"',
        '    | \t^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^',
        'scripts/boot.sh:3:1  warning  cannot tell  no-imdsv1-request',
        '  3 | echo done',
        '    | ^^^^',
        '',
        'with space/ä#1.sh:2:2  note  curl reads $BASE/latest/meta-data/instance-id without the X-aws-ec2-metadata-token header  no-imdsv1-request',
        '  2 | \tcurl -s "$BASE/latest/meta-data/instance-id"',
        '    | \t^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^',
        '',
        'Files not analysed, or only in part:',
        '  scripts/bin.sh: binary file (a NUL byte in the first 8 KiB); not analysed',
        '',
        '3 problems (1 error, 1 warning, 1 note), 1 fixable with --fix (1 more with --fix --unsafe-fixes)',
        '1 file error, listed above.',
        '',
      ].join('\n'),
    );
  });

  it('counts unsafe fixes as fixable under --unsafe-fixes and reports what --fix did', () => {
    const out = textReporter.render(input({ unsafeFixes: true, fixed: { files: 2, fixes: 3 } }));
    assert.match(out, /Fixed 3 problems in 2 files\.\n3 problems \(1 error, 1 warning, 1 note\), 2 fixable with --fix --unsafe-fixes\n/);
  });

  it('says so when there is nothing to report', () => {
    assert.equal(textReporter.render(input({ result: { findings: [], errors: [], files: [] } })), 'No problems found.\n');
  });

  it('colours only when asked to', () => {
    assert.doesNotMatch(textReporter.render(input()), /\x1b\[/);
    assert.match(textReporter.render(input({ color: true })), /\x1b\[31merror/);
  });

  it('neutralises terminal control sequences that come from scanned files', () => {
    const result = sampleResult();
    result.errors.splice(0, 1, { file: 'evil\x1b[2J.sh', message: 'bad \x9b byte' });
    const out = textReporter.render(input({ result }));
    assert.doesNotMatch(out, /[\x1b\x9b]/);
    assert.match(out, /evil\u241b\[2J\.sh: bad \ufffd byte/);
  });
});
