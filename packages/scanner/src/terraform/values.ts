/**
 * What an HCL expression can evaluate to, as far as the files of one module say. The result is a
 * set of possible values (a condition keeps both branches, a `for_each` every element), plus the
 * reasons why some possible values are unknown. Nothing unknown is ever dropped: the caller turns
 * it into "cannot determine", never into a pass.
 *
 * Resolved: literals, `var.x` (auto-loaded tfvars over the variable's default, with
 * `optional(type, default)` object attributes), `local.x`, attribute and index access, string
 * templates, conditionals, `!`/`&&`/`||`/comparisons, and `lookup`, `try`, `coalesce`, `merge`,
 * `can`, `length`, `lower`, `upper`, `tostring`. Anything Terraform only knows while it runs (other
 * resources, data sources, module outputs, `count.index`) is unknown, with the expression named.
 */
import type { Node } from 'web-tree-sitter';
import { Configuration, type Definition, type TfFile, type VariableDecl } from './configuration.js';
import { childrenOf, describeExpression, namedChildrenOf, stringLiteralValue, unescapeHcl, indexKey } from './hcl.js';

export interface LiteralSite {
  readonly file: TfFile;
  /** The `string_lit`, `numeric_lit` or `bool_lit` node: replacing it replaces the value. */
  readonly node: Node;
}

export type Scalar = { readonly kind: 'string' | 'number' | 'bool'; readonly value: string; readonly site?: LiteralSite; readonly via: readonly string[] };

export type Val =
  | Scalar
  | { readonly kind: 'null'; readonly via: readonly string[]; readonly note?: string }
  | { readonly kind: 'object'; readonly entries: ReadonlyMap<string, Outcome>; readonly site?: { readonly file: TfFile; readonly node: Node }; readonly via: readonly string[] }
  | { readonly kind: 'tuple'; readonly items: readonly Outcome[]; readonly via: readonly string[] }
  /** An attribute or key that is not there: an error in Terraform, a fallback inside try()/lookup(). */
  | { readonly kind: 'absent'; readonly reason: string };

export interface Outcome {
  readonly alternatives: readonly Val[];
  /** Why some possible values are unknown; empty when every possible value is known. */
  readonly unknown: readonly string[];
  /** A condition or a loop chose between values, so no single literal holds the value. */
  readonly branched: boolean;
  /** Depends on an input variable, which each deployment may set differently. */
  readonly fromInput: boolean;
}

export type Scope = ReadonlyMap<string, Outcome>;
export const EMPTY_SCOPE: Scope = new Map();

/** Beyond this many possible values an expression is reported as unknown rather than enumerated. */
const MAX_ALTERNATIVES = 64;

export const known = (val: Val, fromInput = false): Outcome => ({ alternatives: [val], unknown: [], branched: false, fromInput });
export const unknown = (reason: string, fromInput = false): Outcome => ({ alternatives: [], unknown: [reason], branched: false, fromInput });
export const nullValue = (note?: string): Val => ({ kind: 'null', via: [], ...(note ? { note } : {}) });

export function union(outcomes: readonly Outcome[], branched = outcomes.length > 1): Outcome {
  const alternatives = outcomes.flatMap((o) => o.alternatives);
  const reasons = [...new Set(outcomes.flatMap((o) => o.unknown))];
  const fromInput = outcomes.some((o) => o.fromInput);
  if (alternatives.length > MAX_ALTERNATIVES) return { alternatives: [], unknown: ['the expression has too many possible values to enumerate'], branched: true, fromInput };
  return { alternatives, unknown: reasons, branched: branched || outcomes.some((o) => o.branched), fromInput };
}

/** Each alternative mapped to an outcome of its own; the results are united. */
function flatMapOutcome(outcome: Outcome, map: (val: Val) => Outcome): Outcome {
  const mapped = outcome.alternatives.map(map);
  const merged = union(mapped, outcome.branched || outcome.alternatives.length > 1);
  return { ...merged, unknown: [...new Set([...outcome.unknown, ...merged.unknown])], fromInput: merged.fromInput || outcome.fromInput };
}

export function withVia(outcome: Outcome, ...steps: string[]): Outcome {
  if (steps.length === 0) return outcome;
  return { ...outcome, alternatives: outcome.alternatives.map((v) => (v.kind === 'absent' ? v : { ...v, via: [...steps, ...v.via] })) };
}

/** The single known scalar of an outcome, if it has exactly one and nothing unknown. */
export function singleScalar(outcome: Outcome): Scalar | undefined {
  if (outcome.unknown.length > 0 || outcome.alternatives.length !== 1) return undefined;
  const only = outcome.alternatives[0]!;
  return only.kind === 'string' || only.kind === 'number' || only.kind === 'bool' ? only : undefined;
}

export class Evaluator {
  private readonly active = new Set<string>();

  constructor(private readonly config: Configuration) {}

  /** Evaluates `node` (an `expression` or any expression part) written in `file`. */
  evaluate(node: Node, file: TfFile, scope: Scope = EMPTY_SCOPE): Outcome {
    switch (node.type) {
      case 'expression':
        return this.expression(node, file, scope);
      case 'literal_value': {
        const inner = namedChildrenOf(node)[0];
        return inner ? this.evaluate(inner, file, scope) : unknown(`\`${describeExpression(node)}\` is not a value`);
      }
      case 'string_lit': {
        const value = stringLiteralValue(node);
        return value === undefined ? unknown(`\`${describeExpression(node)}\` is not a plain string`) : known({ kind: 'string', value, site: { file, node }, via: [] });
      }
      case 'numeric_lit':
        return known({ kind: 'number', value: String(Number(node.text)), site: { file, node }, via: [] });
      case 'bool_lit':
        return known({ kind: 'bool', value: node.text, site: { file, node }, via: [] });
      case 'null_lit':
        return known(nullValue());
      case 'template_expr': {
        const inner = namedChildrenOf(node)[0];
        return inner ? this.evaluate(inner, file, scope) : unknown(`\`${describeExpression(node)}\` is empty`);
      }
      case 'quoted_template':
        return this.template(node, file, scope);
      case 'heredoc_template':
        return unknown(`the heredoc \`${describeExpression(node, 40)}\` is not evaluated`);
      case 'collection_value': {
        const inner = namedChildrenOf(node)[0];
        return inner ? this.evaluate(inner, file, scope) : unknown(`\`${describeExpression(node)}\` is not a value`);
      }
      case 'tuple':
        return this.tuple(node, file, scope);
      case 'object':
        return this.object(node, file, scope);
      case 'function_call':
        return this.call(node, file, scope);
      case 'conditional':
        return this.conditional(node, file, scope);
      case 'operation': {
        const inner = namedChildrenOf(node)[0];
        return inner ? this.evaluate(inner, file, scope) : unknown(`\`${describeExpression(node)}\` is not evaluated`);
      }
      case 'unary_operation':
      case 'binary_operation':
        return this.operation(node, file, scope);
      default:
        return unknown(`\`${describeExpression(node)}\` cannot be evaluated statically`);
    }
  }

  /** `var.name`: the last auto-loaded tfvars value, else the default. */
  variable(name: string, near: TfFile | undefined): Outcome {
    const key = `var.${name}`;
    const decl = Configuration.pick(this.config.variables.get(name), near);
    const set = this.config.tfvars.get(name);
    const definition: Definition | undefined = set ?? decl?.default;
    if (!definition) {
      return unknown(decl ? `${key} has no default and is not set in terraform.tfvars or *.auto.tfvars` : `${key} is not declared in this module`, true);
    }
    const outcome = this.guarded(key, () => this.evaluate(definition.expression, definition.file));
    const typed = decl?.type ? this.applyTypeDefaults(outcome, decl) : outcome;
    return { ...withVia(typed, `${key}, ${definition.origin}`), fromInput: true };
  }

  local(name: string, near: TfFile | undefined): Outcome {
    const key = `local.${name}`;
    const definition = Configuration.pick(this.config.locals.get(name), near);
    if (!definition) return unknown(`${key} is not defined in this module`);
    return withVia(
      this.guarded(key, () => this.evaluate(definition.expression, definition.file)),
      `${key} ${definition.origin}`,
    );
  }

  /** Guards against `local.a = local.b`, `local.b = local.a`. */
  private guarded(key: string, run: () => Outcome): Outcome {
    if (this.active.has(key)) return unknown(`${key} refers to itself`);
    this.active.add(key);
    try {
      return run();
    } finally {
      this.active.delete(key);
    }
  }

  private expression(node: Node, file: TfFile, scope: Scope): Outcome {
    const parts = childrenOf(node);
    const first = parts[0];
    if (!first) return unknown('an empty expression');
    let base: Outcome;
    let rest: Node[];
    if (first.type === '(') {
      const inner = parts[1];
      base = inner ? this.evaluate(inner, file, scope) : unknown('an empty expression');
      rest = parts.slice(parts.findIndex((p) => p.type === ')') + 1);
    } else if (first.type === 'variable_expr') {
      const resolved = this.reference(node, parts, file, scope);
      base = resolved.outcome;
      rest = parts.slice(1 + resolved.consumed);
    } else {
      base = this.evaluate(first, file, scope);
      rest = parts.slice(1);
    }
    for (const accessor of rest) {
      base = this.access(base, accessor, node);
    }
    return base;
  }

  /** The root of a traversal: `var.x`, `local.x`, an iterator, or something only known at apply time. */
  private reference(whole: Node, parts: readonly Node[], file: TfFile, scope: Scope): { outcome: Outcome; consumed: number } {
    const root = parts[0]!.text;
    const bound = scope.get(root);
    if (bound) return { outcome: bound, consumed: 0 };
    const next = parts[1];
    const name = next?.type === 'get_attr' ? namedChildrenOf(next).find((c) => c.type === 'identifier')?.text : undefined;
    if (root === 'var' && name) return { outcome: this.variable(name, file), consumed: 1 };
    if (root === 'local' && name) return { outcome: this.local(name, file), consumed: 1 };
    const text = describeExpression(whole);
    if (root === 'each') return { outcome: unknown(`\`${text}\` depends on the resource's for_each`), consumed: parts.length - 1 };
    return { outcome: unknown(`\`${text}\` is only known when Terraform runs`), consumed: parts.length - 1 };
  }

  private access(base: Outcome, accessor: Node, whole: Node): Outcome {
    let key: string | undefined;
    if (accessor.type === 'get_attr') key = namedChildrenOf(accessor).find((c) => c.type === 'identifier')?.text;
    else if (accessor.type === 'index') key = indexKey(accessor);
    if (key === undefined) return { ...base, alternatives: [], unknown: [...base.unknown, `\`${describeExpression(whole)}\` uses a computed index or splat`] };
    const text = describeExpression(whole);
    return flatMapOutcome(base, (val) => {
      if (val.kind === 'object') {
        const entry = val.entries.get(key!);
        return entry ? withVia(entry, ...val.via) : known({ kind: 'absent', reason: `\`${text}\`: the object has no attribute ${key}` });
      }
      if (val.kind === 'tuple' && /^\d+$/.test(key!)) {
        const item = val.items[Number(key)];
        return item ?? known({ kind: 'absent', reason: `\`${text}\`: index ${key} is out of range` });
      }
      if (val.kind === 'absent') return known(val);
      return known({ kind: 'absent', reason: `\`${text}\`: ${val.kind === 'null' ? 'the value is null' : `a ${val.kind} has no attribute ${key}`}` });
    });
  }

  private template(node: Node, file: TfFile, scope: Scope): Outcome {
    const parts = namedChildrenOf(node).filter((p) => p.type !== 'quoted_template_start' && p.type !== 'quoted_template_end');
    const text = describeExpression(node);
    // "${x}" alone is x itself (converted to a string).
    if (parts.length === 1 && parts[0]!.type === 'template_interpolation') {
      const inner = namedChildrenOf(parts[0]!).find((c) => c.type === 'expression');
      if (inner) return this.evaluate(inner, file, scope);
    }
    let strings: { value: string; via: string[] }[] = [{ value: '', via: [] }];
    const reasons: string[] = [];
    let fromInput = false;
    let branched = false;
    for (const part of parts) {
      if (part.type === 'template_literal') {
        strings = strings.map((s) => ({ ...s, value: s.value + unescapeHcl(part.text) }));
        continue;
      }
      const inner = part.type === 'template_interpolation' ? namedChildrenOf(part).find((c) => c.type === 'expression') : undefined;
      if (!inner) return unknown(`the string template \`${text}\` has a directive`);
      const outcome = this.evaluate(inner, file, scope);
      fromInput ||= outcome.fromInput;
      branched ||= outcome.branched || outcome.alternatives.length > 1;
      if (outcome.unknown.length > 0) reasons.push(...outcome.unknown);
      const pieces = outcome.alternatives.flatMap((v) => (v.kind === 'string' || v.kind === 'number' || v.kind === 'bool' ? [{ value: v.value, via: [...v.via] }] : []));
      if (pieces.length < outcome.alternatives.length) reasons.push(`\`${describeExpression(inner)}\` in \`${text}\` is not a string`);
      strings = strings.flatMap((s) => pieces.map((p) => ({ value: s.value + p.value, via: [...s.via, ...p.via] })));
      if (strings.length > MAX_ALTERNATIVES) return unknown(`the string template \`${text}\` has too many possible values`, fromInput);
    }
    if (reasons.length > 0) return { alternatives: [], unknown: [`the string template \`${text}\` cannot be resolved (${reasons[0]})`], branched, fromInput };
    return { alternatives: strings.map((s) => ({ kind: 'string', value: s.value, via: s.via.filter(Boolean) })), unknown: [], branched, fromInput };
  }

  private tuple(node: Node, file: TfFile, scope: Scope): Outcome {
    const items = namedChildrenOf(node)
      .filter((c) => c.type === 'expression')
      .map((c) => this.evaluate(c, file, scope));
    return known({ kind: 'tuple', items, via: [] }, items.some((i) => i.fromInput));
  }

  private object(node: Node, file: TfFile, scope: Scope): Outcome {
    const entries = new Map<string, Outcome>();
    const reasons: string[] = [];
    for (const element of namedChildrenOf(node).filter((c) => c.type === 'object_elem')) {
      const [keyNode, valueNode] = namedChildrenOf(element).filter((c) => c.type === 'expression');
      if (!keyNode || !valueNode) continue;
      const key = objectKey(keyNode);
      if (key === undefined) {
        reasons.push(`the object key \`${describeExpression(keyNode)}\` is computed`);
        continue;
      }
      entries.set(key, this.evaluate(valueNode, file, scope));
    }
    // A computed key could be any attribute: the object as a whole is then unknown.
    if (reasons.length > 0) return unknown(reasons[0]!);
    return known({ kind: 'object', entries, site: { file, node }, via: [] }, [...entries.values()].some((e) => e.fromInput));
  }

  private conditional(node: Node, file: TfFile, scope: Scope): Outcome {
    const [condition, whenTrue, whenFalse] = namedChildrenOf(node).filter((c) => c.type === 'expression');
    if (!condition || !whenTrue || !whenFalse) return unknown(`\`${describeExpression(node)}\` is incomplete`);
    const test = this.evaluate(condition, file, scope);
    const decided = singleScalar(test);
    // A condition on constants is decided here; one that depends on an input variable can go
    // either way in some deployment, so both branches count (an IMDSv1 branch is a finding).
    if (!test.fromInput && decided?.kind === 'bool') {
      const branch = this.evaluate(decided.value === 'true' ? whenTrue : whenFalse, file, scope);
      return branch;
    }
    const both = union([this.evaluate(whenTrue, file, scope), this.evaluate(whenFalse, file, scope)], true);
    return { ...both, fromInput: both.fromInput || test.fromInput };
  }

  private operation(node: Node, file: TfFile, scope: Scope): Outcome {
    const parts = childrenOf(node);
    const text = describeExpression(node);
    const operands = parts.filter((p) => p.isNamed).map((p) => this.evaluate(p, file, scope));
    const operator = parts.find((p) => !p.isNamed)?.type;
    const fromInput = operands.some((o) => o.fromInput);
    const values = operands.map(singleScalar);
    if (values.some((v) => v === undefined) || operator === undefined) return unknown(`\`${text}\` cannot be evaluated statically`, fromInput);
    const [a, b] = values as Scalar[];
    const bool = (v: boolean) => known({ kind: 'bool', value: String(v), via: [] }, fromInput);
    if (node.type === 'unary_operation') {
      if (operator === '!' && a!.kind === 'bool') return bool(a!.value !== 'true');
      if (operator === '-' && a!.kind === 'number') return known({ kind: 'number', value: String(-Number(a!.value)), via: [] }, fromInput);
      return unknown(`\`${text}\` cannot be evaluated statically`, fromInput);
    }
    switch (operator) {
      case '==':
        return bool(a!.kind === b!.kind && a!.value === b!.value);
      case '!=':
        return bool(!(a!.kind === b!.kind && a!.value === b!.value));
      case '&&':
        return bool(a!.value === 'true' && b!.value === 'true');
      case '||':
        return bool(a!.value === 'true' || b!.value === 'true');
      case '>':
        return bool(Number(a!.value) > Number(b!.value));
      case '>=':
        return bool(Number(a!.value) >= Number(b!.value));
      case '<':
        return bool(Number(a!.value) < Number(b!.value));
      case '<=':
        return bool(Number(a!.value) <= Number(b!.value));
      default:
        return unknown(`\`${text}\` cannot be evaluated statically`, fromInput);
    }
  }

  private call(node: Node, file: TfFile, scope: Scope): Outcome {
    const name = namedChildrenOf(node).find((c) => c.type === 'identifier')?.text ?? '';
    const argsNode = namedChildrenOf(node).find((c) => c.type === 'function_arguments');
    const args = argsNode ? namedChildrenOf(argsNode).filter((c) => c.type === 'expression') : [];
    const text = describeExpression(node);
    const arg = (i: number) => (args[i] ? this.evaluate(args[i]!, file, scope) : unknown(`\`${text}\` lacks an argument`));
    switch (name) {
      case 'lookup': {
        const map = arg(0);
        const key = singleScalar(arg(1));
        if (!key) return unknown(`the key of \`${text}\` is not known`, map.fromInput);
        const fallback = args[2] ? arg(2) : undefined;
        return flatMapOutcome(map, (val) => {
          if (val.kind === 'object') {
            const entry = val.entries.get(key.value);
            if (entry) return entry;
          }
          return fallback ?? known({ kind: 'absent', reason: `\`${text}\`: no ${key.value} and no default` });
        });
      }
      case 'try':
        return this.tryArguments(args, 0, file, scope, text);
      case 'coalesce':
        return this.coalesce(args, 0, file, scope);
      case 'can': {
        const tried = arg(0);
        if (tried.unknown.length > 0) return unknown(`\`${text}\` depends on a value that is not known`, tried.fromInput);
        const absent = tried.alternatives.some((v) => v.kind === 'absent');
        const present = tried.alternatives.some((v) => v.kind !== 'absent');
        return union([...(present ? [known({ kind: 'bool', value: 'true', via: [] } as Val)] : []), ...(absent ? [known({ kind: 'bool', value: 'false', via: [] } as Val)] : [])]);
      }
      case 'tostring':
      case 'tonumber':
      case 'toset':
      case 'tolist':
      case 'tomap':
      case 'tobool':
      case 'nonsensitive':
      case 'sensitive':
        return arg(0);
      case 'lower':
      case 'upper':
      case 'trimspace': {
        const change = (s: string) => (name === 'lower' ? s.toLowerCase() : name === 'upper' ? s.toUpperCase() : s.trim());
        const input = arg(0);
        return {
          ...input,
          alternatives: input.alternatives.map((v) => (v.kind === 'string' ? { kind: 'string', value: change(v.value), via: v.via } : v)),
        };
      }
      case 'length': {
        const input = arg(0);
        return flatMapOutcome(input, (val) => {
          if (val.kind === 'object') return known({ kind: 'number', value: String(val.entries.size), via: [] });
          if (val.kind === 'tuple') return known({ kind: 'number', value: String(val.items.length), via: [] });
          if (val.kind === 'string') return known({ kind: 'number', value: String(val.value.length), via: [] });
          return unknown(`\`${text}\` of a ${val.kind}`);
        });
      }
      case 'merge': {
        const parts = args.map((_, i) => arg(i));
        if (parts.some((p) => p.unknown.length > 0 || p.alternatives.length !== 1 || (p.alternatives[0]!.kind !== 'object' && p.alternatives[0]!.kind !== 'null'))) {
          return unknown(`\`${text}\` merges values that are not known objects`, parts.some((p) => p.fromInput));
        }
        const entries = new Map<string, Outcome>();
        for (const p of parts) {
          const only = p.alternatives[0]!;
          if (only.kind === 'object') for (const [k, v] of only.entries) entries.set(k, v);
        }
        return known({ kind: 'object', entries, via: [] }, parts.some((p) => p.fromInput));
      }
      default:
        return unknown(`\`${text}\` calls ${name}(), which is not evaluated`);
    }
  }

  /** try(a, b, …): the first argument that evaluates without an error. */
  private tryArguments(args: readonly Node[], from: number, file: TfFile, scope: Scope, text: string): Outcome {
    const current = args[from];
    if (!current) return known({ kind: 'absent', reason: `every argument of \`${text}\` fails` });
    const outcome = this.evaluate(current, file, scope);
    if (!outcome.alternatives.some((v) => v.kind === 'absent')) return outcome;
    return flatMapOutcome(outcome, (val) => (val.kind === 'absent' ? this.tryArguments(args, from + 1, file, scope, text) : known(val, outcome.fromInput)));
  }

  /** coalesce(a, b, …): the first argument that is neither null nor an empty string. */
  private coalesce(args: readonly Node[], from: number, file: TfFile, scope: Scope): Outcome {
    const current = args[from];
    if (!current) return known(nullValue());
    const outcome = this.evaluate(current, file, scope);
    const empty = (v: Val) => v.kind === 'null' || (v.kind === 'string' && v.value === '');
    if (!outcome.alternatives.some(empty)) return outcome;
    return flatMapOutcome(outcome, (val) => (empty(val) ? this.coalesce(args, from + 1, file, scope) : known(val, outcome.fromInput)));
  }

  /**
   * Fills the attributes that a variable's `object({ … = optional(type, default) })` type gives
   * when the value leaves them out; attributes without a default become null.
   */
  private applyTypeDefaults(outcome: Outcome, decl: VariableDecl): Outcome {
    const fields = objectTypeFields(decl.type!);
    if (!fields) return outcome;
    return {
      ...outcome,
      alternatives: outcome.alternatives.map((val) => {
        if (val.kind !== 'object') return val;
        const entries = new Map(val.entries);
        for (const [name, fallback] of fields) {
          if (entries.has(name)) continue;
          entries.set(name, fallback ? this.evaluate(fallback, decl.file) : known(nullValue()));
        }
        return { ...val, entries };
      }),
    };
  }
}

/** The name of an object key: `http_tokens = …`, `"http_tokens" = …`; undefined when computed. */
function objectKey(keyNode: Node): string | undefined {
  const parts = namedChildrenOf(keyNode);
  const only = parts[0];
  if (parts.length !== 1 || !only) return undefined;
  if (only.type === 'variable_expr') return only.text;
  if (only.type === 'literal_value') {
    const literal = namedChildrenOf(only)[0];
    return literal ? stringLiteralValue(literal) : undefined;
  }
  return undefined;
}

/**
 * `object({ a = string, b = optional(string, "x") })` → a: undefined (no default),
 * b: the default's expression. Undefined when the type is not such an object.
 */
function objectTypeFields(type: Node): Map<string, Node | undefined> | undefined {
  const call = namedChildrenOf(type).find((c) => c.type === 'function_call');
  if (!call || namedChildrenOf(call).find((c) => c.type === 'identifier')?.text !== 'object') return undefined;
  const args = namedChildrenOf(call).find((c) => c.type === 'function_arguments');
  const objectNode = args && namedChildrenOf(namedChildrenOf(args)[0] ?? args).find((c) => c.type === 'collection_value');
  const object = objectNode && namedChildrenOf(objectNode).find((c) => c.type === 'object');
  if (!object) return undefined;
  const fields = new Map<string, Node | undefined>();
  for (const element of namedChildrenOf(object).filter((c) => c.type === 'object_elem')) {
    const [keyNode, valueNode] = namedChildrenOf(element).filter((c) => c.type === 'expression');
    const key = keyNode && objectKey(keyNode);
    if (!key || !valueNode) continue;
    const optional = namedChildrenOf(valueNode).find((c) => c.type === 'function_call');
    const isOptional = optional && namedChildrenOf(optional).find((c) => c.type === 'identifier')?.text === 'optional';
    const optionalArgs = isOptional ? namedChildrenOf(namedChildrenOf(optional).find((c) => c.type === 'function_arguments') ?? optional).filter((c) => c.type === 'expression') : [];
    fields.set(key, optionalArgs[1]);
  }
  return fields;
}
