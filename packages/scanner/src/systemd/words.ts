import type { MappedChar } from '../dockerfile/logical-text.js';

/** A word of an `Exec*=` command line after systemd's unquoting, and where it starts in the file. */
export interface Word {
  readonly chars: MappedChar[];
  readonly hostStart: number;
}

export interface Command {
  /** The `@-:+!` prefixes before the program. */
  readonly prefixes: string;
  readonly words: Word[];
}

export interface CommandLine {
  /** One or more commands: a lone `;` word separates them. */
  readonly commands: Command[];
  /** Set when a quote is left open (systemd rejects the line). */
  readonly unterminated?: number;
}

/** Environment variables set in the unit; `${NAME}` is replaced by systemd, not by the shell. */
export type Environment = ReadonlyMap<string, string>;

const ESCAPES: Record<string, string> = { a: '\x07', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t', v: '\v', s: ' ', '\\': '\\', '"': '"', "'": "'" };

/**
 * Splits an `Exec*=` value as systemd.service(5) "Command lines" describes: words split at
 * blanks; single or double quotes group; C-style backslash escapes; `$$` is `$`, `%%` is `%` and
 * other `%` specifiers are the unit's values (a placeholder here); `${NAME}` is the unit's
 * environment variable, and so is a word that is exactly `$NAME`.
 */
export function splitCommandLine(value: readonly MappedChar[], env: Environment): CommandLine {
  let i = 0;
  const commands: Word[][] = [[]];
  let unterminated: number | undefined;
  while (i < value.length) {
    while (i < value.length && /[ \t]/.test(value[i]!.char)) i++;
    if (i >= value.length) break;
    const hostStart = value[i]!.hostStart;
    const wordStart = i;
    const chars: MappedChar[] = [];
    let quote = '';
    for (; i < value.length; i++) {
      const c = value[i]!;
      if (!quote && /[ \t]/.test(c.char)) break;
      if (!quote && (c.char === '"' || c.char === "'")) {
        quote = c.char;
        continue;
      }
      if (quote && c.char === quote) {
        quote = '';
        continue;
      }
      const next = value[i + 1];
      if (c.char === '\\' && next) {
        chars.push({ char: ESCAPES[next.char] ?? next.char, hostStart: c.hostStart, hostEnd: next.hostEnd });
        i++;
      } else if ((c.char === '$' && next?.char === '$') || (c.char === '%' && next?.char === '%')) {
        chars.push({ char: c.char, hostStart: c.hostStart, hostEnd: next!.hostEnd });
        i++;
      } else if (c.char === '%' && next) {
        chars.push(...replaced(`__unit_${/\w/.test(next.char) ? next.char : 'x'}__`, c.hostStart, next.hostEnd));
        i++;
      } else if (c.char === '$' && next?.char === '{') {
        const close = value.findIndex((x, k) => k > i && x.char === '}');
        const name = close < 0 ? '' : text(value.slice(i + 2, close));
        if (!/^\w+$/.test(name)) {
          chars.push(c);
          continue;
        }
        chars.push(...replaced(env.get(name) ?? `__env_${name}__`, c.hostStart, value[close]!.hostEnd));
        i = close;
      } else {
        chars.push(c);
      }
    }
    if (quote) unterminated ??= hostStart;
    const word = { chars, hostStart };
    const raw = text(value.slice(wordStart, i));
    if (raw === ';') commands.push([]);
    else if (/^\$\w+$/.test(raw)) {
      const last = value[i - 1]!;
      // `$NAME` alone is the variable's value split at blanks: zero or more words.
      for (const part of (env.get(raw.slice(1)) ?? `__env_${raw.slice(1)}__`).split(/\s+/).filter(Boolean)) {
        commands.at(-1)!.push({ chars: replaced(part, hostStart, last.hostEnd), hostStart });
      }
    } else commands.at(-1)!.push(word);
  }
  const split = commands.filter((c) => c.length > 0).map(withPrefixes);
  return { commands: split, ...(unterminated !== undefined ? { unterminated } : {}) };
}

/** Takes the `@-:+!` prefixes off a command's first word. */
function withPrefixes(words: Word[]): Command {
  const [first, ...rest] = words;
  let n = 0;
  while (n < first!.chars.length && '@-:+!'.includes(first!.chars[n]!.char)) n++;
  const prefixes = text(first!.chars.slice(0, n));
  const program = first!.chars.slice(n);
  return { prefixes, words: program.length > 0 ? [{ chars: program, hostStart: program[0]!.hostStart }, ...rest] : rest };
}

/** Characters that stand for host text `[start, end)` without being it. */
function replaced(value: string, start: number, end: number): MappedChar[] {
  // The whole value maps to the span, so a finding inside it points at the reference.
  return [...value].map((char) => ({ char, hostStart: start, hostEnd: end }));
}

const text = (chars: readonly MappedChar[]) => chars.map((c) => c.char).join('');

/**
 * The quote that is open just before host offset `at` in a word that starts at `from`: where a
 * fix would put its text, and so which escaping it needs.
 */
export function quoteAt(host: string, from: number, at: number): string {
  let quote = '';
  for (let i = from; i < at; i++) {
    const c = host[i];
    if (c === '\\') i++;
    else if (!quote && (c === '"' || c === "'")) quote = c;
    else if (quote && c === quote) quote = '';
  }
  return quote;
}
