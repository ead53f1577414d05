/**
 * One tree for both CloudFormation syntaxes. YAML (with its short-form `!Ref` tags) and JSON are
 * parsed into these nodes, with UTF-16 offsets into the file text, so that everything after the
 * parser (template detection, value resolution, the resource adapter, fixes) is written once.
 */

export type Syntax = 'yaml' | 'json';

interface NodeBase {
  /** Offset of the node's first character (after a YAML tag). */
  readonly start: number;
  /** Offset just after the value, excluding a trailing comment. */
  readonly end: number;
  /**
   * The intrinsic function of a YAML short-form tag, in its long name: `!Ref` → `Ref`,
   * `!If` → `Fn::If`. Absent for untagged nodes and for JSON, where intrinsics are one-key objects.
   */
  readonly tag?: string;
}

/** How a scalar is written, so that a fix can write its replacement the same way. */
export type ScalarStyle = 'plain' | 'single' | 'double' | 'block';

export interface ScalarNode extends NodeBase {
  readonly kind: 'scalar';
  /** The value as text (`2` for the number 2); null for YAML's empty value or JSON `null`. */
  readonly value: string | null;
  readonly style: ScalarStyle;
}

export interface Entry {
  readonly key: string;
  readonly keyStart: number;
  readonly keyEnd: number;
  /** Absent when YAML gives a key without a value node. */
  readonly value?: TemplateNode;
}

export interface MapNode extends NodeBase {
  readonly kind: 'map';
  readonly entries: readonly Entry[];
  /** YAML `{ … }` or any JSON object; false for a YAML block mapping. */
  readonly flow: boolean;
}

export interface SeqNode extends NodeBase {
  readonly kind: 'seq';
  readonly items: readonly TemplateNode[];
}

/** Something the analyser does not look into (a YAML alias, a complex key). */
export interface OpaqueNode extends NodeBase {
  readonly kind: 'opaque';
  readonly what: string;
}

export type TemplateNode = ScalarNode | MapNode | SeqNode | OpaqueNode;

/** A parsed file: the root node (if the text has one) and where the parser had to recover. */
export interface ParsedTemplate {
  readonly syntax: Syntax;
  /** The documents of the file: one for JSON, one per `---` document for YAML. */
  readonly documents: readonly TemplateNode[];
  /** Offsets where the parser reported an error. */
  readonly errors: readonly number[];
}

export function entry(node: TemplateNode | undefined, key: string): Entry | undefined {
  if (node?.kind !== 'map' || node.tag) return undefined;
  return node.entries.find((e) => e.key === key);
}

export function child(node: TemplateNode | undefined, key: string): TemplateNode | undefined {
  return entry(node, key)?.value;
}

export function childAt(node: TemplateNode | undefined, path: readonly string[]): TemplateNode | undefined {
  return path.reduce<TemplateNode | undefined>((n, key) => child(n, key), node);
}

/** A plain (untagged) map, the only kind whose keys are properties rather than a function call. */
export function asMap(node: TemplateNode | undefined): MapNode | undefined {
  return node?.kind === 'map' && !node.tag && !intrinsic(node) ? node : undefined;
}

/** The text of an untagged scalar, or undefined for anything else. */
export function literal(node: TemplateNode | undefined): string | undefined {
  return node?.kind === 'scalar' && !node.tag && node.value !== null ? node.value : undefined;
}

export interface Intrinsic {
  /** `Ref`, `Condition` or `Fn::…`. */
  readonly fn: string;
  readonly arg: TemplateNode | undefined;
  readonly node: TemplateNode;
}

const INTRINSIC_KEY = /^(Ref|Condition|Fn::[A-Za-z0-9]+)$/;

/**
 * The intrinsic function call a node stands for, in either form: a short-form tag (`!If [...]`)
 * or the long form, a map with a single `Ref` / `Fn::…` key. `Condition` counts only as a tag:
 * as a map key it is also the ordinary resource attribute.
 */
export function intrinsic(node: TemplateNode | undefined): Intrinsic | undefined {
  if (!node) return undefined;
  if (node.tag) return { fn: node.tag, arg: { ...node, tag: undefined } as TemplateNode, node };
  if (node.kind !== 'map' || node.entries.length !== 1) return undefined;
  const only = node.entries[0]!;
  if (!INTRINSIC_KEY.test(only.key) || only.key === 'Condition') return undefined;
  return { fn: only.key, arg: only.value, node };
}

/**
 * A canonical text for a value, the same for `!Sub x-${Env}` and `{"Fn::Sub": "x-${Env}"}`, so two
 * expressions can be compared (a launch template name that both sides build with the same `!Sub`).
 */
export function canonical(node: TemplateNode | undefined): string {
  if (!node) return 'null';
  const call = intrinsic(node);
  if (call) return `{${JSON.stringify(call.fn)}:${canonical(call.arg)}}`;
  switch (node.kind) {
    case 'scalar':
      return JSON.stringify(node.value);
    case 'seq':
      return `[${node.items.map(canonical).join(',')}]`;
    case 'map':
      return `{${node.entries.map((e) => `${JSON.stringify(e.key)}:${canonical(e.value)}`).join(',')}}`;
    case 'opaque':
      return `<${node.what}@${node.start}>`;
  }
}

/** Short-form tag names as CloudFormation spells the long form. */
export function longIntrinsicName(tagName: string): string {
  return tagName === 'Ref' || tagName === 'Condition' ? tagName : `Fn::${tagName}`;
}
