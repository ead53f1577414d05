/**
 * Reads a metadata options block of a resource (`metadata_options`, Image Builder's
 * `instance_metadata_options`, SageMaker's `instance_metadata_service_configuration`) into the
 * possible values of each argument — a plain block, or a `dynamic` block expanded over the
 * possible values of its `for_each` — and, for module calls, an object argument
 * (`metadata_options = { … }`).
 */
import type { Node } from 'web-tree-sitter';
import type { TfFile } from './configuration.js';
import { attributesIn, blocksIn, describeExpression, type Attribute, type Block } from './hcl.js';
import { known, nullValue, union, unknown, withVia, type Evaluator, type Outcome, type Scope, type Val } from './values.js';

export interface ArgumentRead {
  /** Where the argument is written (reported there); for a dynamic block, inside `content`. */
  readonly node: Node;
  readonly outcome: Outcome;
}

export interface BlockRead {
  /** `static`: a plain block; `dynamic`: generated; `object`: a module argument. */
  readonly form: 'static' | 'dynamic' | 'object';
  /** The block (or the `metadata_options = …` argument): where a missing argument is reported. */
  readonly node: Node;
  readonly block?: Block;
  /** For `object`: the object expression written in the module call, if it is one. */
  readonly objectNode?: Node;
  /** Each argument named, possibly absent; absent ones are unset in every case. */
  readonly arguments: ReadonlyMap<string, ArgumentRead>;
  /** The block can be absent too (a `for_each` that can be empty): its arguments can then be unset. */
  readonly mayBeAbsent?: string;
}

/**
 * The block named `name` in `body`, if there is one (or a dynamic one that can produce it).
 * Undefined when there is none or the dynamic block can never produce one.
 */
export function readBlock(evaluator: Evaluator, file: TfFile, body: Node | undefined, name: string, argumentNames: readonly string[], scope: Scope): BlockRead | undefined {
  const plain = blocksIn(body, name)[0];
  if (plain) {
    const attributes = attributesIn(plain.body);
    const args = new Map<string, ArgumentRead>();
    for (const arg of argumentNames) {
      const attribute = attributes.get(arg);
      if (attribute) args.set(arg, { node: attribute.node, outcome: evaluator.evaluate(attribute.value, file, scope) });
    }
    return { form: 'static', node: plain.node, block: plain, arguments: args };
  }
  const dynamic = blocksIn(body, 'dynamic').find((b) => b.labels[0] === name);
  return dynamic ? readDynamic(evaluator, file, dynamic, name, argumentNames, scope) : undefined;
}

/**
 * `dynamic "metadata_options" { for_each = …  content { … } }`: the arguments of `content`
 * evaluated once per possible element, with the iterator (`metadata_options.value`, or the
 * `iterator` name) bound to it. A `for_each` that can be empty means the block can be absent.
 */
function readDynamic(evaluator: Evaluator, file: TfFile, dynamic: Block, name: string, argumentNames: readonly string[], scope: Scope): BlockRead | undefined {
  const attributes = attributesIn(dynamic.body);
  const forEach = attributes.get('for_each');
  const iteratorName = iteratorOf(attributes.get('iterator')) ?? name;
  const content = blocksIn(dynamic.body, 'content')[0];
  const contentAttributes = attributesIn(content?.body);
  const collection = forEach ? evaluator.evaluate(forEach.value, file, scope) : unknown('the dynamic block has no for_each');
  const forEachText = forEach ? describeExpression(forEach.value, 60) : '';

  const elements: Element[] = [];
  let mayBeEmpty = false;
  const reasons = collection.unknown.map((r) => `the dynamic "${name}" block iterates over \`${forEachText}\`, which cannot be resolved (${r})`);
  for (const val of collection.alternatives) {
    const items = elementsOf(val);
    if (items === undefined) {
      reasons.push(`the for_each \`${forEachText}\` of the dynamic "${name}" block is not a collection`);
      continue;
    }
    if (items.length === 0) mayBeEmpty = true;
    elements.push(...items);
  }
  if (elements.length === 0 && reasons.length === 0) return undefined;

  const args = new Map<string, ArgumentRead>();
  for (const arg of argumentNames) {
    const attribute = contentAttributes.get(arg);
    const perElement = elements.map((element) => {
      if (!attribute) return known(nullValue());
      const bound = new Map(scope);
      const key = known({ kind: 'string', value: element.key, via: [] });
      bound.set(iteratorName, known({ kind: 'object', entries: new Map([['value', element.value], ['key', key]]), via: [] }, element.value.fromInput));
      return evaluator.evaluate(attribute.value, file, bound);
    });
    const outcome = union([...perElement, ...reasons.map((r) => unknown(r, collection.fromInput))], true);
    args.set(arg, { node: attribute?.node ?? dynamic.node, outcome: { ...outcome, fromInput: outcome.fromInput || collection.fromInput } });
  }
  return {
    form: 'dynamic',
    node: dynamic.node,
    block: dynamic,
    arguments: args,
    ...(mayBeEmpty ? { mayBeAbsent: `no ${name} block when the for_each \`${forEachText}\` is empty` } : {}),
  };
}

interface Element {
  readonly key: string;
  readonly value: Outcome;
}

/** The elements a `for_each` iterates over; undefined for a value that is not a collection. */
export function elementsOf(val: Val): Element[] | undefined {
  if (val.kind === 'tuple') return val.items.map((value, i) => ({ key: String(i), value: withVia(value, ...val.via) }));
  if (val.kind === 'object') return [...val.entries].map(([key, value]) => ({ key, value: withVia(value, ...val.via) }));
  return undefined;
}

function iteratorOf(attribute: Attribute | undefined): string | undefined {
  if (!attribute) return undefined;
  const text = attribute.value.text.trim();
  return /^[A-Za-z_][\w-]*$/.test(text) ? text : undefined;
}

/**
 * A module argument `metadata_options = { … }` (or `= var.x`): each argument of the object,
 * per possible object. `undefined` outcome entries mean the argument is not given.
 */
export function readObjectArgument(evaluator: Evaluator, file: TfFile, attribute: Attribute, argumentNames: readonly string[], scope: Scope): { read: BlockRead; value: Outcome } {
  const value = evaluator.evaluate(attribute.value, file, scope);
  const args = new Map<string, ArgumentRead>();
  const objectNode = literalObject(attribute.value);
  for (const arg of argumentNames) {
    // Not given in any possible object: left out, as for a block without the argument.
    const given = value.unknown.length > 0 || value.alternatives.some((v) => v.kind === 'object' && v.entries.has(arg));
    if (!given) continue;
    const per = value.alternatives.map((val): Outcome => {
      if (val.kind === 'object') return val.entries.get(arg) ?? known(nullValue());
      if (val.kind === 'null') return known(nullValue());
      return unknown(`\`${describeExpression(attribute.value, 60)}\` is not an object`);
    });
    const outcome = union([...per, ...(value.unknown.length > 0 ? [{ ...value, alternatives: [] }] : [])], value.branched);
    args.set(arg, { node: elementNode(objectNode, arg) ?? attribute.node, outcome });
  }
  return { read: { form: 'object', node: attribute.node, arguments: args, ...(objectNode ? { objectNode } : {}) }, value };
}

/** The object expression written directly as the argument's value, if it is one. */
export function literalObject(expression: Node): Node | undefined {
  const collection = expression.namedChildren.find((c) => c?.type === 'collection_value');
  const object = collection?.namedChildren.find((c) => c?.type === 'object');
  return object ?? undefined;
}

/** The `key = value` element of an object expression. */
export function elementNode(object: Node | undefined, key: string): Node | undefined {
  if (!object) return undefined;
  for (const element of object.namedChildren) {
    if (element?.type !== 'object_elem') continue;
    const keyText = element.namedChildren[0]?.text.replace(/^"|"$/g, '');
    if (keyText === key) return element;
  }
  return undefined;
}

/** Wraps a block-syntax module argument (`metadata_options { … }`, which Terraform rejects) as an object read. */
export function blockAsObject(read: BlockRead): Outcome {
  const entries = new Map<string, Outcome>();
  for (const [name, arg] of read.arguments) entries.set(name, arg.outcome);
  return known({ kind: 'object', entries, via: [] });
}
