/**
 * A bounded fuzz test: random mutations of the fixtures (character flips, deleted, duplicated and
 * swapped lines, truncation, inserted quotes, braces, `$(`, heredoc markers, NULs, CRLF, bidi
 * controls), with a fixed seed so a failure reproduces. For each mutated file it asserts that
 *   - no exception escapes an analyser, the suppression pass or the scan;
 *   - every finding lies inside the text;
 *   - applying every fix (safe and unsafe) gives text that parses no worse than the mutated input
 *     (verifyFixedText, the check --fix runs before it writes) when that input parsed cleanly; in
 *     an input that already has syntax errors, error recovery can shift with any edit and --fix
 *     refuses a worse result, so those cases are only counted;
 *   - no case hangs: each has a time limit, enforced from outside the worker that runs the loop.
 * The loop stops early at its time budget, so it stays within CI's time on 2 cores; the number of
 * cases it got through is printed. IMDS_GUARD_FUZZ_SEED and IMDS_GUARD_FUZZ_ITERATIONS override the
 * defaults for a longer local run.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { FuzzMessage, FuzzSettings } from './fuzz-worker.ts';

const SEED = Number(process.env.IMDS_GUARD_FUZZ_SEED ?? 20261128);
const ITERATIONS = Number(process.env.IMDS_GUARD_FUZZ_ITERATIONS ?? 3000);
/** The loop starts no case after this; the whole test must end well within 40 s. */
const BUDGET_MS = 25_000;
/** One mutated file; the first JS/TS case also loads ESLint. */
const CASE_LIMIT_MS = 15_000;

it('fuzzed fixtures never crash an analyser, hang, or get a fix that parses worse', { timeout: BUDGET_MS + 2 * CASE_LIMIT_MS + 10_000 }, async () => {
  const settings: FuzzSettings = {
    seed: SEED,
    iterations: ITERATIONS,
    budgetMs: BUDGET_MS,
    fixturesDir: fileURLToPath(new URL('../../../fixtures/', import.meta.url)),
    scanEvery: 25,
  };
  // Node 20 gives worker threads no loader hooks: register tsx in the thread first.
  const entry = new URL('./fuzz-worker.ts', import.meta.url).href;
  const tsx = import.meta.resolve('tsx/esm/api');
  const bootstrap = `import(${JSON.stringify(tsx)}).then((tsx) => { tsx.register(); return import(${JSON.stringify(entry)}); });`;
  const worker = new Worker(bootstrap, { eval: true, workerData: settings, execArgv: [...process.execArgv, '--conditions=source'] });
  const problems: Extract<FuzzMessage, { kind: 'problem' }>[] = [];
  let current: { label: string; since: number } | undefined;
  let summary: Extract<FuzzMessage, { kind: 'done' }> | undefined;
  let hung: string | undefined;

  await new Promise<void>((resolve, reject) => {
    const watchdog = setInterval(() => {
      if (current && performance.now() - current.since > CASE_LIMIT_MS) {
        hung = current.label;
        void worker.terminate();
      }
    }, 250);
    worker.on('message', (m: FuzzMessage) => {
      if (m.kind === 'start') current = { label: m.label, since: performance.now() };
      else if (m.kind === 'problem') problems.push(m);
      else summary = m;
    });
    worker.on('error', (err) => {
      clearInterval(watchdog);
      reject(err);
    });
    worker.on('exit', () => {
      clearInterval(watchdog);
      resolve();
    });
  });

  // Keep the inputs of failures where a developer can feed them to the scanner again.
  const keep = problems.length > 0 || hung ? mkdtempSync(join(tmpdir(), 'imds-guard-fuzz-failures-')) : undefined;
  problems.slice(0, 20).forEach((p, i) => writeFileSync(join(keep!, `${i}-${p.label.split(' ')[1]!.replace(/\//g, '_')}`), p.text));

  assert.equal(hung, undefined, `case took more than ${CASE_LIMIT_MS} ms (seed ${SEED}): ${hung}`);
  assert.ok(summary, 'the fuzz loop did not finish');
  const report = problems.slice(0, 10).map((p) => `${p.label}\n  ${p.problem}`).join('\n');
  assert.equal(problems.length, 0, `${problems.length} problems (seed ${SEED}; inputs in ${keep}):\n${report}`);
  console.log(`fuzz: ${summary.cases} cases (seed ${SEED}), ${summary.analysed} analyses, ${summary.fixed} fixed texts verified (${summary.refused} in already broken files refused, as --fix would), ${summary.scanned} full scans`);
  assert.ok(summary.cases >= Math.min(ITERATIONS, 500), `only ${summary.cases} cases in the budget`);
});
