import { parseTree, type Node, type ParseError } from 'jsonc-parser';
import type { Entry, ParsedTemplate, TemplateNode } from './template-node.js';

// Comments are accepted: CloudFormation does not allow them, but annotated fixtures and many
// editors' "JSON with comments" files carry them, and they change nothing about the template.
const OPTIONS = { allowTrailingComma: true, disallowComments: false } as const;

/** Parses a CloudFormation JSON template with offsets (jsonc-parser recovers from errors). */
export function parseJsonTemplate(text: string): ParsedTemplate {
  const errors: ParseError[] = [];
  const tree = parseTree(text, errors, OPTIONS);
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
