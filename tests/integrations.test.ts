// The GitHub Action (action.yml) and the pre-commit hook (.pre-commit-hooks.yaml), tested as far as
// this machine allows: neither GitHub's runner nor pre-commit (a PyPI package) is available, so
// their files are parsed and checked, and the commands they run are run the way those tools would,
// against the built CLI.
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, extname, join } from 'node:path';
import { after, describe, it } from 'node:test';
import { parse } from 'yaml';

const root = join(import.meta.dirname, '..');
const bin = join(root, 'packages/cli/bin/imds-guard.js');
const V1 = 'ID=$(curl -s http://169.254.169.254/latest/meta-data/instance-id)\n';

function scratch() {
  const dir = mkdtempSync(join(tmpdir(), 'imds-guard-integration-'));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

interface Step {
  name?: string;
  id?: string;
  uses?: string;
  run?: string;
  shell?: string;
  if?: string;
  env?: Record<string, string>;
  with?: Record<string, string>;
}

describe('action.yml', () => {
  const action = parse(readFileSync(join(root, 'action.yml'), 'utf8')) as {
    name: string;
    description: string;
    inputs: Record<string, { description: string; default?: string; required?: boolean }>;
    outputs: Record<string, { value: string }>;
    runs: { using: string; steps: Step[] };
  };
  const steps = action.runs.steps;
  const step = (pred: (s: Step) => boolean) => {
    const s = steps.find(pred);
    assert.ok(s, 'step not found');
    return s;
  };

  it('is a composite action with the documented inputs', () => {
    assert.equal(action.name, 'imds-guard');
    assert.ok(action.description.length > 20);
    assert.equal(action.runs.using, 'composite');
    for (const input of ['paths', 'fail-on', 'baseline', 'changed-since', 'args', 'sarif-file', 'upload-sarif', 'node-version']) {
      assert.ok(action.inputs[input], `input ${input}`);
      assert.ok(action.inputs[input]!.description.length > 10, `input ${input} has a description`);
      assert.ok(action.inputs[input]!.default !== undefined, `input ${input} has a default`);
    }
    assert.equal(action.inputs['sarif-file']!.default, 'imds-guard.sarif');
    for (const s of steps) if (s.run) assert.equal(s.shell, 'bash', `${s.name}: a composite run step needs a shell`);
  });

  it('sets up node, scans to SARIF, uploads it with codeql-action, then applies the gate', () => {
    const names = steps.map((s) => s.uses?.replace(/@.*/, '') ?? s.id ?? s.name);
    assert.deepEqual(names, ['actions/setup-node', 'Build imds-guard', 'scan', 'github/codeql-action/upload-sarif', 'Gate']);
    const scanStep = step((s) => s.id === 'scan');
    assert.match(scanStep.run!, /--format sarif --output "\$INPUT_SARIF_FILE"/);
    const upload = step((s) => s.uses?.startsWith('github/codeql-action/upload-sarif@') ?? false);
    assert.equal(upload.with?.sarif_file, '${{ inputs.sarif-file }}');
    assert.match(upload.if!, /always\(\)/, 'the SARIF is uploaded even when the scan found something');
    assert.match(step((s) => s.uses?.startsWith('actions/setup-node@') ?? false).with!['node-version']!, /inputs\.node-version/);
  });

  it('references only declared inputs and outputs, and never pastes an input into a script', () => {
    const text = readFileSync(join(root, 'action.yml'), 'utf8');
    for (const [, name] of text.matchAll(/\$\{\{\s*inputs\.([\w-]+)/g)) assert.ok(action.inputs[name!], `inputs.${name} is declared`);
    for (const s of steps) {
      if (s.run) assert.doesNotMatch(s.run, /\$\{\{/, `${s.name ?? s.id}: expressions in run: allow script injection; use env`);
    }
    assert.match(action.outputs['exit-code']!.value, /steps\.scan\.outputs\.exit-code/);
  });

  it("the Scan step's script runs the CLI and records its exit code; the Gate step fails on it", () => {
    const { dir, cleanup } = scratch();
    try {
      writeFileSync(join(dir, 'boot.sh'), V1);
      writeFileSync(join(dir, 'clean.sh'), 'echo hi\n');
      const scanStep = step((s) => s.id === 'scan');
      const run = (inputs: Record<string, string>) => {
        const output = join(dir, `github-output-${Math.random().toString(36).slice(2)}`);
        writeFileSync(output, '');
        const env = {
          PATH: process.env.PATH!,
          GITHUB_OUTPUT: output,
          IMDS_GUARD: bin,
          INPUT_PATHS: '.',
          INPUT_FAIL_ON: '',
          INPUT_BASELINE: '',
          INPUT_CHANGED_SINCE: '',
          INPUT_ARGS: '',
          INPUT_SARIF_FILE: 'imds-guard.sarif',
          ...inputs,
        };
        // How GitHub runs a `shell: bash` step.
        const r = spawnSync('bash', ['--noprofile', '--norc', '-eo', 'pipefail', '-c', scanStep.run!], { cwd: dir, env, encoding: 'utf8' });
        assert.equal(r.status, 0, r.stderr);
        return Object.fromEntries(readFileSync(output, 'utf8').trim().split('\n').map((l) => l.split('=') as [string, string]));
      };
      const found = run({});
      assert.deepEqual(found, { 'exit-code': '1', sarif: 'true' });
      const sarif = JSON.parse(readFileSync(join(dir, 'imds-guard.sarif'), 'utf8'));
      assert.equal(sarif.runs[0].results[0].locations[0].physicalLocation.artifactLocation.uri, 'boot.sh');
      assert.deepEqual(run({ INPUT_PATHS: 'clean.sh\n', INPUT_SARIF_FILE: 'clean.sarif' }), { 'exit-code': '0', sarif: 'true' });
      assert.deepEqual(run({ INPUT_FAIL_ON: 'fatal' })['exit-code'], '2');
      assert.deepEqual(run({ INPUT_ARGS: '--exclude boot.sh' })['exit-code'], '0');

      const gate = step((s) => s.name === 'Gate');
      const verdict = (code: string) => spawnSync('bash', ['--noprofile', '--norc', '-eo', 'pipefail', '-c', gate.run!], { env: { PATH: process.env.PATH!, CODE: code }, encoding: 'utf8' });
      assert.equal(verdict('0').status, 0);
      assert.equal(verdict('1').status, 1);
      assert.match(verdict('1').stdout, /^::error title=imds-guard::/m);
      assert.equal(verdict('2').status, 2);
    } finally {
      cleanup();
    }
  });
});

describe('.pre-commit-hooks.yaml', () => {
  const hooks = parse(readFileSync(join(root, '.pre-commit-hooks.yaml'), 'utf8')) as Record<string, unknown>[];

  it('defines the imds-guard hook', () => {
    assert.equal(hooks.length, 1);
    const [hook] = hooks;
    assert.equal(hook!.id, 'imds-guard');
    assert.equal(hook!.entry, 'imds-guard scan');
    assert.equal(hook!.pass_filenames, true);
    assert.equal(hook!.language, 'system');
    assert.deepEqual(hook!.types_or, ['shell', 'terraform', 'hcl', 'yaml', 'json']);
    for (const key of Object.keys(hook!)) {
      // The keys pre-commit accepts in a hook definition.
      assert.ok(
        ['id', 'name', 'entry', 'language', 'files', 'exclude', 'types', 'types_or', 'exclude_types', 'additional_dependencies', 'args', 'always_run', 'fail_fast', 'pass_filenames', 'description', 'language_version', 'log_file', 'minimum_pre_commit_version', 'require_serial', 'stages', 'verbose'].includes(key),
        key,
      );
    }
  });

  describe('its entry, run on the staged files of a repository as pre-commit runs it', () => {
    const { dir, cleanup } = scratch();
    after(cleanup);
    const shim = join(root, 'node_modules/.bin');
    const git = (...args: string[]) =>
      execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@example.com', '-c', 'commit.gpgsign=false', ...args], { cwd: dir, encoding: 'utf8' });

    // pre-commit's `identify` tags, for the file kinds in this test.
    const tags = (file: string): string[] => {
      const byExt: Record<string, string[]> = { '.sh': ['shell'], '.tf': ['terraform'], '.hcl': ['hcl'], '.yaml': ['yaml'], '.yml': ['yaml'], '.json': ['json'], '.md': ['markdown'] };
      if (byExt[extname(file)]) return byExt[extname(file)]!;
      return /^#!.*\b(ba|z|da|k)?sh\b/.test(readFileSync(join(dir, file), 'utf8')) ? ['shell'] : [];
    };
    const runHook = () => {
      const hook = hooks[0]!;
      const staged = git('diff', '--cached', '--name-only', '--diff-filter=ACMR', '-z').split('\0').filter(Boolean);
      const files = staged.filter((f) => tags(f).some((t) => (hook.types_or as string[]).includes(t)));
      // pre-commit skips a hook that no file matches.
      if (files.length === 0) return { status: 0, stdout: '(skipped)', files };
      const [cmd, ...args] = String(hook.entry).split(/\s+/);
      const r = spawnSync(cmd!, [...args, ...files], { cwd: dir, encoding: 'utf8', env: { ...process.env, PATH: `${shim}${delimiter}${process.env.PATH}`, NO_COLOR: '1' } });
      return { status: r.status, stdout: r.stdout + r.stderr, files };
    };

    it('the imds-guard command is on the PATH the way an installed one would be', () => {
      assert.ok(existsSync(join(shim, 'imds-guard')), 'node_modules/.bin/imds-guard (pnpm install links it)');
      assert.ok(existsSync(join(root, 'packages/cli/dist/main.js')), 'the CLI is built (pnpm build)');
    });

    it('fails on a staged script with a finding, ignores unstaged and unrelated files', () => {
      git('init', '-q');
      writeFileSync(join(dir, 'README.md'), '# x\n');
      writeFileSync(join(dir, 'boot.sh'), V1);
      writeFileSync(join(dir, 'deploy'), `#!/usr/bin/env bash\n${V1}`);
      writeFileSync(join(dir, 'notes.txt'), V1);
      writeFileSync(join(dir, 'unstaged.sh'), V1);
      git('add', 'README.md', 'boot.sh', 'deploy', 'notes.txt');
      const r = runHook();
      assert.deepEqual(r.files, ['boot.sh', 'deploy']);
      assert.equal(r.status, 1, r.stdout);
      assert.match(r.stdout, /^boot\.sh:1:6 +error/m);
      assert.match(r.stdout, /^deploy:2:6 +error/m);
      assert.doesNotMatch(r.stdout, /unstaged\.sh|notes\.txt/);
    });

    it('passes once the staged files are clean, and is skipped when nothing matches', () => {
      git('commit', '-q', '-m', 'wip', '--no-verify');
      writeFileSync(join(dir, 'boot.sh'), 'echo fixed\n');
      writeFileSync(join(dir, 'deploy'), '#!/usr/bin/env bash\necho fixed\n');
      writeFileSync(join(dir, 'main.tf'), 'resource "aws_instance" "x" {\n  metadata_options {\n    http_tokens = "required"\n  }\n}\n');
      git('add', 'boot.sh', 'deploy', 'main.tf');
      const r = runHook();
      assert.deepEqual(r.files, ['boot.sh', 'deploy', 'main.tf']);
      assert.equal(r.status, 0, r.stdout);
      git('commit', '-q', '-m', 'fixed', '--no-verify');
      writeFileSync(join(dir, 'README.md'), '# y\n');
      git('add', 'README.md');
      assert.equal(runHook().stdout, '(skipped)');
    });
  });
});
