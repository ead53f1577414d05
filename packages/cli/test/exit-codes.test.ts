import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, describe, it } from 'node:test';
import { runBuiltBin, runMain, runProcess, tempTree } from './helpers.ts';

const t = tempTree();
after(t.cleanup);
const empty = t.path('empty');
t.write('empty/.keep', '');
t.write('bad/binary.sh', Buffer.from('echo 169.254.169.254\0'));
t.write('clean/quiet.sh', 'echo hello\n');
const version = (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }).version;

describe('exit codes of a spawned CLI', () => {
  it('exits 0 on an empty directory', () => {
    const r = runProcess(['scan'], empty);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, 'No problems found.\n');
  });

  it('exits 2 on an unknown flag, with the reason on stderr', () => {
    const r = runProcess(['scan', '--frobnicate'], empty);
    assert.equal(r.code, 2);
    assert.equal(r.stdout, '');
    assert.match(r.stderr, /Unknown option '--frobnicate'/);
  });

  it('exits 1 when a file cannot be analysed', () => {
    const r = runProcess(['scan', 'bad'], t.root);
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stdout, /bad\/binary\.sh: binary file/);
  });

  it('runs from the built bin', () => {
    const r = runBuiltBin(['--version'], empty);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, `${version}\n`);
  });
});

describe('exit codes and usage errors', () => {
  const usage = async (...argv: string[]) => {
    const r = await runMain(argv, empty);
    assert.equal(r.code, 2, `${argv.join(' ')} should be a usage error`);
    assert.equal(r.stdout, '');
    return r.stderr;
  };

  it('exits 0 when the scripts are clean', async () => {
    assert.equal((await runMain(['scan', 'clean'], t.root)).code, 0);
  });

  it('exits 1 for a path that does not exist', async () => {
    const r = await runMain(['scan', 'nope'], t.root);
    assert.equal(r.code, 1);
    assert.match(r.stdout, /nope: no such file or directory/);
  });

  it('rejects bad usage with exit 2', async () => {
    assert.match(await usage(), /no command given/);
    assert.match(await usage('lint'), /unknown command 'lint'/);
    assert.match(await usage('scan', '--format', 'xml'), /unknown format 'xml'/);
    assert.match(await usage('scan', '--format'), /argument missing/);
    assert.match(await usage('scan', '--max-file-size', '10MB'), /positive whole number of bytes/);
    assert.match(await usage('scan', '--max-file-size', '0'), /positive whole number/);
    assert.match(await usage('scan', '--unsafe-fixes'), /only has an effect together with --fix/);
    assert.match(await usage('scan', '--fix=yes'), /does not take an argument/);
  });

  it('prints help and version with exit 0', async () => {
    const help = await runMain(['--help'], empty);
    assert.equal(help.code, 0);
    assert.match(help.stdout, /^Usage: imds-guard scan/);
    assert.match(help.stdout, /--unsafe-fixes/);
    const v = await runMain(['scan', '--version'], empty);
    assert.deepEqual(v, { code: 0, stdout: `${version}\n`, stderr: '' });
  });
});
