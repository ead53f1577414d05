export type ScriptLanguage = 'sh' | 'powershell';

// The POSIX-family shells whose scripts the bash analyser reads.
const SHELLS = new Set(['sh', 'bash', 'dash', 'ash', 'ksh', 'mksh', 'zsh']);
const POWERSHELLS = new Set(['pwsh', 'pwsh.exe', 'powershell', 'powershell.exe']);

/** The language an interpreter path runs (`/bin/bash`, `pwsh.exe`), or undefined for anything else. */
export function interpreterLanguage(path: string): ScriptLanguage | undefined {
  const name = path.slice(Math.max(path.lastIndexOf('/'), path.lastIndexOf('\\')) + 1).toLowerCase();
  if (SHELLS.has(name)) return 'sh';
  if (POWERSHELLS.has(name)) return 'powershell';
  return undefined;
}

/**
 * Where the script is in an argv that runs one through an interpreter: `sh -c SCRIPT`,
 * `bash -euo pipefail -c SCRIPT`, `/bin/bash -lc SCRIPT`, `pwsh -Command SCRIPT`. Undefined when
 * the argv is not an inline script (a script file, a plain program).
 */
export function inlineScript(argv: readonly string[]): { index: number; language: ScriptLanguage } | undefined {
  const language = argv[0] === undefined ? undefined : interpreterLanguage(argv[0]);
  if (!language) return undefined;
  for (let i = 1; i < argv.length - 1; i++) {
    const arg = argv[i]!;
    if (language === 'sh') {
      if (!arg.startsWith('-') || arg === '--') return undefined;
      // `-o pipefail` takes the next word as its value.
      if (/^[-+]o$/.test(arg)) {
        i++;
        continue;
      }
      if (/^-[a-zA-Z]*c[a-zA-Z]*$/.test(arg)) return { index: i + 1, language };
    } else {
      if (/^-(c|command)$/i.test(arg)) return { index: i + 1, language };
      if (!arg.startsWith('-')) return undefined;
    }
  }
  return undefined;
}
