import { parseTree, type Node, type ParseError } from 'jsonc-parser';
import type { Entry, ParsedTemplate, TemplateNode } from './template-node.js';

// Comments are accepted: CloudFormation does not allow them, but annotated fixtures and many
// editors' "JSON with comments" files carry them, and they change nothing about the template.
const OPTIONS = { allowTrailingComma: true, disallowComments: false } as const;

/** Parses a CloudFormation JSON template with offsets (jsonc-parser recovers from errors). */
export function parseJsonTemplate(text: string): ParsedTemplate {
  const errors: ParseError[] = [];
  const tree = parseTree(flattenDeepNesting(text), errors, OPTIONS);
  return { syntax: 'json', documents: tree ? [convert(tree)] : [], errors: errors.map((e) => e.offset) };
}

export function countJsonErrors(text: string): number {
  return parseJsonTemplate(text).errors.length;
}

function convert(node: Node): TemplateNode {
  const start = node.offset;
  const end = node.offset + node.length;
  switch (node.type) {
    case 'object':
      return { kind: 'map', entries: (node.children ?? []).flatMap(entryOf), flow: true, start, end };
    case 'array':
      return { kind: 'seq', items: (node.children ?? []).map(convert), start, end };
    case 'string':
      return { kind: 'scalar', value: String(node.value), style: 'double', start, end };
    case 'null':
      return { kind: 'scalar', value: null, style: 'plain', start, end };
    case 'number':
    case 'boolean':
      return { kind: 'scalar', value: String(node.value), style: 'plain', start, end };
    default:
      return { kind: 'opaque', what: `a JSON ${node.type}`, start, end };
  }
}

function entryOf(property: Node): Entry[] {
  const [key, value] = property.children ?? [];
  if (!key || key.type !== 'string') return [];
  return [{ key: String(key.value), keyStart: key.offset, keyEnd: key.offset + key.length, value: value ? convert(value) : undefined }];
}

/** Deeper than any real template; jsonc-parser recurses per level and overflows the stack near 10,000. */
const MAX_DEPTH = 200;

/**
 * Replaces each array or object nested deeper than MAX_DEPTH with `0` and blanks (newlines kept),
 * so offsets and lines stay put and the rest of the template is still analysed.
 */
export function flattenDeepNesting(text: string): string {
  let depth = 0;
  let out: string[] | undefined;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '"') {
      for (i++; i < text.length && text[i] !== '"'; i++) if (text[i] === '\\') i++;
    } else if (c === '/' && text[i + 1] === '/') {
      while (i < text.length && text[i] !== '\n') i++;
    } else if (c === '/' && text[i + 1] === '*') {
      const close = text.indexOf('*/', i + 2);
      i = close < 0 ? text.length : close + 1;
    } else if (c === '[' || c === '{') {
      if (++depth > MAX_DEPTH) {
        const end = matchingClose(text, i);
        out ??= text.split('');
        for (let j = i; j <= end && j < text.length; j++) if (out[j] !== '\n' && out[j] !== '\r') out[j] = ' ';
        out[i] = '0';
        i = end;
        depth--;
      }
    } else if (c === ']' || c === '}') depth--;
  }
  return out ? out.join('') : text;
}

function matchingClose(text: string, open: number): number {
  let depth = 0;
  for (let i = open; i < text.length; i++) {
    const c = text[i];
    if (c === '"') {
      for (i++; i < text.length && text[i] !== '"'; i++) if (text[i] === '\\') i++;
    } else if (c === '[' || c === '{') depth++;
    else if ((c === ']' || c === '}') && --depth === 0) return i;
  }
  return text.length - 1;
}
