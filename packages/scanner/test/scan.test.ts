import assert from 'node:assert/strict';
import { chmodSync, readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { after, describe, it } from 'node:test';
import type { Finding } from '@imds-guard/core';
import { scan } from '@imds-guard/scanner';
import type { Analyser } from '../src/analyser.ts';
import { shellAnalyser } from '../src/bash/analyser.ts';
import type { ShellAnalysis } from '../src/bash/index.ts';
import { scanWith } from '../src/scan.ts';
import { tempTree } from '../../testkit/src/temp-tree.ts';

const MENTION = 'echo 169.254.169.254\n';

function finding(file: string, line: number, column: number, ruleId = 'no-imdsv1-request'): Finding {
  return {
    ruleId,
    messageId: 'missingToken',
    severity: 'error',
    message: 'm',
    file,
    line,
    column,
    endLine: line,
    endColumn: column + 1,
    // Offsets as if every line were 100 characters long.
    start: (line - 1) * 100 + column - 1,
    end: (line - 1) * 100 + column,
  };
}

/** Records what reached the analyser and answers with what a test wants. */
function recordingAnalyser(answer: (text: string, file: string) => ShellAnalysis = () => ({ findings: [], syntaxProblems: [] })) {
  const seen: string[] = [];
  const analysers = [
    shellAnalyser(async (text, file) => {
      seen.push(file);
      return answer(text, file);
    }),
  ];
  return { seen, analysers };
}

describe('scan', () => {
  const t = tempTree();
  after(t.cleanup);
  t.write('scripts/boot.sh', MENTION);
  t.write('scripts/quiet.sh', 'echo nothing to see\n');
  t.write('scripts/run', `#!/usr/bin/env bash\n${MENTION}`);
  t.write('scripts/tool.py', `#!/usr/bin/env python3\nprint("169.254.169.254")\n`);
  t.write('notes.txt', MENTION);
  t.write('README.md', MENTION);
  t.write('image.png', Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 0, 0]));
  t.write('scripts/binary.sh', Buffer.from('echo\0'));
  t.write('node_modules/dep/install.sh', MENTION);
  t.write('dir with space/ü.sh', MENTION);
  t.write('bom.sh', `\ufeff${MENTION}`);

  it('analyses only shell scripts that pass the prefilter, named relative to cwd', async () => {
    const { seen, analysers } = recordingAnalyser();
    const result = await scanWith(analysers, ['.'], { cwd: t.root });
    assert.deepEqual(seen.sort(), ['bom.sh', 'dir with space/ü.sh', 'scripts/boot.sh', 'scripts/run']);
    assert.deepEqual(
      result.files.map((f) => f.file).sort(),
      ['bom.sh', 'dir with space/ü.sh', 'scripts/boot.sh', 'scripts/run'],
    );
    assert.deepEqual(result.errors, [{ file: 'scripts/binary.sh', message: 'binary file (a NUL byte in the first 8 KiB); not analysed' }]);
    assert.deepEqual(result.findings, []);
  });

  it('keeps the text without BOM and the path of each analysed file', async () => {
    const result = await scan(['bom.sh'], { cwd: t.root });
    assert.deepEqual(result.files, [{ path: t.path('bom.sh'), file: 'bom.sh', text: MENTION, bom: true }]);
  });

  it('names files relative to cwd even when given as absolute paths or from a subdirectory', async () => {
    const { seen, analysers } = recordingAnalyser();
    await scanWith(analysers, [t.path('scripts/boot.sh'), '../bom.sh'], { cwd: t.path('scripts') });
    assert.deepEqual(seen, ['../bom.sh', 'boot.sh']);
  });

  it('defaults to the current directory', async () => {
    const { seen, analysers } = recordingAnalyser();
    await scanWith(analysers, [], { cwd: t.path('scripts') });
    assert.deepEqual(seen.sort(), ['boot.sh', 'run']);
  });

  it('looks at the #! line of any file named explicitly', async () => {
    const { seen, analysers } = recordingAnalyser();
    const result = await scanWith(analysers, ['notes.txt', 'scripts/tool.py'], { cwd: t.root });
    assert.deepEqual(seen, []);
    assert.deepEqual(result.errors, []);
  });

  it('sorts findings by file, line and column and stamps them with the scanned file name', async () => {
    const { analysers } = recordingAnalyser((_, file) => ({
      findings: [finding('whatever', 9, 1), finding('whatever', 2, 7), finding('whatever', 2, 3)],
      syntaxProblems: [],
    }));
    const result = await scanWith(analysers, ['scripts', 'bom.sh'], { cwd: t.root });
    assert.deepEqual(
      result.findings.map((f) => `${f.file}:${f.line}:${f.column}`),
      ['bom.sh:2:3', 'bom.sh:2:7', 'bom.sh:9:1', 'scripts/boot.sh:2:3', 'scripts/boot.sh:2:7', 'scripts/boot.sh:9:1', 'scripts/run:2:3', 'scripts/run:2:7', 'scripts/run:9:1'],
    );
  });

  it('reports syntax problems as one file error, keeping the findings', async () => {
    const { analysers } = recordingAnalyser(() => ({
      findings: [finding('x', 1, 1)],
      syntaxProblems: [
        { line: 7, column: 2 },
        { line: 3, column: 5 },
      ],
    }));
    const result = await scanWith(analysers, ['scripts/boot.sh'], { cwd: t.root });
    assert.equal(result.findings.length, 1);
    assert.deepEqual(result.errors, [
      {
        file: 'scripts/boot.sh',
        message: 'syntax error at line 3:5 (and 1 more); findings elsewhere in the file are still reported',
      },
    ]);
  });

  it('turns an analyser exception into a file error and goes on with the other files', async () => {
    const { seen, analysers } = recordingAnalyser((_, file) => {
      if (file === 'scripts/boot.sh') throw new Error('unexpected node');
      return { findings: [finding(file, 1, 1)], syntaxProblems: [] };
    });
    const result = await scanWith(analysers, ['scripts'], { cwd: t.root });
    assert.deepEqual(seen, ['scripts/boot.sh', 'scripts/run']);
    assert.deepEqual(result.findings.map((f) => f.file), ['scripts/run']);
    assert.deepEqual(result.errors, [
      { file: 'scripts/binary.sh', message: 'binary file (a NUL byte in the first 8 KiB); not analysed' },
      { file: 'scripts/boot.sh', message: 'analysis failed: unexpected node' },
    ]);
  });

  it('applies the size limit', async () => {
    const result = await scan(['scripts/boot.sh'], { cwd: t.root, maxFileBytes: 5 });
    assert.equal(result.errors.length, 1);
    assert.match(result.errors[0]!.message, /^skipped because of its size/);
  });

  it('does not look at a script without a shell extension or #! line', async () => {
    const x = t.write('bin/plain', MENTION);
    chmodSync(x, 0o755);
    const { seen, analysers } = recordingAnalyser();
    await scanWith(analysers, ['bin'], { cwd: t.root });
    assert.deepEqual(seen, []);
  });
});

describe('scan with analyses of files the analyser read itself', () => {
  const t = tempTree();
  after(t.cleanup);
  t.write('infra/main.conf', MENTION);
  t.write('infra/boot.tpl', 'curl http://169.254.169.254/\n');

  // Stands in for the Terraform analyser: main.conf names boot.tpl, whose request it judges graver.
  const linking: Analyser = {
    name: 'linking',
    claims: (path) => path.endsWith('.conf'),
    mayMatter: () => true,
    async analyse(files) {
      const tpl = t.path('infra/boot.tpl');
      const grave = { ...finding('infra/boot.tpl', 1, 1), messageId: 'breaksAtBoot', message: 'breaks at boot' };
      return files.map(({ file }) => ({ file, findings: [], syntaxProblems: [] })).concat([
        { file: 'infra/boot.tpl', findings: [grave, { ...finding('infra/boot.tpl', 1, 1), messageId: 'missingTtl', ruleId: 'no-invalid-imds-token-request' }], syntaxProblems: [], source: { path: tpl, text: readFileSync(tpl, 'utf8') } },
      ]);
    },
    countSyntaxErrors: async () => 0,
  };
  // Stands in for the shell analyser, which reports the same request in the same file.
  const plain: Analyser = { ...linking, name: 'plain', claims: (path) => path.endsWith('.tpl'), async analyse(files) {
    return files.map(({ file }) => ({ file, findings: [finding(file, 1, 1)], syntaxProblems: [] }));
  } };

  it('keeps the file for reports and fixes, and reports a request reached twice once, as the graver finding', async () => {
    for (const order of [[linking, plain], [plain, linking]]) {
      const result = await scanWith(order, ['infra'], { cwd: t.root, threads: 0 });
      assert.deepEqual(result.files.map((f) => f.file), ['infra/boot.tpl', 'infra/main.conf']);
      assert.deepEqual(result.findings.map((f) => `${f.file} ${f.ruleId}/${f.messageId}`), [
        'infra/boot.tpl no-imdsv1-request/breaksAtBoot',
        'infra/boot.tpl no-invalid-imds-token-request/missingTtl',
      ]);
    }
  });

  it('between equal findings, keeps the one found through the reference when its fix differs (a template)', async () => {
    const fix = { description: 'd', safety: 'safe', edits: [{ start: 0, end: 0, text: ': "$${IMDS_TOKEN:=x}"\n' }] } as const;
    const templated = { ...finding('infra/boot.tpl', 1, 1), message: 'through the reference', fix };
    const referencing: Analyser = { ...linking, async analyse(files) {
      const tpl = t.path('infra/boot.tpl');
      return files.map(({ file }) => ({ file, findings: [], syntaxProblems: [] })).concat([
        { file: 'infra/boot.tpl', findings: [templated], syntaxProblems: [], source: { path: tpl, text: readFileSync(tpl, 'utf8') } },
      ]);
    } };
    for (const order of [[referencing, plain], [plain, referencing]]) {
      const result = await scanWith(order, ['infra'], { cwd: t.root, threads: 0 });
      assert.deepEqual(result.findings.map((f) => f.message), ['through the reference']);
    }
  });

  it('between equal findings with the same fix, keeps the file’s own one, as eslint reports it', async () => {
    const same = { ...finding('infra/boot.tpl', 1, 1), message: 'through the reference' };
    const referencing: Analyser = { ...linking, async analyse(files) {
      const tpl = t.path('infra/boot.tpl');
      return files.map(({ file }) => ({ file, findings: [], syntaxProblems: [] })).concat([
        { file: 'infra/boot.tpl', findings: [same], syntaxProblems: [], source: { path: tpl, text: readFileSync(tpl, 'utf8') } },
      ]);
    } };
    for (const order of [[referencing, plain], [plain, referencing]]) {
      const result = await scanWith(order, ['infra'], { cwd: t.root, threads: 0 });
      assert.deepEqual(result.findings.map((f) => f.message), ['m']);
    }
  });

  it('lists a referenced file that discovery did not find after the others', async () => {
    const result = await scanWith([linking], ['infra/main.conf'], { cwd: t.root, threads: 0 });
    assert.deepEqual(result.files.map((f) => f.file), ['infra/main.conf', 'infra/boot.tpl']);
  });
});

describe('scan with groups', () => {
  const t = tempTree();
  after(t.cleanup);
  t.write('a/1.grp', MENTION);
  t.write('a/2.grp', MENTION);
  t.write('a/sub/3.grp', MENTION);
  t.write('b/4.one', MENTION);
  t.write('c/5.grp', MENTION);

  it('hands a group over as soon as the files in path order have left its directory', async () => {
    const calls: string[][] = [];
    const record = (files: readonly { file: string }[]) => {
      calls.push(files.map((f) => f.file));
      return Promise.resolve(files.map(({ file }) => ({ file, findings: [], syntaxProblems: [] })));
    };
    const base = { mayMatter: () => true, countSyntaxErrors: async () => 0 };
    const grouped: Analyser = { ...base, name: 'grouped', claims: (p) => p.endsWith('.grp'), groupOf: (p) => dirname(p), analyse: record };
    const single: Analyser = { ...base, name: 'single', claims: (p) => p.endsWith('.one'), analyse: record };
    await scanWith([grouped, single], ['.'], { cwd: t.root, threads: 0 });
    // Inline, jobs run in the order they were handed over: a/ before b/4.one, which was read after it.
    assert.deepEqual(calls, [['a/1.grp', 'a/2.grp'], ['a/sub/3.grp'], ['b/4.one'], ['c/5.grp']]);
  });
});
