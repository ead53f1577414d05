/**
 * Text from scanned files (lines, URLs in messages, file names) goes to a terminal: an escape
 * sequence in a hostile script must not be able to rewrite the screen. C0/C1 controls become
 * visible symbols of the same width, and bidi overrides (Trojan Source) are replaced.
 */
export function printable(text: string): string {
  return text.replace(/[\x00-\x08\x0a-\x1f\x7f\x80-\x9f\u202a-\u202e\u2066-\u2069]/g, (c) => {
    const code = c.charCodeAt(0);
    if (code < 0x20) return String.fromCharCode(0x2400 + code);
    if (code === 0x7f) return '\u2421';
    return '\ufffd';
  });
}

export interface Palette {
  bold(s: string): string;
  dim(s: string): string;
  red(s: string): string;
  yellow(s: string): string;
  cyan(s: string): string;
}

const wrap = (open: number, close: number) => (s: string) => `\x1b[${open}m${s}\x1b[${close}m`;

export const ANSI: Palette = { bold: wrap(1, 22), dim: wrap(2, 22), red: wrap(31, 39), yellow: wrap(33, 39), cyan: wrap(36, 39) };

const same = (s: string) => s;
export const PLAIN: Palette = { bold: same, dim: same, red: same, yellow: same, cyan: same };
