import { basename } from 'node:path';
import { addChars, textOf, type MappedChar } from '../dockerfile/logical-text.js';
import { inlineScript } from '../dockerfile/interpreter.js';
import { ShellTextBuilder, type EmbeddedShell } from '../embedded/index.js';
import { mayMentionImds } from '../prefilter.js';
import { readUnit } from './unit.js';
import { quoteAt, splitCommandLine, type Environment, type Word } from './words.js';

/** The settings that run a command, in the sections that have them (services and sockets). */
const EXEC_KEYS = new Set(['ExecCondition', 'ExecStartPre', 'ExecStart', 'ExecStartPost', 'ExecReload', 'ExecStop', 'ExecStopPre', 'ExecStopPost']);
const EXEC_SECTIONS = new Set(['Service', 'Socket']);

export interface UnitShell {
  readonly pieces: EmbeddedShell[];
  /** Host offsets of lines systemd ignores or rejects. */
  readonly problems: number[];
}

/**
 * The commands of a unit's `Exec*=` settings. `/bin/sh -c SCRIPT` (or bash, or pwsh -Command) is
 * its script, which a fix can edit; any other command is read as the argv it is, with no fix:
 * no shell runs it, so there is nowhere to keep a token.
 */
export function unitShell(host: string, path: string): UnitShell {
  const { settings, problems } = readUnit(host);
  const unit = unitName(path);
  const assignments = environment(settings.filter((s) => EXEC_SECTIONS.has(s.section) && s.key === 'Environment').map((s) => s.value));
  const env: Environment = new Map(assignments.map((a) => [a.name, a.value]));
  const pieces: EmbeddedShell[] = [];
  for (const setting of settings) {
    if (!EXEC_SECTIONS.has(setting.section) || !EXEC_KEYS.has(setting.key)) continue;
    const line = splitCommandLine(setting.value, env);
    if (line.unterminated !== undefined) {
      problems.push(line.unterminated);
      continue;
    }
    const context = `in ${setting.key} of ${unit}`;
    for (const { prefixes, words } of line.commands) {
      if (words.length === 0) continue;
      // With `@`, the second word is only argv[0]; the program is the first.
      const argv = prefixes.includes('@') ? [words[0]!, ...words.slice(2)] : words;
      const script = inlineScript(argv.map((w) => textOf(w.chars)));
      if (script) pieces.push(scriptPiece(host, argv[script.index]!, script.language, context, script.language === 'sh' ? assignments : []));
      else pieces.push(commandPiece(host, argv, context));
    }
  }
  return { pieces, problems: problems.sort((a, b) => a - b) };
}

function scriptPiece(host: string, word: Word, language: 'sh' | 'powershell', context: string, env: readonly Assignment[]): EmbeddedShell {
  const builder = new ShellTextBuilder();
  // The script inherits the unit's environment: `$$IMDS` in it is `$IMDS` set by Environment=.
  for (const a of env) {
    if (a.end <= word.hostStart && mayMentionImds(a.value)) builder.decoded(a.start, a.end, `${a.name}="${a.value.replace(/["\\`$]/g, '\\$&')}"\n`);
  }
  addChars(builder, host, word.chars);
  return builder.build({ context, language, escape: (text, at) => escapeInWord(text, quoteAt(host, word.hostStart, at)) });
}

/**
 * Text for inside a quoted word of an `Exec*=` line: one line (`; ` between commands), `$$` and
 * `%%` for systemd, backslashes escaped, and the word's own quote escaped (or, inside single
 * quotes, refused). An unquoted word cannot take the blanks a fix needs.
 */
export function escapeInWord(text: string, quote: string): string | undefined {
  if (!quote) return undefined;
  const line = (/\n$/.test(text) ? text.replace(/^[ \t]+/, '') : text).replace(/\r?\n/g, '; ');
  if (quote === "'" && line.includes("'")) return undefined;
  let out = line.replace(/\\/g, '\\\\');
  if (quote === '"') out = out.replace(/"/g, '\\"');
  return out.replace(/\$/g, '$$$$').replace(/%/g, '%%');
}

/** A program run directly, as the shell would need it quoted to see the same argv. */
function commandPiece(host: string, argv: readonly Word[], context: string): EmbeddedShell {
  const builder = new ShellTextBuilder();
  argv.forEach((word, i) => {
    if (i > 0) builder.decoded(word.hostStart, word.hostStart, ' ');
    const value = textOf(word.chars);
    if (/^[\w@%+=:,./-]+$/.test(value)) addChars(builder, host, word.chars);
    else builder.decoded(word.hostStart, word.chars.at(-1)?.hostEnd ?? word.hostStart, `'${value.replaceAll("'", `'\\''`)}'`);
  });
  return builder.build({ context, language: 'sh', escape: () => undefined });
}

interface Assignment {
  readonly name: string;
  readonly value: string;
  readonly start: number;
  readonly end: number;
}

/** `Environment=NAME=value "OTHER=a b"`: the last assignment of a name wins, as in systemd. */
function environment(values: readonly (readonly MappedChar[])[]): Assignment[] {
  const env = new Map<string, Assignment>();
  for (const value of values) {
    for (const { words } of splitCommandLine(value, new Map()).commands) {
      for (const word of words) {
        const assignment = /^(\w+)=(.*)$/s.exec(textOf(word.chars));
        if (!assignment) continue;
        env.delete(assignment[1]!);
        env.set(assignment[1]!, { name: assignment[1]!, value: assignment[2]!, start: word.hostStart, end: word.chars.at(-1)?.hostEnd ?? word.hostStart });
      }
    }
  }
  return [...env.values()].sort((a, b) => a.start - b.start);
}

/** `node-labels.service`, or for a drop-in (`node-labels.service.d/10-imds.conf`) the unit it changes. */
function unitName(path: string): string {
  const parent = basename(path.slice(0, Math.max(0, path.replaceAll('\\', '/').lastIndexOf('/'))));
  return parent.endsWith('.d') && /\.conf$/.test(path) ? parent.slice(0, -2) : basename(path);
}
