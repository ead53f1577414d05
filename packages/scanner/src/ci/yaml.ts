import { isAlias, isMap, isScalar, isSeq, type Document, type Node, type YAMLMap } from 'yaml';
import { countYamlStreamErrors, parseYamlStream, type YamlStream } from '../yaml-stream.js';

// GitLab's `!reference [job, script]` names a list elsewhere in the configuration; kept as its list
// so the parser neither warns nor fails on it.
const CUSTOM_TAGS = [{ tag: '!reference', collection: 'seq' as const, resolve: (value: unknown) => value }];

const OPTIONS = { keepSourceTokens: true, customTags: CUSTOM_TAGS, merge: true, prettyErrors: false } as const;

export type ParsedYaml = YamlStream;

export function parseYaml(text: string): ParsedYaml {
  return parseYamlStream(text, OPTIONS);
}

export function countYamlErrors(text: string): number {
  return countYamlStreamErrors(text, OPTIONS);
}

/** Follows aliases to the anchored node (anchors are where the text, and so the fix, is). */
export function deref(node: unknown, doc: Document): Node | undefined {
  let current = node;
  for (let i = 0; i < 10 && isAlias(current); i++) current = current.resolve(doc);
  return current === null || current === undefined || isAlias(current) ? undefined : (current as Node);
}

/** A key's value, also found through merge keys (`<<: *defaults`), which CI files use a lot. */
export function get(map: unknown, key: string, doc: Document, depth = 0): Node | undefined {
  const m = deref(map, doc);
  if (!isMap(m)) return undefined;
  let merged: Node | undefined;
  for (const pair of m.items) {
    const name = keyName(pair.key);
    if (name === key) return deref(pair.value, doc);
    if (name === '<<' && depth < 5 && merged === undefined) {
      const sources = deref(pair.value, doc);
      for (const source of isSeq(sources) ? sources.items : [sources]) merged ??= get(source, key, doc, depth + 1);
    }
  }
  return merged;
}

export function getMap(map: unknown, key: string, doc: Document): YAMLMap | undefined {
  const node = get(map, key, doc);
  return isMap(node) ? node : undefined;
}

/** A scalar's value as text (`0.2` stays `0.2`, `0755` stays `0755`: the source is what counts). */
export function scalarText(node: unknown): string | undefined {
  if (!isScalar(node) || node.value === null || node.value === undefined) return undefined;
  const source = (node as { source?: unknown }).source;
  return typeof node.value === 'string' ? node.value : typeof source === 'string' ? source : String(node.value);
}

/** The keys of a mapping with their values, merge keys left out. */
export function entries(map: unknown, doc: Document): [string, Node | undefined][] {
  const m = deref(map, doc);
  if (!isMap(m)) return [];
  return m.items.flatMap((pair) => {
    const name = keyName(pair.key);
    return name !== undefined && name !== '<<' ? [[name, deref(pair.value, doc)] as [string, Node | undefined]] : [];
  });
}

/** A key as written; a merge key (whose value the parser makes a symbol) is `<<`. */
function keyName(key: unknown): string | undefined {
  if (!isScalar(key)) return undefined;
  if (typeof key.value === 'string') return key.value;
  const source = (key as { source?: unknown }).source;
  return typeof source === 'string' ? source : String(key.value);
}
