// The CI gate: baseline, configuration file, --changed-since, GitHub annotations, --fix-dry-run,
// colours, --allow-unanalysed, and --fix staying inside the scanned root.
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { validateConfig } from '../src/config.ts';
import { normalise } from '../src/baseline.ts';
import { escapeData, escapeProperty } from '../src/reporters/github.ts';
import { runMain, tempTree } from './helpers.ts';

const V1 = (path: string) => `curl -s http://169.254.169.254/latest/meta-data/${path}`;
const json = (stdout: string) => JSON.parse(stdout) as { findings: { file: string; line: number; ruleId: string; severity: string; messageId: string }[]; errors: unknown[]; baselined: number; suppressed: number };

function withTree(fn: (t: ReturnType<typeof tempTree>) => Promise<void>) {
  return async () => {
    const t = tempTree();
    try {
      await fn(t);
    } finally {
      t.cleanup();
    }
  };
}

function git(cwd: string, ...args: string[]) {
  return execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@example.com', '-c', 'commit.gpgsign=false', ...args], { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

describe('baseline', () => {
  const script = ['#!/bin/sh', 'set -e', `ID=$(${V1('instance-id')})`, `AMI=$(${V1('ami-id')})`, 'echo "$ID $AMI"', ''].join('\n');

  it('writes the findings without line numbers, and scan --baseline then passes', withTree(async (t) => {
    t.write('scripts/boot.sh', script);
    const written = await runMain(['baseline', '.'], t.root);
    assert.equal(written.code, 0, written.stderr);
    assert.match(written.stdout, /Wrote 2 findings in 1 file to \.imds-guard-baseline\.json/);
    const file = JSON.parse(readFileSync(t.path('.imds-guard-baseline.json'), 'utf8'));
    assert.equal(file.version, 1);
    assert.deepEqual(Object.keys(file.findings[0]).sort(), ['file', 'fingerprint', 'occurrence', 'ruleId', 'snippet']);
    assert.equal(file.findings[0].file, 'scripts/boot.sh');
    assert.ok(!JSON.stringify(file).includes('"line"'));

    const text = await runMain(['scan', '--baseline', '.imds-guard-baseline.json', '.'], t.root);
    assert.equal(text.code, 0, text.stdout);
    assert.match(text.stdout, /No problems found\.\nNot shown: 2 findings in the baseline\./);
    const report = json((await runMain(['scan', '--format', 'json', '--baseline', '.imds-guard-baseline.json'], t.root)).stdout);
    assert.equal(report.baselined, 2);
    assert.deepEqual(report.findings, []);
  }));

  it('survives unrelated edits, moved and re-indented code; a new finding is reported', withTree(async (t) => {
    t.write('scripts/boot.sh', script);
    assert.equal((await runMain(['baseline', '-o', 'ci/baseline.json'], t.root)).code, 0);
    // Lines added above, the calls moved into a function and re-indented, their order swapped.
    const edited = [
      '#!/bin/sh',
      '# Boot script: collects facts.',
      'set -eu',
      'facts() {',
      `  AMI=$(  ${V1('ami-id')})`,
      `  ID=$(${V1('instance-id')})`,
      '}',
      'facts',
      'echo "$ID $AMI"',
      '',
    ].join('\n');
    t.write('scripts/boot.sh', edited);
    const kept = json((await runMain(['scan', '--format', 'json', '--baseline', 'ci/baseline.json'], t.root)).stdout);
    assert.deepEqual(kept.findings, []);
    assert.equal(kept.baselined, 2);

    // A new request, and a second copy of a baselined one: both are new.
    t.write('scripts/boot.sh', `${edited}${V1('placement/region')}\n${V1('ami-id')}\n`);
    const run = await runMain(['scan', '--format', 'json', '--baseline', 'ci/baseline.json'], t.root);
    assert.equal(run.code, 1);
    const report = json(run.stdout);
    assert.deepEqual(report.findings.map((f) => f.line), [10, 11]);
    assert.equal(report.baselined, 2);
  }));

  it('keys files relative to the baseline, so it works from a subdirectory', withTree(async (t) => {
    t.write('infra/scripts/boot.sh', script);
    assert.equal((await runMain(['baseline'], t.root)).code, 0);
    const r = await runMain(['scan', '--baseline', '../.imds-guard-baseline.json', '.'], t.path('infra'));
    assert.equal(r.code, 0, r.stdout);
  }));

  it('a missing or malformed baseline is a usage error (exit 2)', withTree(async (t) => {
    t.write('boot.sh', script);
    const missing = await runMain(['scan', '--baseline', 'nope.json'], t.root);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /baseline nope\.json: cannot read: no such file/);
    t.write('bad.json', '{"version": 1, "findings": [{"ruleId": 1}]}');
    const bad = await runMain(['scan', '--baseline', 'bad.json'], t.root);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /findings\[0\] needs ruleId/);
    const usage = await runMain(['baseline', '--fix'], t.root);
    assert.equal(usage.code, 2);
    assert.match(usage.stderr, /--fix is an option of 'scan'/);
  }));

  it('normalises whitespace and continuations', () => {
    assert.equal(normalise('curl  -s \\\n    http://x\t'), 'curl -s http://x');
  });
});

describe('configuration file', () => {
  it('turns rules off, changes severities, excludes, and sets failOn; flags win', withTree(async (t) => {
    git(t.root, 'init', '-q');
    t.write('a.sh', `${V1('instance-id')}\ncurl -sX PUT http://169.254.169.254/latest/api/token\n`);
    t.write('generated/b.sh', `${V1('ami-id')}\n`);
    t.write('imds-guard.config.json', JSON.stringify({ rules: { IMDS003: 'off', 'imds-guard/no-imdsv1-request': 'note' }, exclude: ['generated/'], failOn: 'warning' }));
    const r = await runMain(['scan', '--format', 'json'], t.path('.'));
    const report = json(r.stdout);
    assert.deepEqual(report.findings.map((f) => `${f.file}:${f.line} ${f.ruleId} ${f.severity}`), ['a.sh:1 no-imdsv1-request note']);
    assert.equal(r.code, 0, 'a note does not fail failOn: warning');
    assert.equal((await runMain(['scan', '--fail-on', 'note'], t.root)).code, 1, '--fail-on wins over failOn');
    // Found from a subdirectory, up to the git root.
    mkdirSync(t.path('sub'));
    assert.equal((await runMain(['scan', '--format', 'json', '..'], t.path('sub'))).code, 0);
  }));

  it('reads an "imds-guard" key in package.json, and stops at the git root', withTree(async (t) => {
    t.write('imds-guard.config.json', JSON.stringify({ rules: { IMDS001: 'off' } }));
    mkdirSync(t.path('repo'));
    git(t.path('repo'), 'init', '-q');
    t.write('repo/a.sh', `${V1('instance-id')}\n`);
    // The config above the git root is not used.
    assert.equal((await runMain(['scan'], t.path('repo'))).code, 1);
    t.write('repo/package.json', JSON.stringify({ name: 'x', 'imds-guard': { rules: { IMDS001: 'off' } } }));
    assert.equal((await runMain(['scan'], t.path('repo'))).code, 0);
    // A package.json without the key does not stop the search below the git root.
    t.write('repo/sub/package.json', JSON.stringify({ name: 'y' }));
    t.write('repo/sub/b.sh', `${V1('ami-id')}\n`);
    assert.equal((await runMain(['scan'], t.path('repo/sub'))).code, 0);
  }));

  it('--config names the file', withTree(async (t) => {
    t.write('a.sh', `${V1('instance-id')}\n`);
    t.write('ci/strict.json', JSON.stringify({ rules: { IMDS001: 'off' } }));
    assert.equal((await runMain(['scan', '--config', 'ci/strict.json'], t.root)).code, 0);
    const missing = await runMain(['scan', '--config', 'ci/nope.json'], t.root);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /ci\/nope\.json: cannot read/);
  }));

  it('rejects bad configurations with exit 2 and the bad key', withTree(async (t) => {
    t.write('a.sh', 'echo hi\n');
    const cases: [unknown, RegExp][] = [
      [{ rulez: {} }, /imds-guard\.config\.json: rulez: unknown key \(did you mean "rules"\?\)/],
      [{ rules: { 'no-such-rule': 'off' } }, /rules\.no-such-rule: not an imds-guard rule.*no-imdsv1-request \(IMDS001\)/],
      [{ rules: { IMDS001: 'fatal' } }, /rules\.IMDS001: must be "error", "warning", "note", "on" \(its default severity\) or "off", not "fatal"/],
      [{ rules: { IMDS001: 'off', 'no-imdsv1-request': 'error' } }, /rules\.no-imdsv1-request: names the same rule as rules\.IMDS001/],
      [{ exclude: 'dist' }, /exclude: must be an array of patterns, not "dist"/],
      [{ exclude: [''] }, /exclude\[0\]: must be a non-empty pattern/],
      [{ failOn: 'critical' }, /failOn: must be "error", "warning" or "note", not "critical"/],
      [{ maxFileSize: -1 }, /maxFileSize: must be a positive whole number/],
      [[], /imds-guard\.config\.json: must be a JSON object, not an array/],
    ];
    for (const [config, message] of cases) {
      t.write('imds-guard.config.json', JSON.stringify(config));
      const r = await runMain(['scan'], t.root);
      assert.equal(r.code, 2, JSON.stringify(config));
      assert.match(r.stderr, message);
    }
    t.write('imds-guard.config.json', '{"rules": {');
    const r = await runMain(['scan'], t.root);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /imds-guard\.config\.json: not valid JSON/);
    t.write('imds-guard.config.json', '{}');
    t.write('package.json', JSON.stringify({ 'imds-guard': { failOn: 'x' } }));
    // The dedicated file wins over package.json in the same directory.
    assert.equal((await runMain(['scan'], t.root)).code, 0);
  }));

  it('rebases anchored excludes for a configuration above the cwd', () => {
    const base = '/repo';
    const config = validateConfig({ exclude: ['infra/legacy/**', 'scripts/x.sh', '*.gen.sh', '**/tmp/'] }, 'c', base, '/repo/infra');
    assert.deepEqual(config.exclude, ['/legacy/**', '*.gen.sh', '**/tmp/']);
  });
});

describe('--changed-since', () => {
  it('scans only files changed since the branch left the ref, plus untracked ones', withTree(async (t) => {
    git(t.root, 'init', '-q', '-b', 'main');
    t.write('old.sh', `${V1('instance-id')}\n`);
    t.write('touched.sh', `${V1('ami-id')}\n`);
    git(t.root, 'add', '.');
    git(t.root, 'commit', '-q', '-m', 'base');
    git(t.root, 'checkout', '-q', '-b', 'feature');
    t.write('committed.sh', `${V1('placement/region')}\n`);
    git(t.root, 'add', 'committed.sh');
    git(t.root, 'commit', '-q', '-m', 'feature');
    t.write('touched.sh', `# edited\n${V1('ami-id')}\n`);
    t.write('new/untracked.sh', `${V1('hostname')}\n`);
    t.write('.gitignore', 'ignored.sh\n');
    t.write('ignored.sh', `${V1('mac')}\n`);
    // main moved on after the branch point: its changes are not the branch's.
    git(t.root, 'checkout', '-q', 'main');
    git(t.root, 'commit', '-q', '--allow-empty', '-m', 'later');
    git(t.root, 'checkout', '-q', 'feature');

    const r = await runMain(['scan', '--format', 'json', '--changed-since', 'main'], t.root);
    const files = [...new Set(json(r.stdout).findings.map((f) => f.file))].sort();
    assert.deepEqual(files, ['committed.sh', 'new/untracked.sh', 'touched.sh']);
    // Combined with paths: only the changed files under them.
    const sub = json((await runMain(['scan', '--format', 'json', '--changed-since', 'main', 'new'], t.root)).stdout);
    assert.deepEqual(sub.findings.map((f) => f.file), ['new/untracked.sh']);
    // From a subdirectory, paths stay right.
    const fromSub = json((await runMain(['scan', '--format', 'json', '--changed-since', 'main'], t.path('new'))).stdout);
    assert.deepEqual(fromSub.findings.map((f) => f.file), ['untracked.sh']);
  }));

  it('fails with exit 2 outside git and for an unknown ref', withTree(async (t) => {
    t.write('a.sh', 'echo hi\n');
    const outside = await runMain(['scan', '--changed-since', 'main'], t.root);
    assert.equal(outside.code, 2);
    assert.match(outside.stderr, /not inside a git work tree/);
    git(t.root, 'init', '-q');
    git(t.root, 'add', '.');
    git(t.root, 'commit', '-q', '-m', 'x');
    const unknown = await runMain(['scan', '--changed-since', 'no-such-branch'], t.root);
    assert.equal(unknown.code, 2);
    assert.match(unknown.stderr, /unknown git ref 'no-such-branch'/);
    const option = await runMain(['scan', '--changed-since', '--output=x'], t.root);
    assert.equal(option.code, 2);
  }));
});

describe('--format github', () => {
  it('escapes data and properties', () => {
    assert.equal(escapeData('50% done\r\nnext'), '50%25 done%0D%0Anext');
    assert.equal(escapeProperty('a,b:c%\n'), 'a%2Cb%3Ac%25%0A');
  });

  it('prints one workflow command per finding and per unanalysed file', withTree(async (t) => {
    t.write('odd,name:1.sh', `#!/bin/sh\n  ${V1('instance-id')}\ncurl -sf http://169.254.169.254/ >/dev/null\n`);
    t.write('bin.sh', Buffer.from('echo 169.254.169.254\0'));
    const r = await runMain(['scan', '--format', 'github'], t.root);
    assert.equal(r.code, 1);
    const lines = r.stdout.trimEnd().split('\n');
    assert.equal(lines[0], '::error file=odd%2Cname%3A1.sh,line=2,col=3,endLine=2,endColumn=62,title=no-imdsv1-request::curl reads http://169.254.169.254/latest/meta-data/instance-id without the X-aws-ec2-metadata-token header: this is an IMDSv1 request and gets 401 once the instance requires IMDSv2');
    assert.match(lines[1]!, /^::warning file=odd%2Cname%3A1\.sh,line=3,col=1,.*title=no-imdsv1-request::curl probes/);
    assert.match(lines[2]!, /^::error file=bin\.sh,title=imds-guard%3A file not analysed::binary file/);
    assert.equal(lines[3], 'imds-guard: 2 problems, 1 file error');
  }));
});

describe('--fix-dry-run', () => {
  it('prints the unified diff --fix would apply, writes nothing, and git apply reproduces --fix', withTree(async (t) => {
    const original = `#!/bin/sh\r\nID=$(${V1('instance-id')})\r\necho "$ID"\r\naws ec2 modify-instance-metadata-options --instance-id i-1 --http-tokens optional\r\n`;
    git(t.root, 'init', '-q');
    const path = t.write('boot.sh', original);
    const dry = await runMain(['scan', '--fix-dry-run'], t.root);
    assert.equal(dry.code, 1, 'the gate judges the files as they are');
    assert.equal(readFileSync(path, 'utf8'), original);
    assert.match(dry.stdout, /^--- a\/boot\.sh\n\+\+\+ b\/boot\.sh\n@@ -1,4 \+1,5 @@\n #!\/bin\/sh\r\n-ID=\$\(curl -s .*\r\n\+: "\$\{IMDS_TOKEN:=.*\r\n\+ID=/);
    assert.match(dry.stderr, /would fix 1 problem in 1 file; nothing was written/);
    assert.doesNotMatch(dry.stdout, /http-tokens required/);
    const unsafe = await runMain(['scan', '--fix-dry-run', '--unsafe-fixes', '-o', 'fix.patch'], t.root);
    assert.equal(unsafe.stdout, '');
    const patch = readFileSync(t.path('fix.patch'), 'utf8');
    assert.match(patch, /\+aws ec2 modify-instance-metadata-options --instance-id i-1 --http-tokens required\r$/m);

    spawnSync('git', ['apply', 'fix.patch'], { cwd: t.root });
    const applied = readFileSync(path, 'utf8');
    writeFileSync(path, original);
    assert.equal((await runMain(['scan', '--fix', '--unsafe-fixes'], t.root)).code, 0);
    assert.equal(applied, readFileSync(path, 'utf8'));
    assert.equal((await runMain(['scan', '--fix', '--fix-dry-run'], t.root)).code, 2);
  }));
});

describe('colours', () => {
  const setup = () => {
    const t = tempTree();
    t.write('a.sh', `${V1('instance-id')}\n`);
    return t;
  };
  it('only on a terminal, and never with NO_COLOR', async () => {
    const t = setup();
    try {
      const esc = /\x1b\[/;
      assert.match((await runMain(['scan'], t.root, { tty: true })).stdout, esc);
      assert.doesNotMatch((await runMain(['scan'], t.root, { tty: false })).stdout, esc);
      assert.doesNotMatch((await runMain(['scan'], t.root, { tty: true, env: { NO_COLOR: '1' } })).stdout, esc);
      assert.match((await runMain(['scan'], t.root, { tty: true, env: { NO_COLOR: '' } })).stdout, esc, 'an empty NO_COLOR is unset');
      assert.match((await runMain(['scan'], t.root, { tty: false, env: { FORCE_COLOR: '1' } })).stdout, esc);
      assert.doesNotMatch((await runMain(['scan', '-o', 'r.txt'], t.root, { tty: true })).stdout, esc);
      assert.doesNotMatch(readFileSync(t.path('r.txt'), 'utf8'), esc);
    } finally {
      t.cleanup();
    }
  });
});

describe('--allow-unanalysed', () => {
  it('lets files that could not be analysed pass the gate, but not findings', withTree(async (t) => {
    t.write('bin.sh', Buffer.from('echo 169.254.169.254\0'));
    assert.equal((await runMain(['scan'], t.root)).code, 1);
    assert.equal((await runMain(['scan', '--allow-unanalysed'], t.root)).code, 0);
    t.write('a.sh', `${V1('instance-id')}\n`);
    assert.equal((await runMain(['scan', '--allow-unanalysed'], t.root)).code, 1);
  }));
});

describe('--fix stays inside the scanned root', () => {
  it('does not write through a symlink that leaves it', withTree(async (t) => {
    const outside = t.write('outside/boot.sh', `${V1('instance-id')}\n`);
    mkdirSync(t.path('repo'));
    symlinkSync('../outside/boot.sh', t.path('repo/link.sh'));
    t.write('repo/inside.sh', `${V1('ami-id')}\n`);
    symlinkSync('inside.sh', t.path('repo/inner-link.sh'));

    // Named on the command line, the link is followed for the scan but not for the write.
    const r = await runMain(['scan', '--fix', '--format', 'json', 'link.sh', 'inner-link.sh'], t.path('repo'));
    const report = json(r.stdout);
    assert.equal(readFileSync(outside, 'utf8'), `${V1('instance-id')}\n`, 'the file outside is untouched');
    assert.match(JSON.stringify(report.errors), /link\.sh.*fix not applied: it resolves to .*outside[/\\]boot\.sh, outside the scanned directory/);
    assert.match(readFileSync(t.path('repo/inside.sh'), 'utf8'), /X-aws-ec2-metadata-token: \$IMDS_TOKEN/, 'a link inside the root is fixed');
    // In a directory walk the link is not followed at all.
    const walk = await runMain(['scan', '--fix', '.'], t.path('repo'));
    assert.equal(readFileSync(outside, 'utf8'), `${V1('instance-id')}\n`);
    assert.equal(walk.code, 0, walk.stdout);
  }));
});
