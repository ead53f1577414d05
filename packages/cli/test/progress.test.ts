import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import type { ScanProgress } from '@imds-guard/scanner';
import { parseCommand, UsageError } from '../src/args.ts';
import { main } from '../src/main.ts';
import { ProgressBar, progressBar, render } from '../src/progress.ts';
import { tempTree } from './helpers.ts';

const CLEAR = '\r\x1b[K';

function fakeTerminal(isTTY: boolean, columns = 100) {
  const writes: string[] = [];
  return { writes, stream: { isTTY, columns, write: (s: string) => writes.push(s) } };
}

const progress = (p: Partial<ScanProgress>): ScanProgress => ({ found: 0, checked: 0, queued: 0, analysed: 0, findings: 0, done: false, ...p });

describe('progress bar', () => {
  it('shows files checked of found, files analysed and findings', () => {
    assert.equal(
      render(progress({ found: 100_000, checked: 48_213, queued: 300, analysed: 212, findings: 17 })),
      '[##########----------]  48% 48,213/100,000 files · 212 analysed · 17 findings',
    );
    assert.equal(render(progress({ found: 1, checked: 1, queued: 1, analysed: 1, findings: 1, done: true })), '[####################] 100% 1/1 file · 1 analysed · 1 finding');
    // Once everything is read, the bar follows the analysis.
    assert.equal(render(progress({ found: 10, checked: 10, queued: 4, analysed: 1 })), '[#####---------------]  25% 10/10 files · 1 analysed · 0 findings');
    assert.equal(render(progress({})), '[####################] 100% 0/0 files · 0 analysed · 0 findings');
  });

  it('redraws in place on a terminal, at most every interval, and cuts lines to its width', () => {
    let now = 0;
    const { writes, stream } = fakeTerminal(true, 36);
    const bar = new ProgressBar(stream, { now: () => now, interval: 100 });
    assert.deepEqual(writes, [`${CLEAR}imds-guard: looking for files…`]);
    bar.update(progress({ found: 10, checked: 1 }));
    bar.update(progress({ found: 10, checked: 2 }));
    now = 50;
    bar.update(progress({ found: 10, checked: 3 }));
    now = 150;
    bar.update(progress({ found: 10, checked: 4 }));
    assert.equal(writes.length, 3);
    assert.ok(writes.slice(1).every((w) => w.startsWith(CLEAR) && w.length - CLEAR.length === 35));
    assert.match(writes[2]!, /4\/10/);
    now = 2150;
    bar.clear();
    bar.summary();
    assert.deepEqual(writes.slice(3), [CLEAR, 'imds-guard: 10 files scanned, 0 files analysed, 0 findings in 2.1 s\n']);
  });

  it('is only drawn on a terminal, and never with --quiet', () => {
    assert.ok(progressBar(fakeTerminal(true).stream, false));
    assert.equal(progressBar(fakeTerminal(false).stream, false), undefined);
    assert.equal(progressBar({ write: () => true }, false), undefined);
    assert.equal(progressBar(fakeTerminal(true).stream, true), undefined);
  });
});

describe('the CLI’s stderr', () => {
  const t = tempTree();
  after(t.cleanup);
  t.write('boot.sh', 'curl http://169.254.169.254/latest/meta-data/\n');
  t.write('quiet.sh', 'echo\n');

  async function run(argv: string[], stderrTTY: boolean) {
    let stdout = '';
    const { writes, stream } = fakeTerminal(stderrTTY);
    const code = await main(argv, { cwd: t.root, env: {}, stdout: { write: (s: string) => (stdout += s), isTTY: false }, stderr: stream });
    return { code, stdout, stderr: writes.join('') };
  }

  it('has the bar, cleared before the report, and a summary line when it is a terminal', async () => {
    const { code, stdout, stderr } = await run(['scan', '--format', 'json'], true);
    assert.equal(code, 1);
    assert.ok(stderr.startsWith(`${CLEAR}imds-guard: looking for files…`), JSON.stringify(stderr));
    assert.ok(stderr.endsWith(`${CLEAR}imds-guard: 2 files scanned, 1 file analysed, 1 finding in ${/in (\d+\.\d) s/.exec(stderr)![1]} s\n`), JSON.stringify(stderr));
    assert.equal(JSON.parse(stdout).findings.length, 1);
  });

  it('stays silent when it is not a terminal', async () => {
    const { stdout, stderr } = await run(['scan', '--format', 'json'], false);
    assert.equal(stderr, '');
    assert.equal(JSON.parse(stdout).findings.length, 1);
  });

  it('stays silent with --quiet, even on a terminal', async () => {
    for (const flag of ['--quiet', '-q']) {
      const { stdout, stderr } = await run(['scan', flag, '--format', 'json'], true);
      assert.equal(stderr, '');
      assert.equal(JSON.parse(stdout).findings.length, 1);
    }
  });

  it('passes --include and --exclude to the scan', async () => {
    assert.equal(JSON.parse((await run(['scan', '-q', '-f', 'json', '--exclude', 'boot.sh'], false)).stdout).findings.length, 0);
    assert.equal(JSON.parse((await run(['scan', '-q', '-f', 'json', '--include', 'quiet.sh'], false)).stdout).findings.length, 0);
    assert.equal(JSON.parse((await run(['scan', '-q', '-f', 'json', '--include', 'quiet.sh', '--include', '*.sh'], false)).stdout).findings.length, 1);
  });
});

describe('scan options', () => {
  const scanOf = (argv: string[]) => {
    const command = parseCommand(argv);
    assert.equal(command.kind, 'scan');
    return command as Extract<typeof command, { kind: 'scan' }>;
  };

  it('takes --include and --exclude as often as given, and --include-cdk-out', () => {
    const c = scanOf(['scan', '--include', '*.tf', '--include', 'infra/', '--exclude', 'legacy/', '--include-cdk-out', '-q', '.']);
    assert.deepEqual(c.include, ['*.tf', 'infra/']);
    assert.deepEqual(c.exclude, ['legacy/']);
    assert.equal(c.includeCdkOut, true);
    assert.equal(c.quiet, true);
    const d = scanOf(['scan']);
    assert.deepEqual([d.include, d.exclude, d.includeCdkOut, d.quiet], [[], [], false, false]);
  });

  it('refuses an empty pattern', () => {
    assert.throws(() => parseCommand(['scan', '--exclude', '']), UsageError);
    assert.throws(() => parseCommand(['scan', '--include', ' ']), UsageError);
  });
});
