import { ShellTextBuilder } from '../embedded/index.js';

/** One character of an instruction as Docker reads it, and the host characters it came from. */
export interface MappedChar {
  readonly char: string;
  readonly hostStart: number;
  readonly hostEnd: number;
}

/**
 * The text of `[from, to)` as Docker reads it: the escape character followed by blanks and a
 * newline joins two lines (the three are removed), and inside such a continued instruction,
 * comment lines and empty lines are dropped. Everything else is kept character for character.
 */
export function logicalText(host: string, from: number, to: number, escapeChar: string): MappedChar[] {
  const out: MappedChar[] = [];
  let afterContinuation = false;
  for (let i = from; i < to; ) {
    if (afterContinuation) {
      let j = i;
      while (j < to && (host[j] === ' ' || host[j] === '\t')) j++;
      if (j < to && (host[j] === '#' || host[j] === '\n' || host[j] === '\r')) {
        const eol = host.indexOf('\n', j);
        i = eol < 0 || eol >= to ? to : eol + 1;
        continue;
      }
      afterContinuation = false;
    }
    if (host[i] === escapeChar) {
      const eol = continuationEnd(host, i + 1, to);
      if (eol !== undefined) {
        i = eol;
        afterContinuation = true;
        continue;
      }
    }
    out.push({ char: host[i]!, hostStart: i, hostEnd: i + 1 });
    i++;
  }
  return out;
}

/** After an escape character at `i - 1`: the offset after its newline when only blanks come between. */
function continuationEnd(host: string, i: number, to: number): number | undefined {
  let j = i;
  while (j < to && (host[j] === ' ' || host[j] === '\t')) j++;
  if (host[j] === '\r' && host[j + 1] === '\n') return j + 2;
  if (host[j] === '\n') return j + 1;
  // An escape that ends the instruction (the last line of the file) continues onto nothing.
  return j >= to ? to : undefined;
}

export const textOf = (chars: readonly MappedChar[]) => chars.map((c) => c.char).join('');

/** Adds characters to a builder: runs that are host text verbatim as one segment, the rest decoded. */
export function addChars(builder: ShellTextBuilder, host: string, chars: readonly MappedChar[]): ShellTextBuilder {
  let run = '';
  let runStart = 0;
  const flush = () => {
    if (run) builder.verbatim(runStart, run);
    run = '';
  };
  for (const c of chars) {
    const verbatim = c.hostEnd - c.hostStart === c.char.length && host.startsWith(c.char, c.hostStart);
    if (verbatim && run && runStart + run.length === c.hostStart) {
      run += c.char;
      continue;
    }
    flush();
    if (verbatim) {
      run = c.char;
      runStart = c.hostStart;
    } else {
      builder.decoded(c.hostStart, c.hostEnd, c.char);
    }
  }
  flush();
  return builder;
}
