import { Alias, isAlias, isMap, isScalar, isSeq, parseAllDocuments, type Node, type Pair, type ParsedNode, type Scalar, type Tags } from 'yaml';
import { longIntrinsicName, type Entry, type ParsedTemplate, type ScalarStyle, type TemplateNode } from './template-node.js';

/**
 * The short forms of CloudFormation's intrinsic functions. Without them `yaml` still parses the
 * file but warns "Unresolved tag" at every `!Ref`; with them it keeps each tag on its node, which
 * is how `!If [...]` is told apart from an ordinary list (`toJS()` would lose it).
 */
export const INTRINSIC_TAGS: readonly string[] = [
  'Ref',
  'Sub',
  'GetAtt',
  'If',
  'Join',
  'Select',
  'FindInMap',
  'Base64',
  'Equals',
  'Not',
  'And',
  'Or',
  'ImportValue',
  'Split',
  'Cidr',
  'GetAZs',
  'Condition',
  'Transform',
  // AWS::LanguageExtensions.
  'ToJsonString',
  'Length',
  'ForEach',
];

const KNOWN = new Set(INTRINSIC_TAGS.map((t) => `!${t}`));

// Each tag in all three node forms (`!Ref x`, `!If [...]`, `!Transform {...}`), resolved to the
// node itself: only the tag name matters, and the analyser reads the node tree.
const CUSTOM_TAGS: Tags = INTRINSIC_TAGS.flatMap((name) => [
  { tag: `!${name}`, resolve: (value: string) => value },
  { tag: `!${name}`, collection: 'seq' as const, resolve: (value: unknown) => value },
  { tag: `!${name}`, collection: 'map' as const, resolve: (value: unknown) => value },
]) as unknown as Tags;

/** Parses CloudFormation YAML, keeping offsets and short-form tags. */
export function parseYamlTemplate(text: string): ParsedTemplate {
  const docs = parseAllDocuments(text, { customTags: CUSTOM_TAGS, keepSourceTokens: false });
  const list = Array.isArray(docs) ? docs : [];
  const errors = list.flatMap((d) => d.errors.map((e) => e.pos[0]));
  const documents = list.flatMap((d) => (d.contents ? [convert(d.contents as ParsedNode)] : []));
  return { syntax: 'yaml', documents, errors };
}

/** Counts parser errors, for refusing a fix that makes the file parse worse. */
export function countYamlErrors(text: string): number {
  return parseYamlTemplate(text).errors.length;
}

function convert(node: ParsedNode | Alias | Node): TemplateNode {
  const [start, valueEnd] = node.range ?? [0, 0];
  const tag = tagOf(node.tag);
  if (isAlias(node)) return { kind: 'opaque', what: 'a YAML alias', start, end: valueEnd, tag };
  if (isScalar(node)) return { kind: 'scalar', value: scalarText(node), style: styleOf(node.type), start, end: valueEnd, tag };
  if (isSeq(node)) {
    const items = node.items.map((item) => convert(item as ParsedNode));
    // A block collection's range runs on over the line break after it; its last item ends it.
    const end = node.flow ? valueEnd : (items.at(-1)?.end ?? valueEnd);
    return { kind: 'seq', items, start, end, tag };
  }
  if (isMap(node)) {
    const entries = node.items.flatMap((pair) => entryOf(pair as Pair<ParsedNode, ParsedNode | null>));
    const last = entries.at(-1);
    const end = node.flow ? valueEnd : last ? (last.value?.end ?? last.keyEnd) : valueEnd;
    return { kind: 'map', entries, flow: Boolean(node.flow), start, end, tag };
  }
  return { kind: 'opaque', what: 'an unknown YAML node', start, end: valueEnd, tag };
}

function entryOf(pair: Pair<ParsedNode, ParsedNode | null>): Entry[] {
  const key = pair.key;
  // Complex keys (`? [a, b]`) never name a CloudFormation property.
  if (!isScalar(key) || key.value === null || typeof key.value === 'object') return [];
  const [keyStart, keyEnd] = key.range ?? [0, 0];
  return [{ key: String(key.value), keyStart, keyEnd, value: pair.value ? convert(pair.value) : undefined }];
}

/** The text a reader sees: `2.0` stays `2.0`, `~` is null. */
function scalarText(node: Scalar): string | null {
  if (node.value === null || node.value === undefined) return null;
  if (typeof node.value === 'string') return node.value;
  return node.source ?? String(node.value);
}

function styleOf(type: Scalar['type']): ScalarStyle {
  switch (type) {
    case 'QUOTE_SINGLE':
      return 'single';
    case 'QUOTE_DOUBLE':
      return 'double';
    case 'BLOCK_FOLDED':
    case 'BLOCK_LITERAL':
      return 'block';
    default:
      return 'plain';
  }
}

/**
 * Intrinsic tags become their long name. Other local tags (`!Custom`) are kept as written, so the
 * value counts as an unknown function rather than a literal; YAML's own `!!str` is no function.
 */
function tagOf(tag: string | undefined): string | undefined {
  if (!tag || !tag.startsWith('!') || tag.startsWith('!!')) return undefined;
  return KNOWN.has(tag) ? longIntrinsicName(tag.slice(1)) : tag;
}
