/** One word of a command line and where it was written. */
export interface Word {
  readonly word: string;
  readonly start: number;
  readonly end: number;
}

/**
 * Splits a command line into words the way Python's `shlex.split` does in POSIX mode, which is
 * how Ansible's `command` module builds argv: blanks separate words; single quotes keep
 * everything; double quotes keep everything but `\"` and `\\`; outside quotes a backslash keeps
 * the next character. An unterminated quote keeps the rest of the line as part of the word.
 */
export function shlexWords(line: string): Word[] {
  const words: Word[] = [];
  let i = 0;
  while (i < line.length) {
    while (i < line.length && /\s/.test(line[i]!)) i++;
    if (i >= line.length) break;
    const start = i;
    let word = '';
    while (i < line.length && !/\s/.test(line[i]!)) {
      const c = line[i]!;
      if (c === "'") {
        const close = line.indexOf("'", i + 1);
        const end = close < 0 ? line.length : close;
        word += line.slice(i + 1, end);
        i = end + 1;
      } else if (c === '"') {
        i++;
        while (i < line.length && line[i] !== '"') {
          if (line[i] === '\\' && (line[i + 1] === '"' || line[i + 1] === '\\')) i++;
          word += line[i] ?? '';
          i++;
        }
        i++;
      } else if (c === '\\' && i + 1 < line.length) {
        word += line[i + 1];
        i += 2;
      } else {
        word += c;
        i++;
      }
    }
    words.push({ word, start, end: Math.min(i, line.length) });
  }
  return words;
}
