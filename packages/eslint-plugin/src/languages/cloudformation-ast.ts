/**
 * CloudFormation files (YAML or JSON) as ESLint trees: YAML through the `yaml` package's CST and
 * composer (the same package the scanner reads templates with), JSON through jsonc-parser. Short
 * form tags (`!Ref`, `!Sub` …) are kept as each node's `tag`; they need no schema here, since the
 * tree only serves selectors and comments (the scanner's analyser reads the template itself).
 */
import { parseTree as parseJsonTree, type Node as JsonNode } from 'jsonc-parser';
import { Composer, isAlias, isMap, isPair, isScalar, isSeq, Parser, type CST } from 'yaml';
import { commentValue, Positions, type AstNode, type Comment } from './ast.js';
import type { ParsedTree } from './tree-sitter-ast.js';

export type Syntax = 'json' | 'yaml';

/** `.json` is JSON; a `.template` is JSON when it starts with a bracket (as the scanner decides); the rest YAML. */
export function syntaxOf(path: string, text: string): Syntax {
  const lower = path.toLowerCase();
  if (lower.endsWith('.json')) return 'json';
  if (lower.endsWith('.template') && /^\s*[[{]/.test(text)) return 'json';
  return 'yaml';
}

export const VISITOR_KEYS: Record<string, string[]> = Object.fromEntries(
  ['Stream', 'Document', 'Map', 'Seq', 'Pair', 'Scalar', 'Alias', 'Object', 'Array', 'Property', 'String', 'Number', 'Boolean', 'Null'].map((t) => [t, ['children']]),
);

/** A root with no children, for files no analyser cares about: nothing to select, nothing to pay. */
export function emptyTree(syntax: Syntax, text: string): ParsedTree {
  return { ast: new Positions(text).node(syntax === 'json' ? 'Document' : 'Stream', 0, text.length), comments: [] };
}

export function parseCloudFormation(syntax: Syntax, text: string): ParsedTree {
  return syntax === 'json' ? parseJson(text) : parseYaml(text);
}

type YamlNode = unknown;

function parseYaml(text: string): ParsedTree {
  const positions = new Positions(text);
  const tokens = [...new Parser().parse(text)];
  const root = positions.node('Stream', 0, text.length);
  for (const doc of new Composer().compose(tokens)) {
    const [start, , end] = doc.range;
    const docNode = positions.node('Document', start, Math.max(start, end));
    root.children.push(docNode);
    // An explicit stack: the scanner's tests nest templates 10,000 levels deep.
    const stack: { value: YamlNode; parent: AstNode; field?: string }[] = [{ value: doc.contents, parent: docNode }];
    while (stack.length > 0) {
      const { value, parent, field } = stack.pop()!;
      const node = yamlNode(positions, value, field);
      if (!node) continue;
      parent.children.push(node);
      const kids: { value: YamlNode; field?: string }[] = [];
      if (isMap(value) || isSeq(value)) for (const item of value.items) kids.push({ value: item });
      else if (isPair(value)) kids.push({ value: value.key, field: 'key' }, { value: value.value, field: 'value' });
      for (let i = kids.length - 1; i >= 0; i--) stack.push({ ...kids[i]!, parent: node });
    }
  }
  return { ast: root, comments: yamlComments(tokens, positions) };
}

function yamlNode(positions: Positions, value: YamlNode, field?: string): (AstNode & { tag?: string }) | undefined {
  if (isPair(value)) {
    const key = isScalar(value.key) || isMap(value.key) || isSeq(value.key) || isAlias(value.key) ? value.key.range : undefined;
    const val = isScalar(value.value) || isMap(value.value) || isSeq(value.value) || isAlias(value.value) ? value.value.range : undefined;
    const start = key?.[0] ?? val?.[0];
    if (start === undefined) return undefined;
    return positions.node('Pair', start, Math.max(start, val?.[1] ?? key?.[1] ?? start), field);
  }
  const type = isMap(value) ? 'Map' : isSeq(value) ? 'Seq' : isScalar(value) ? 'Scalar' : isAlias(value) ? 'Alias' : undefined;
  if (!type) return undefined;
  const node = value as { range?: [number, number, number] | null; tag?: string };
  if (!node.range) return undefined;
  const out = positions.node(type, node.range[0], node.range[1], field);
  return node.tag ? { ...out, tag: node.tag } : out;
}

/** Every `#` comment in the CST, wherever the parser put it (document prefix, map item start, flow collections …). */
function yamlComments(tokens: readonly CST.Token[], positions: Positions): Comment[] {
  const comments: Comment[] = [];
  const seen = new Set<object>();
  const stack: unknown[] = [...tokens];
  while (stack.length > 0) {
    const item = stack.pop();
    if (!item || typeof item !== 'object' || seen.has(item)) continue;
    seen.add(item);
    const token = item as { type?: string; offset?: number; source?: string };
    if (token.type === 'comment' && typeof token.offset === 'number' && typeof token.source === 'string') {
      comments.push(positions.comment(token.offset, token.offset + token.source.length, commentValue(token.source)));
      continue;
    }
    for (const value of Object.values(item)) if (value && typeof value === 'object') stack.push(value);
  }
  return comments.sort((a, b) => a.range[0] - b.range[0]);
}

const JSON_TYPES: Record<JsonNode['type'], string> = { object: 'Object', array: 'Array', property: 'Property', string: 'String', number: 'Number', boolean: 'Boolean', null: 'Null' };

function parseJson(text: string): ParsedTree {
  const positions = new Positions(text);
  const root = positions.node('Document', 0, text.length);
  const tree = parseJsonTree(text, [], { allowTrailingComma: true, disallowComments: false });
  const stack: { value: JsonNode; parent: AstNode }[] = tree ? [{ value: tree, parent: root }] : [];
  while (stack.length > 0) {
    const { value, parent } = stack.pop()!;
    const node = positions.node(JSON_TYPES[value.type], value.offset, value.offset + value.length);
    parent.children.push(node);
    const kids = value.children ?? [];
    for (let i = kids.length - 1; i >= 0; i--) stack.push({ value: kids[i]!, parent: node });
  }
  // JSON has no comments of its own; ESLint directives are not read from JSON files.
  return { ast: root, comments: [] };
}
