#!/usr/bin/env node
// Benchmark (not a test): what eslint-plugin-imds-guard adds to an ESLint run on a large real
// JavaScript/TypeScript code base. The corpus is the JS/TS of the project's own installed
// dependencies (node_modules/.pnpm), copied to a temporary folder (ESLint skips node_modules).
// Both runs use the same base config (ESLint's recommended core rules; @typescript-eslint/parser
// and typescript-eslint's eslint-recommended overrides for TypeScript); the second adds the
// plugin's recommended rules. Runs alternate, and the medians are compared. Needs a build first (`pnpm build`): the plugin is loaded from its dist/.
//
//   node scripts/bench-eslint.mjs [--runs 3] [--max-file-bytes 1000000] [--keep]
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';

const root = fileURLToPath(new URL('..', import.meta.url));
const pluginDir = join(root, 'packages/eslint-plugin');
const require = createRequire(join(pluginDir, 'package.json'));

const { values: args } = parseArgs({
  options: {
    runs: { type: 'string', default: '3' },
    'max-file-bytes': { type: 'string', default: '1000000' },
    keep: { type: 'boolean', default: false },
  },
});
const RUNS = Number(args.runs);
const MAX_BYTES = Number(args['max-file-bytes']);
const EXT = /\.(js|mjs|cjs|ts|mts|cts)$/;

const { ESLint } = await import(pathToFileURL(require.resolve('eslint')).href);
const { builtinRules } = await import(pathToFileURL(require.resolve('eslint/use-at-your-own-risk')).href);
const tsParser = require('@typescript-eslint/parser');
// typescript-eslint's override that turns off the core rules TypeScript's AST breaks (no-unused-vars, no-undef, …)
const { default: tseslint } = await import(pathToFileURL(require.resolve('typescript-eslint')).href);
const pluginEntry = join(pluginDir, 'dist/index.js');
try {
  statSync(pluginEntry);
} catch {
  console.error(`bench-eslint: ${relative(root, pluginEntry)} is missing; run pnpm build first`);
  process.exit(2);
}
const { default: imdsGuard, mayMakeImdsRequests, mayConfigureInstances } = await import(pathToFileURL(pluginEntry).href);

/** Copies every JS/TS file of the installed packages, dropping node_modules from the paths. */
function buildCorpus() {
  const store = join(root, 'node_modules/.pnpm');
  const dir = mkdtempSync(join(tmpdir(), 'imds-guard-bench-'));
  let files = 0;
  let bytes = 0;
  let candidates = 0;
  const walk = (from, to) => {
    for (const entry of readdirSync(from, { withFileTypes: true })) {
      const src = join(from, entry.name);
      if (entry.isDirectory()) {
        walk(src, entry.name === 'node_modules' ? to : join(to, entry.name));
      } else if (entry.isFile() && EXT.test(entry.name)) {
        const size = statSync(src).size;
        if (size > MAX_BYTES) continue;
        mkdirSync(to, { recursive: true });
        copyFileSync(src, join(to, entry.name));
        const text = readFileSync(src, 'utf8');
        if (mayMakeImdsRequests(text) || mayConfigureInstances(text)) candidates++;
        files++;
        bytes += size;
      }
    }
  };
  for (const pkg of readdirSync(store, { withFileTypes: true })) {
    if (pkg.isDirectory() && pkg.name !== 'node_modules') walk(join(store, pkg.name, 'node_modules'), join(dir, pkg.name));
  }
  // The project's own sources, too.
  for (const pkg of readdirSync(join(root, 'packages'))) walk(join(root, 'packages', pkg, 'src'), join(dir, 'imds-guard', pkg));
  return { dir, files, bytes, candidates };
}

const recommendedCore = Object.fromEntries([...builtinRules].filter(([, rule]) => rule.meta?.docs?.recommended).map(([name]) => [name, 'error']));
const FILES = ['**/*.js', '**/*.mjs', '**/*.cjs', '**/*.ts', '**/*.mts', '**/*.cts'];
const base = [
  { files: FILES, rules: recommendedCore, linterOptions: { reportUnusedDisableDirectives: 'off' } },
  // as typescript-eslint's recommended config does (it swaps in its own rule)
  { files: ['**/*.ts', '**/*.mts', '**/*.cts'], languageOptions: { parser: tsParser }, rules: { 'no-unused-vars': 'off' } },
  { ...tseslint.configs.eslintRecommended, files: ['**/*.ts', '**/*.mts', '**/*.cts'] },
];
const withPlugin = [...base, { files: FILES, plugins: { 'imds-guard': imdsGuard }, rules: imdsGuard.configs.recommended[0].rules }];

async function lint(dir, config) {
  const eslint = new ESLint({ cwd: dir, overrideConfigFile: true, overrideConfig: config, cache: false, warnIgnored: false });
  const start = performance.now();
  const results = await eslint.lintFiles(['.']);
  const ms = performance.now() - start;
  const imds = results.reduce((n, r) => n + r.messages.filter((m) => m.ruleId?.startsWith('imds-guard/')).length, 0);
  const fatal = results.reduce((n, r) => n + r.fatalErrorCount, 0);
  return { ms, files: results.length, imds, fatal };
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

const corpus = buildCorpus();
console.log(`corpus: ${corpus.files} files, ${(corpus.bytes / 1e6).toFixed(1)} MB in ${corpus.dir}`);
console.log(`files that pass the plugin's prefilter (and are analysed): ${corpus.candidates}`);
console.log(`base config: ${Object.keys(recommendedCore).length} recommended core rules, @typescript-eslint/parser for TS`);
try {
  // Warm-up: module loading and JIT, not measured.
  await lint(corpus.dir, withPlugin);
  const times = { base: [], plugin: [] };
  let last;
  for (let i = 0; i < RUNS; i++) {
    // Alternate which config goes first, so that neither profits from a warmer process.
    let a;
    let b;
    if (i % 2 === 0) {
      a = await lint(corpus.dir, base);
      b = await lint(corpus.dir, withPlugin);
    } else {
      b = await lint(corpus.dir, withPlugin);
      a = await lint(corpus.dir, base);
    }
    times.base.push(a.ms);
    times.plugin.push(b.ms);
    last = { a, b };
    console.log(`run ${i + 1}: base ${(a.ms / 1000).toFixed(2)} s, with imds-guard ${(b.ms / 1000).toFixed(2)} s`);
  }
  const b = median(times.base);
  const p = median(times.plugin);
  console.log(`linted ${last.a.files} files (${last.a.fatal} parse errors); imds-guard findings: ${last.b.imds}`);
  console.log(`median base: ${(b / 1000).toFixed(2)} s`);
  console.log(`median with imds-guard: ${(p / 1000).toFixed(2)} s`);
  const min = (xs) => Math.min(...xs);
  console.log(`fastest: base ${(min(times.base) / 1000).toFixed(2)} s, with imds-guard ${(min(times.plugin) / 1000).toFixed(2)} s`);
  console.log(`ratio of medians: ${(p / b).toFixed(4)} (${(((p - b) / b) * 100).toFixed(2)} % added; goal < 3 %)`);
  console.log(`ratio of fastest runs: ${(min(times.plugin) / min(times.base)).toFixed(4)}`);
  // Wall-clock ratios move by several percent with the machine's load. ESLint's own per-rule
  // timings (the \`stats\` option) measure the plugin's share directly.
  const eslint = new ESLint({ cwd: corpus.dir, overrideConfigFile: true, overrideConfig: withPlugin, cache: false, warnIgnored: false, stats: true });
  let own = 0;
  let all = 0;
  for (const result of await eslint.lintFiles(['.'])) {
    for (const pass of result.stats?.times.passes ?? []) {
      all += (pass.parse?.total ?? 0) + (pass.fix?.total ?? 0);
      for (const [rule, { total }] of Object.entries(pass.rules ?? {})) {
        all += total;
        if (rule.startsWith('imds-guard/')) own += total;
      }
    }
  }
  console.log(`ESLint stats: imds-guard rules ${own.toFixed(0)} ms of ${(all / 1000).toFixed(2)} s parsing and rules (${((own / all) * 100).toFixed(2)} %)`);
} finally {
  if (!args.keep) rmSync(corpus.dir, { recursive: true, force: true });
}
