// Lists the test files itself: Node 20 expands no globs, and `node --test` given no file looks
// only for .js tests, runs none of ours and still exits 0, which would pass a broken suite.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const isTest = (name) => name.endsWith('.test.ts');

/** Every *.test.ts below dir, skipping dependencies. */
function testsUnder(dir) {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile() && isTest(e.name))
    .map((e) => join(e.parentPath ?? e.path, e.name))
    .filter((p) => !relative(dir, p).split(/[\\/]/).includes('node_modules'));
}

const packages = join(root, 'packages');
const files = [
  ...readdirSync(packages, { withFileTypes: true })
    .filter((e) => e.isDirectory())
    .flatMap((e) => testsUnder(join(packages, e.name, 'test'))),
  ...testsUnder(join(root, 'tests')),
]
  .map((p) => relative(root, p))
  .sort();

if (files.length === 0) {
  console.error('run-tests: no test files found under packages/*/test or tests/');
  process.exit(1);
}

const run = spawnSync(process.execPath, ['--conditions=source', '--import', 'tsx', '--test', ...files], {
  cwd: root,
  stdio: 'inherit',
});
if (run.error) {
  console.error(`run-tests: ${run.error.message}`);
  process.exit(1);
}
process.exit(run.status ?? 1);
