import { isAlias, isMap, isScalar, isSeq, type Document, type Node, type Pair, type Scalar, type YAMLMap } from 'yaml';
import type { SourceFile, SyntaxProblem } from '../analyser.js';
import { countYamlStreamErrors, parseYamlStream } from '../yaml-stream.js';

/**
 * Tags that Ansible adds to YAML. Without them the parser warns, and `!vault` blocks would be
 * flagged; with them every such value is kept as its string (a vault blob is never a setting we
 * can read anyway, and `!unsafe` only stops templating).
 */
const ANSIBLE_TAGS = ['!vault', '!vault-encrypted', '!unsafe'].flatMap((tag) => [
  { tag, resolve: (value: string) => value },
  { tag, collection: 'seq' as const, resolve: (value: unknown) => value },
  { tag, collection: 'map' as const, resolve: (value: unknown) => value },
]);

const OPTIONS = { customTags: ANSIBLE_TAGS, merge: true, prettyErrors: false } as const;

/** One parsed YAML file and what edits in it need to know. */
export interface YamlFile {
  readonly source: SourceFile;
  readonly docs: readonly Document.Parsed[];
  readonly eol: string;
  readonly syntaxProblems: readonly SyntaxProblem[];
}

export function parseYamlFile(source: SourceFile): YamlFile {
  return { source, ...parseYamlStream(source.text, OPTIONS), eol: source.text.includes('\r\n') ? '\r\n' : '\n' };
}

export function countYamlErrors(text: string): number {
  return countYamlStreamErrors(text, OPTIONS);
}

/** The text a key is written as; merge keys (`<<`) are `<<`. */
export function keyName(pair: Pair): string | undefined {
  const key = pair.key;
  if (!isScalar(key)) return undefined;
  if (typeof key.value === 'string') return key.value;
  const source = (key as Scalar & { source?: string }).source;
  return typeof source === 'string' ? source : String(key.value);
}

/** Follows aliases to the anchored node. */
export function deref(node: unknown, doc: Document): Node | undefined {
  let current = node;
  for (let i = 0; i < 10 && isAlias(current); i++) current = current.resolve(doc);
  return current === null || current === undefined ? undefined : (current as Node);
}

/** A key of a mapping, also found through merge keys (`<<: *defaults`), as Ansible's parser does. */
export function findPair(map: YAMLMap, key: string, doc: Document, depth = 0): Pair | undefined {
  let merged: Pair | undefined;
  for (const pair of map.items) {
    const name = keyName(pair);
    if (name === key) return pair;
    if (name === '<<' && depth < 5 && !merged) {
      const sources = deref(pair.value, doc);
      const list = isSeq(sources) ? sources.items.map((s) => deref(s, doc)) : [sources];
      for (const source of list) {
        if (isMap(source)) merged ??= findPair(source, key, doc, depth + 1);
      }
    }
  }
  return merged;
}

export function getNode(map: YAMLMap, key: string, doc: Document): Node | undefined {
  const pair = findPair(map, key, doc);
  return pair ? deref(pair.value, doc) : undefined;
}

export function getMap(map: YAMLMap, key: string, doc: Document): YAMLMap | undefined {
  const node = getNode(map, key, doc);
  return isMap(node) ? node : undefined;
}

/** A scalar's string value, for keys like `name` and `state`. */
export function scalarText(node: unknown): string | undefined {
  if (!isScalar(node)) return undefined;
  const value = node.value;
  return value === null || value === undefined ? undefined : String(value);
}

/** 1-based line of an offset. */
export function lineOf(text: string, offset: number): number {
  let line = 1;
  for (let i = 0; i < offset && i < text.length; i++) if (text.charCodeAt(i) === 10) line++;
  return line;
}

/** Offset of the start of the line holding `offset`. */
export function lineStart(text: string, offset: number): number {
  return text.lastIndexOf('\n', offset - 1) + 1;
}

/** The column (0-based) of `offset` if only spaces precede it on its line, else undefined. */
export function indentBefore(text: string, offset: number): number | undefined {
  const start = lineStart(text, offset);
  const before = text.slice(start, offset);
  return /^ *$/.test(before) ? before.length : undefined;
}
