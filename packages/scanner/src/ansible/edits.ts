import { isMap, type Node, type YAMLMap } from 'yaml';
import type { Origin } from './jinja.js';
import { indentBefore, lineStart, type YamlFile } from './yaml.js';

/** An edit and the file it belongs to: a fix may only edit the file its finding is in. */
export interface FileEdit {
  readonly file: string;
  readonly start: number;
  readonly end: number;
  readonly text: string;
}

/** Rewrites a literal to `value`, in the quotes it was written with. */
export function replaceLiteral(origin: Origin, value: string): FileEdit {
  return { file: origin.file, start: origin.start, end: origin.end, text: `${origin.quote}${value}${origin.quote}` };
}

/** Adds `entry` (`key: value`) as the first entry of a mapping, in its own indentation or flow style. */
export function insertFirst(map: YAMLMap, file: YamlFile, entry: string): FileEdit | undefined {
  const text = file.source.text;
  const range = map.range;
  if (!range) return undefined;
  if (map.flow) {
    if (text[range[0]] !== '{') return undefined;
    if (map.items.length === 0) return { file: file.source.file, start: range[0] + 1, end: range[0] + 1, text: entry };
    const at = text[range[0] + 1] === ' ' ? range[0] + 2 : range[0] + 1;
    return { file: file.source.file, start: at, end: at, text: `${entry}, ` };
  }
  const first = map.items[0]?.key as Node | undefined;
  const start = first?.range?.[0];
  if (start === undefined) return undefined;
  const indent = indentBefore(text, start);
  if (indent === undefined) return undefined;
  const at = lineStart(text, start);
  return { file: file.source.file, start: at, end: at, text: `${' '.repeat(indent)}${entry}${file.eol}` };
}

/**
 * Adds `key:` with one nested `child` entry as the last entry of a mapping (a module's arguments),
 * using the mapping's indentation and the file's indentation step.
 */
export function appendNested(map: YAMLMap, file: YamlFile, key: string, child: string, parentKey: Node | undefined): FileEdit | undefined {
  const text = file.source.text;
  const range = map.range;
  const last = map.items.at(-1);
  if (!range) return undefined;
  if (map.flow) {
    if (!last) {
      if (text[range[0]] !== '{') return undefined;
      return { file: file.source.file, start: range[0] + 1, end: range[0] + 1, text: `${key}: {${child}}` };
    }
    const end = (last.value as Node | null)?.range?.[1] ?? (last.key as Node | null)?.range?.[1];
    if (end === undefined) return undefined;
    return { file: file.source.file, start: end, end, text: `, ${key}: {${child}}` };
  }
  const firstStart = (map.items[0]?.key as Node | undefined)?.range?.[0];
  if (!last || firstStart === undefined) return undefined;
  const indent = indentBefore(text, firstStart);
  if (indent === undefined) return undefined;
  const step = indentStep(map, text, indent, parentKey);
  const end = (last.value as Node | null)?.range?.[1] ?? (last.key as Node | null)?.range?.[1];
  if (end === undefined) return undefined;
  const lines = `${' '.repeat(indent)}${key}:${file.eol}${' '.repeat(indent + step)}${child}${file.eol}`;
  if (end > 0 && text[end - 1] === '\n') return { file: file.source.file, start: end, end, text: lines };
  const newline = text.indexOf('\n', end);
  if (newline < 0) return { file: file.source.file, start: text.length, end: text.length, text: `${file.eol}${lines.slice(0, -file.eol.length)}` };
  return { file: file.source.file, start: newline + 1, end: newline + 1, text: lines };
}

/** The file's indentation step: from a nested block mapping among the entries, else from the parent key. */
function indentStep(map: YAMLMap, text: string, indent: number, parentKey: Node | undefined): number {
  for (const pair of map.items) {
    const value = pair.value;
    if (isMap(value) && !value.flow) {
      const childStart = (value.items[0]?.key as Node | undefined)?.range?.[0];
      const childIndent = childStart === undefined ? undefined : indentBefore(text, childStart);
      if (childIndent !== undefined && childIndent > indent) return childIndent - indent;
    }
  }
  const parentStart = parentKey?.range?.[0];
  if (parentStart !== undefined) {
    const parentIndent = indentBefore(text, parentStart) ?? columnOf(text, parentStart);
    if (indent > parentIndent) return indent - parentIndent;
  }
  return 2;
}

function columnOf(text: string, offset: number): number {
  return offset - lineStart(text, offset);
}
