import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { main } from '../src/main.ts';

export { tempTree } from '../../testkit/src/temp-tree.ts';

/** Runs main() in-process with captured output. */
export async function runMain(argv: string[], cwd: string, options: { tty?: boolean; env?: Record<string, string> } = {}) {
  let stdout = '';
  let stderr = '';
  const code = await main(argv, {
    cwd,
    env: options.env ?? {},
    stdout: { write: (s: string) => (stdout += s), isTTY: options.tty ?? false },
    stderr: { write: (s: string) => (stderr += s) },
  });
  return { code, stdout, stderr };
}

const here = fileURLToPath(new URL('.', import.meta.url));

/** Runs the CLI as a separate process from source, as a user's shell would. */
export function runProcess(argv: string[], cwd: string) {
  const child = spawnSync(
    process.execPath,
    ['--conditions=source', '--import', import.meta.resolve('tsx'), join(here, 'cli-from-source.ts'), ...argv],
    { cwd, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } },
  );
  return { code: child.status, stdout: child.stdout, stderr: child.stderr };
}

/** The built bin, exactly as installed; needs `pnpm build` (which `pnpm test` runs first). */
export function runBuiltBin(argv: string[], cwd: string) {
  const bin = fileURLToPath(new URL('../bin/imds-guard.js', import.meta.url));
  const child = spawnSync(process.execPath, [bin, ...argv], { cwd, encoding: 'utf8' });
  return { code: child.status, stdout: child.stdout, stderr: child.stderr };
}
