/**
 * Runs a shell script with `bash <path>` for tests that exercise IMDS clients
 * against the loopback emulator.
 *
 * Safety: the curl/wget shims only catch PATH-resolved clients. Unless
 * `allowUnshimmed` is set, `runScript` therefore refuses (rejects, without
 * starting anything) when
 *   - `env` does not carry the shims (`createImdsShims().env()`), or
 *   - the script text visibly bypasses PATH lookup or talks to the network
 *     directly (see `findShimBypasses`).
 * Files the script sources or runs are not inspected.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, open, readFile, rm, writeFile, type FileHandle } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { SHIM_ENV_VAR } from './imds-shims.js';

export interface RunScriptOptions {
  /** Environment for bash; normally `shims.env()`. Default `process.env`. */
  env?: NodeJS.ProcessEnv;
  /** Kill the script (and its process group) after this many ms. Default 10000. */
  timeoutMs?: number;
  cwd?: string;
  /** Extra arguments passed to the script (`bash <path> ...args`). */
  args?: string[];
  /** The bash to run (default `/bin/bash`, else `bash` looked up on the caller's PATH, not `env.PATH`). */
  bash?: string;
  /** Data the script reads on stdin (default: empty). */
  stdin?: string;
  /**
   * Skip the safety checks (shim env present, no visible shim bypass in the script).
   * Only for scripts that do not touch the network.
   */
  allowUnshimmed?: boolean;
}

export interface RunScriptResult {
  /** Exit status, or null when killed by a signal (e.g. on timeout). */
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  timedOut: boolean;
}

export interface ShimBypass {
  line: number;
  text: string;
  reason: string;
}

const BYPASS_PATTERNS: ReadonlyArray<[RegExp, string]> = [
  [/\/dev\/(?:tcp|udp)\//, "bash /dev/tcp or /dev/udp networking can't be redirected"],
  [
    /(?:^|[\s;&|(){}'"`=])[^\s;&|()'"`=]*\/(?:curl|wget)(?=$|[\s;&|(){}'"`])/,
    'curl/wget called by path (not via PATH lookup) bypasses the shims',
  ],
  [
    /(?:^|[\s;&|({])(?:export\s+|declare\s+-x\s+|local\s+|readonly\s+)?PATH=(?!["']?\$\{?PATH\b)/,
    'PATH reassigned without keeping the shim directory first',
  ],
  [/\bcommand\s+-[a-zA-Z]*p/, '`command -p` uses the default PATH'],
  [/\benv\s+(?:-[a-zA-Z]*[iu]|--ignore-environment|--unset)/, '`env -i`/`env -u` can drop the shim PATH'],
  [/(?:^|[\s;&|(])(?:sudo|doas|su|runuser|pkexec)(?=\s)/, 'privilege switching resets PATH'],
  [/\bhash\s+-p\b/, '`hash -p` can bind curl/wget to another binary'],
];

/** Lines of a script that would run an HTTP client outside the PATH shims. Comments are ignored. */
export function findShimBypasses(source: string): ShimBypass[] {
  const found: ShimBypass[] = [];
  source.split('\n').forEach((raw, index) => {
    if (index === 0 && raw.startsWith('#!')) return;
    const text = raw.replace(/(^|\s)#.*$/, '$1');
    for (const [pattern, reason] of BYPASS_PATTERNS) {
      if (pattern.test(text)) found.push({ line: index + 1, text: raw.trim(), reason });
    }
  });
  return found;
}

function assertShimmed(path: string, source: string, env: NodeJS.ProcessEnv): void {
  const shimDir = env[SHIM_ENV_VAR];
  const first = (env.PATH ?? '').split(delimiter)[0];
  if (!shimDir || first !== shimDir) {
    throw new Error(
      `runScript(${path}): env does not put the IMDS shims first on PATH; use createImdsShims(port).env() ` +
        '(or pass allowUnshimmed: true for scripts that never touch the network)',
    );
  }
  const bypasses = findShimBypasses(source);
  if (bypasses.length > 0) {
    const list = bypasses.map((b) => `  line ${b.line}: ${b.text}  (${b.reason})`).join('\n');
    throw new Error(
      `runScript(${path}): refusing to run a script that would bypass the IMDS shims ` +
        `(only PATH-resolved curl/wget are redirected):\n${list}`,
    );
  }
}

let cachedBash: string | undefined;
function defaultBash(): string {
  if (cachedBash) return cachedBash;
  if (existsSync('/bin/bash')) return (cachedBash = '/bin/bash');
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (dir && existsSync(`${dir}/bash`)) return (cachedBash = `${dir}/bash`);
  }
  return 'bash';
}

/**
 * Runs `bash <path>`; resolves when bash has exited (or after killing it on timeout).
 * stdin/stdout/stderr are temp files rather than pipes, so scripts that open
 * `/dev/stdout` or `/dev/stdin` behave as they would in a terminal or under systemd
 * (on Linux, reopening a socket via /proc/self/fd fails with ENXIO). Anything the
 * script left running in its process group is killed once bash exits.
 */
export async function runScript(path: string, options: RunScriptOptions = {}): Promise<RunScriptResult> {
  const env = options.env ?? process.env;
  const timeoutMs = options.timeoutMs ?? 10_000;
  if (!options.allowUnshimmed) assertShimmed(path, await readFile(path, 'utf8'), env);

  const bash = options.bash ?? defaultBash();
  const io = await mkdtemp(join(tmpdir(), 'imds-run-'));
  const files = { stdin: join(io, 'stdin'), stdout: join(io, 'stdout'), stderr: join(io, 'stderr') };
  await writeFile(files.stdin, options.stdin ?? '');
  // O_APPEND, so writes through fd 1 and through a reopened /dev/stdout interleave instead of overwriting.
  const handles: FileHandle[] = [];
  try {
    handles.push(await open(files.stdin, 'r'), await open(files.stdout, 'a'), await open(files.stderr, 'a'));
    const [stdinFh, stdoutFh, stderrFh] = handles as [FileHandle, FileHandle, FileHandle];
    const { code, signal, timedOut } = await new Promise<{
      code: number | null;
      signal: NodeJS.Signals | null;
      timedOut: boolean;
    }>((resolve, reject) => {
      const child = spawn(bash, [path, ...(options.args ?? [])], {
        env,
        cwd: options.cwd,
        stdio: [stdinFh.fd, stdoutFh.fd, stderrFh.fd],
        detached: true, // own process group, so a timeout kills curl/wget children too
      });
      let timedOut = false;
      const killGroup = () => {
        if (child.pid === undefined) return;
        try {
          process.kill(-child.pid, 'SIGKILL');
        } catch {
          // group already gone
        }
      };
      const timer = setTimeout(() => {
        timedOut = true;
        killGroup();
      }, timeoutMs);
      child.on('error', (err) => {
        clearTimeout(timer);
        reject(err);
      });
      child.on('close', (code, signal) => {
        clearTimeout(timer);
        killGroup(); // leftovers the script started in the background
        resolve({ code, signal, timedOut });
      });
    });
    return {
      code,
      signal,
      stdout: await readFile(files.stdout, 'utf8'),
      stderr: await readFile(files.stderr, 'utf8'),
      timedOut,
    };
  } finally {
    await Promise.all(handles.map((h) => h.close().catch(() => {})));
    await rm(io, { recursive: true, force: true });
  }
}
