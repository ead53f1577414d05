// The fuzz loop of fuzz.test.ts, in a worker thread so that the test can stop a case that hangs
// (a synchronous loop in an analyser would block a test's own timers). Not a test file itself.
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join, relative } from 'node:path';
import { parentPort, workerData } from 'node:worker_threads';
import { applyFixes, type Finding, type Fix } from '@imds-guard/core';
import { ANALYSERS, scan, settleFindings, verifyFixedText } from '@imds-guard/scanner';

export interface FuzzSettings {
  readonly seed: number;
  readonly iterations: number;
  /** Stop starting new cases after this many ms. */
  readonly budgetMs: number;
  readonly fixturesDir: string;
  /** Every n-th case also goes through the whole scan from a file on disk. */
  readonly scanEvery: number;
}

export type FuzzMessage =
  | { readonly kind: 'start'; readonly index: number; readonly label: string }
  | { readonly kind: 'problem'; readonly index: number; readonly label: string; readonly problem: string; readonly text: string }
  | { readonly kind: 'done'; readonly cases: number; readonly analysed: number; readonly fixed: number; readonly scanned: number; readonly refused: number };

const EXTENSIONS = /\.(sh|bash|tf|tfvars|hcl|ya?ml|json|template|[cm]?js|[cm]?ts)$/;

/** mulberry32: small, fast, and the same sequence everywhere for a seed. */
export function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const INSERTS = ['"', "'", '`', '{', '}', '(', ')', '[', ']', '$(', '${', '<<EOF\n', '\\', '#', '\n', '\0', ':', '- ', '= ', '\t', '//', '/*', '*/', '\r\n', '\u202e', '😀', '${{', '!Ref '];

export function mutate(text: string, rand: () => number): { text: string; ops: string[] } {
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(rand() * xs.length)]!;
  const at = () => Math.floor(rand() * (text.length + 1));
  const ops: string[] = [];
  const rounds = 1 + Math.floor(rand() * 3);
  for (let r = 0; r < rounds; r++) {
    const lines = text.split('\n');
    const line = Math.floor(rand() * lines.length);
    switch (pick(['flip', 'flip', 'delete-line', 'duplicate-line', 'swap-lines', 'truncate', 'insert', 'insert', 'insert'] as const)) {
      case 'flip': {
        const i = Math.floor(rand() * text.length);
        const c = rand() < 0.8 ? String.fromCharCode(32 + Math.floor(rand() * 95)) : String.fromCharCode(Math.floor(rand() * 0x3000));
        text = text.slice(0, i) + c + text.slice(i + 1);
        ops.push(`flip@${i}`);
        break;
      }
      case 'delete-line':
        lines.splice(line, 1);
        text = lines.join('\n');
        ops.push(`delete-line ${line + 1}`);
        break;
      case 'duplicate-line':
        lines.splice(line, 0, lines[line] ?? '');
        text = lines.join('\n');
        ops.push(`duplicate-line ${line + 1}`);
        break;
      case 'swap-lines': {
        const other = Math.floor(rand() * lines.length);
        [lines[line], lines[other]] = [lines[other]!, lines[line]!];
        text = lines.join('\n');
        ops.push(`swap-lines ${line + 1} ${other + 1}`);
        break;
      }
      case 'truncate': {
        const i = at();
        text = text.slice(0, i);
        ops.push(`truncate@${i}`);
        break;
      }
      case 'insert': {
        const i = at();
        const s = pick(INSERTS);
        text = text.slice(0, i) + s + text.slice(i);
        ops.push(`insert@${i} ${JSON.stringify(s)}`);
        break;
      }
    }
  }
  return { text, ops };
}

function fixtureFiles(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir).sort()) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...fixtureFiles(path));
    else if (EXTENSIONS.test(name)) out.push(path);
  }
  return out;
}

async function run(settings: FuzzSettings): Promise<void> {
  const post = (m: FuzzMessage) => parentPort!.postMessage(m);
  const rand = random(settings.seed);
  const fixtures = fixtureFiles(settings.fixturesDir).map((path) => ({ path, text: readFileSync(path, 'utf8') }));
  const scratch = mkdtempSync(join(tmpdir(), 'imds-guard-fuzz-'));
  const started = performance.now();
  let cases = 0;
  let analysed = 0;
  let fixed = 0;
  let scanned = 0;
  let refused = 0;
  try {
    for (let index = 0; index < settings.iterations && performance.now() - started < settings.budgetMs; index++) {
      const fixture = fixtures[Math.floor(rand() * fixtures.length)]!;
      const { text, ops } = mutate(fixture.text, rand);
      const label = `#${index} ${relative(settings.fixturesDir, fixture.path)}: ${ops.join(', ')}`;
      const problem = (what: string) => post({ kind: 'problem', index, label, problem: what, text });
      post({ kind: 'start', index, label });
      cases++;
      const file = basename(fixture.path);
      const findings: Finding[] = [];
      for (const analyser of ANALYSERS.filter((a) => a.claims(fixture.path, true))) {
        let matters: boolean;
        try {
          matters = analyser.mayMatter(text);
        } catch (err) {
          problem(`${analyser.name}.mayMatter threw: ${describe(err)}`);
          continue;
        }
        if (!matters) continue;
        analysed++;
        try {
          // Analyses of files the analyser read itself (a templatefile() target) are about other texts.
          for (const analysis of await analyser.analyse([{ path: fixture.path, file, text }])) if (analysis.file === file) findings.push(...analysis.findings.map((f) => ({ ...f, file })));
        } catch (err) {
          problem(`${analyser.name}.analyse threw: ${describe(err)}`);
        }
      }
      let settled = findings;
      try {
        settled = settleFindings(findings, [{ path: fixture.path, file, text }]).findings;
      } catch (err) {
        problem(`settleFindings threw: ${describe(err)}`);
      }
      for (const f of settled) {
        if (f.start < 0 || f.end > text.length || f.start > f.end || f.line < 1 || f.endLine < f.line) problem(`finding out of range: ${JSON.stringify({ ...f, fix: undefined })}`);
      }
      const fixes = settled.map((f) => f.fix).filter((x): x is Fix => x !== undefined);
      if (fixes.length > 0) {
        try {
          const outcome = applyFixes(text, fixes);
          if (outcome.text !== text) {
            fixed++;
            const verdict = await verifyFixedText(text, outcome.text, fixture.path);
            if (!verdict.ok) {
              // In a file that already has syntax errors, the parser's error recovery can shift
              // with any edit, and --fix refuses such a result (this verdict): that is the design.
              // A file that parsed cleanly must stay clean.
              const broken = await syntaxErrors(fixture.path, text);
              if (broken === 0) problem(`applying every fix to a file without syntax errors breaks it: ${verdict.reason}`);
              else refused++;
            }
          }
        } catch (err) {
          problem(`fixing threw: ${describe(err)}`);
        }
      }
      // Now and then the whole pipeline, from a file: read, prefilter, analysers, suppressions.
      if (index % settings.scanEvery === 0) {
        scanned++;
        const name = basename(fixture.path);
        writeFileSync(join(scratch, name), text);
        try {
          const result = await scan([name], { cwd: scratch, threads: 0 });
          for (const e of result.errors) if (e.message.startsWith('analysis failed')) problem(`scan: ${e.message}`);
        } catch (err) {
          problem(`scan threw: ${describe(err)}`);
        }
        rmSync(join(scratch, name), { force: true });
      }
    }
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
  post({ kind: 'done', cases, analysed, fixed, scanned, refused });
}

async function syntaxErrors(path: string, text: string): Promise<number> {
  let n = 0;
  for (const a of ANALYSERS.filter((x) => x.claims(path, true))) n += await a.countSyntaxErrors(text, path);
  return n;
}

function describe(err: unknown): string {
  return err instanceof Error ? `${err.message}\n${err.stack?.split('\n').slice(1, 6).join('\n')}` : String(err);
}

if (parentPort && workerData) await run(workerData as FuzzSettings);
