// Runs `imds-guard scan --fix` on copies of the example scripts, then RUNS the
// original and the fixed scripts against the loopback IMDS emulator:
//   - original vs HttpTokens=optional (an IMDSv1-era instance) is the baseline;
//   - original vs HttpTokens=required must fail or print something else, when the
//     fixer changed the script (it depended on IMDSv1);
//   - fixed vs HttpTokens=required must print exactly the baseline.
// Scripts the fixer leaves alone must already work with HttpTokens=required.
//
// SAFETY: scripts run through runScript with the curl/wget shims first on a
// sandbox PATH that holds only the shims and a few text utilities (no aws,
// iptables, package managers, ...), HOME and cwd in a temp dir. The shims only
// ever connect to the 127.0.0.1 emulator. Scripts that call programs by
// absolute path are not run.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { copyFile, mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  createImdsShims,
  runScript,
  startImdsEmulator,
  type RecordedRequest,
  type RunScriptResult,
  type TokenMode,
} from '../../testkit/src/index.js';

const repo = fileURLToPath(new URL('../../../', import.meta.url));
const bin = join(repo, 'packages/cli/bin/imds-guard.js');

/** A bootstrap script written for this test, so there is always something to run. */
const INLINE_NAME = 'inline/app-bootstrap.sh';
const INLINE_SCRIPT = `#!/bin/bash
# Writes the facts the app needs at boot; IMDSv1 throughout.
set -eu
MD=http://169.254.169.254/latest/meta-data

INSTANCE_ID=$(curl -s $MD/instance-id)
REGION=$(curl -s "$MD/placement/region")
echo "instance_id=$INSTANCE_ID"
echo "region=$REGION"
echo "az=$(curl -s http://169.254.169.254/latest/meta-data/placement/availability-zone)"
ROLE=$(curl -s http://169.254.169.254/latest/meta-data/iam/security-credentials/)
echo "role=$ROLE"
curl -s -o creds.json "http://169.254.169.254/latest/meta-data/iam/security-credentials/$ROLE"
echo "key_id=$(grep -o '"AccessKeyId" *: *"[^"]*"' creds.json | cut -d'"' -f4)"
echo "account=$(wget -q -O - http://169.254.169.254/latest/dynamic/instance-identity/document | grep -o '"accountId" *: *"[^"]*"' | cut -d'"' -f4)"
`;

const SANDBOX_TOOLS = [
  'cat', 'head', 'tail', 'cut', 'tr', 'sed', 'awk', 'grep', 'sort', 'uniq', 'wc', 'basename', 'dirname',
  'date', 'sleep', 'mktemp', 'tee', 'base64', 'seq', 'xargs', 'env', 'true', 'false', 'printf',
  'echo', 'test', 'expr', 'uname', 'id', 'od', 'sha256sum',
];

// The example scripts that read instance metadata; the others call the aws CLI or other hosts,
// which the sandbox refuses by design.
const RUNNABLE_EXAMPLES = ['examples/scripts/bootstrap.sh', 'examples/scripts/imdsv2-metadata.sh'];
const cases = [...RUNNABLE_EXAMPLES, INLINE_NAME];

let work: string;
let sandboxBin: string;
let cli: { code: number | null; stdout: string; stderr: string };
const origPath = (name: string) => join(work, 'orig', name);
const fixedPath = (name: string) => join(work, 'fixed', name);

async function makeSandboxBin(dir: string): Promise<void> {
  await mkdir(dir, { recursive: true });
  for (const tool of SANDBOX_TOOLS) {
    const found = spawnSync('/bin/sh', ['-c', `command -v ${tool}`], { encoding: 'utf8' }).stdout.trim();
    if (found.startsWith('/')) await symlink(found, join(dir, tool));
  }
}

interface Run extends RunScriptResult {
  requests: RecordedRequest[];
}

/** Runs a script against a fresh emulator in the given token mode, through the shims, in the sandbox. */
async function runAgainst(mode: TokenMode, script: string): Promise<Run> {
  const emu = await startImdsEmulator({ tokens: mode });
  const shims = await createImdsShims(emu.port);
  const home = await mkdtemp(join(work, `run-${mode}-`));
  try {
    const env = shims.env({ PATH: `${shims.binDir}:${sandboxBin}`, HOME: home, TMPDIR: home, LC_ALL: 'C' });
    const result = await runScript(script, { env, cwd: home, timeoutMs: 20_000 });
    return { ...result, requests: [...emu.requests] };
  } finally {
    await shims.cleanup();
    await emu.close();
  }
}

const describeRun = (r: Run) =>
  `exit ${r.code}${r.timedOut ? ' (timed out)' : ''}\n--- stdout\n${r.stdout}--- stderr\n${r.stderr}--- requests\n` +
  r.requests.map((q) => `${q.method} ${q.path} -> ${q.status}${q.headers['x-aws-ec2-metadata-token'] ? ' [token]' : ''}`).join('\n');

const sameOutcome = (a: Run, b: Run) => a.code === b.code && a.stdout === b.stdout;

describe('scan --fix: fixed scripts run with HttpTokens=required', () => {
  before(async () => {
    assert.ok(existsSync(join(repo, 'packages/cli/dist/main.js')), 'packages/cli/dist is missing: run `pnpm build` first');
    work = await mkdtemp(join(tmpdir(), 'imds-fix-runs-'));
    sandboxBin = join(work, 'sandbox-bin');
    await makeSandboxBin(sandboxBin);
    for (const name of cases) {
      for (const target of [origPath(name), fixedPath(name)]) {
        await mkdir(dirname(target), { recursive: true });
        if (name === INLINE_NAME) await writeFile(target, INLINE_SCRIPT);
        else await copyFile(join(repo, name), target);
      }
    }
    const res = spawnSync(process.execPath, [bin, 'scan', '--fix', join(work, 'fixed')], {
      cwd: work,
      encoding: 'utf8',
      timeout: 60_000,
    });
    cli = { code: res.status, stdout: res.stdout ?? '', stderr: res.stderr ?? '' };
  });
  after(async () => {
    if (work) await rm(work, { recursive: true, force: true });
  });

  it('the CLI ran (exit 0 or 1, no usage error or crash)', () => {
    assert.ok(cli.code === 0 || cli.code === 1, `imds-guard scan --fix exited ${cli.code}\n${cli.stdout}\n${cli.stderr}`);
  });

  for (const name of cases) {
    it(`${name}: original vs fixed against the emulator`, async (t) => {
      const original = await readFile(origPath(name), 'utf8');
      const fixed = await readFile(fixedPath(name), 'utf8');
      const baseline = await runAgainst('optional', origPath(name));
      assert.doesNotMatch(baseline.stderr, /imds-guard (curl|wget) shim: refusing/, `${name} contacts hosts the shims refuse`);
      const originalRequired = await runAgainst('required', origPath(name));
      const summary = (r: Run) => `exit ${r.code}, ${r.requests.length} requests (${r.requests.map((q) => q.status).join(' ')})`;
      t.diagnostic(`original, tokens optional: ${summary(baseline)}`);
      t.diagnostic(`original, tokens required: ${summary(originalRequired)}`);

      if (fixed === original) {
        t.diagnostic('left unchanged by --fix');
        assert.equal(baseline.code, 0, `${name} does not run cleanly in the sandbox:\n${describeRun(baseline)}`);
        assert.ok(
          sameOutcome(originalRequired, baseline),
          `imds-guard --fix left ${name} unchanged, but it depends on IMDSv1: with HttpTokens=required it ` +
            `behaves differently.\n=== HttpTokens=optional:\n${describeRun(baseline)}\n` +
            `=== HttpTokens=required:\n${describeRun(originalRequired)}\n=== CLI output:\n${cli.stdout}${cli.stderr}`,
        );
        return;
      }

      assert.equal(
        baseline.code,
        0,
        `original ${name} does not run cleanly in the sandbox even with HttpTokens=optional, so the fix cannot be ` +
          `checked:\n${describeRun(baseline)}`,
      );
      assert.ok(
        !sameOutcome(originalRequired, baseline),
        `imds-guard --fix changed ${name}, but the original already behaves the same with HttpTokens=required.\n` +
          `=== HttpTokens=optional:\n${describeRun(baseline)}\n=== HttpTokens=required:\n${describeRun(originalRequired)}`,
      );

      const fixedRequired = await runAgainst('required', fixedPath(name));
      t.diagnostic(`fixed,    tokens required: ${summary(fixedRequired)}`);
      assert.equal(
        fixedRequired.code,
        baseline.code,
        `fixed ${name} exits differently.\n=== fixed, HttpTokens=required:\n${describeRun(fixedRequired)}\n` +
          `=== original, HttpTokens=optional:\n${describeRun(baseline)}\n=== fixed script:\n${fixed}`,
      );
      assert.equal(fixedRequired.stdout, baseline.stdout, `fixed ${name} prints something else:\n${describeRun(fixedRequired)}`);
      const rejected = fixedRequired.requests.filter((q) => q.status === 401 || q.proxied);
      assert.deepEqual(rejected, [], `fixed ${name} still made rejected/unshimmed requests:\n${describeRun(fixedRequired)}`);
      assert.ok(
        fixedRequired.requests.some((q) => q.method === 'PUT' && q.path === '/latest/api/token' && q.status === 200),
        `fixed ${name} never fetched a token:\n${describeRun(fixedRequired)}`,
      );
    });
  }
});
