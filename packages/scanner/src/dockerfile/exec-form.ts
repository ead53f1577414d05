import { parseTree } from 'jsonc-parser';
import { textOf, type MappedChar } from './logical-text.js';

/**
 * The arguments of an exec-form instruction (`RUN ["sh", "-c", "…"]`), each decoded from its JSON
 * string literal and mapped back to the host. Docker takes the arguments as exec form exactly when
 * they are a JSON array of strings; anything else is shell form, so undefined here.
 */
export function execFormArgs(args: readonly MappedChar[]): MappedChar[][] | undefined {
  const text = textOf(args);
  if (!text.trimStart().startsWith('[')) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (!Array.isArray(value) || !value.every((v) => typeof v === 'string')) return undefined;
  const tree = parseTree(text);
  const items = tree?.children ?? [];
  const argv = items.map((item) => decodeString(args, item.offset + 1, item.offset + item.length - 1));
  // The JSON parser is the judge; the character map must agree with it.
  return argv.every((a, i) => textOf(a) === value[i]) ? argv : undefined;
}

const SIMPLE_ESCAPES: Record<string, string> = { '"': '"', '\\': '\\', '/': '/', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t' };

/** The characters of a JSON string literal's body `[from, to)`, escapes decoded. */
function decodeString(chars: readonly MappedChar[], from: number, to: number): MappedChar[] {
  const out: MappedChar[] = [];
  for (let i = from; i < to; ) {
    const c = chars[i]!;
    if (c.char !== '\\') {
      out.push(c);
      i++;
      continue;
    }
    const kind = chars[i + 1]?.char ?? '';
    const length = kind === 'u' ? 6 : 2;
    const last = chars[Math.min(i + length, to) - 1]!;
    const char = kind === 'u' ? String.fromCharCode(parseInt(textOf(chars.slice(i + 2, i + 6)), 16)) : (SIMPLE_ESCAPES[kind] ?? kind);
    out.push({ char, hostStart: c.hostStart, hostEnd: last.hostEnd });
    i += length;
  }
  return out;
}

/** JSON string-literal escaping, for text a fix writes inside an exec-form argument. */
export function jsonStringBody(text: string): string {
  return JSON.stringify(text).slice(1, -1);
}
