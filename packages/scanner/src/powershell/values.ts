import { UNRESOLVED } from '@imds-guard/core';
import type { Node } from 'web-tree-sitter';
import { assignedVariable, descendants, enclosingFunction, namedChildren, normaliseName, unwrap, variableName } from './syntax.js';

interface Assignment {
  readonly name: string;
  readonly node: Node;
  /** The right-hand side; undefined for compound operators (`+=`), whose result we do not compute. */
  readonly value: Node | undefined;
  readonly fn: Node | null;
}

export interface FunctionParameter {
  readonly name: string;
  readonly isSwitch: boolean;
  readonly default?: Node;
}

export interface HashEntry {
  readonly key: string;
  readonly keyNode: Node;
  readonly value: Node;
  readonly entry: Node;
}

export interface Hashtable {
  /** The `@{ … }` node. */
  readonly node: Node;
  readonly entries: readonly HashEntry[];
  /** Set when entries may be added somewhere we cannot follow (`$h.Add($k, …)`, `$h[$k] = …`). */
  readonly unresolved?: string;
}

const MAX_DEPTH = 12;

/**
 * What variables hold, as far as a reader of the script can tell without running it: the last
 * plain assignment before a use, in the same function or at script level. PowerShell's scoping is
 * dynamic (a function sees its caller's variables), so script-level assignments made before the
 * use are visible inside functions, which is how bootstrap scripts are written.
 */
export class Values {
  readonly functions: readonly Node[];
  private readonly assignments: Assignment[] = [];
  /** Per function: its parameters in order; they hide any script-level variable of the same name. */
  private readonly parameters = new Map<number, FunctionParameter[]>();
  /** Set on a view made by withArguments: what one call passes to one function's parameters. */
  private bound?: { readonly fn: Node; readonly args: ReadonlyMap<string, Node> };
  /** Hashtable variables changed after their assignment: `$h.Add(k, v)`, `$h[k] = v`, `$h.k = v`. */
  private readonly mutations: { name: string; node: Node; key?: Node; value?: Node }[] = [];

  constructor(root: Node) {
    const nodes = descendants(root, new Set(['function_statement', 'assignment_expression', 'invokation_expression', 'foreach_statement', 'script_parameter']));
    this.functions = nodes.filter((n) => n.type === 'function_statement');
    for (const p of nodes) {
      if (p.type !== 'script_parameter') continue;
      const param = parameterOf(p);
      const fn = enclosingFunction(this.functions, p);
      if (!param) continue;
      if (fn) this.parameters.set(fn.id, [...(this.parameters.get(fn.id) ?? []), param]);
      // The script's own parameters: their defaults are what a first-boot run, given no arguments, uses.
      else this.assignments.push({ name: param.name, node: p, value: param.default, fn: null });
    }
    for (const n of nodes) {
      if (n.type === 'assignment_expression') this.assignment(n);
      else if (n.type === 'invokation_expression') this.addCall(n);
      else if (n.type === 'foreach_statement') this.loopVariable(n);
    }
  }

  private assignment(node: Node): void {
    const left = node.namedChildren.find((c) => c?.type === 'left_assignment_expression');
    const op = node.namedChildren.find((c) => c?.type === 'assignement_operator')?.text;
    const value = node.childForFieldName('value') ?? undefined;
    if (!left) return;
    const target = unwrap(left);
    const variable = assignedVariable(left);
    if (variable) {
      const name = variableName(variable);
      if (name) this.assignments.push({ name, node, value: op === '=' ? value : undefined, fn: enclosingFunction(this.functions, node) });
      return;
    }
    // `$h['Name'] = v` and `$h.Name = v` add a key to a hashtable held in `$h`.
    if (target.type === 'element_access' || target.type === 'member_access') {
      const base = namedChildren(target)[0];
      const name = base && unwrap(base).type === 'variable' ? variableName(unwrap(base)) : undefined;
      if (!name) return;
      const key = target.type === 'element_access' ? namedChildren(target)[1] : target.namedChildren.find((c) => c?.type === 'member_name');
      this.mutations.push({ name, node, key: key ?? undefined, value: value ?? undefined });
    }
  }

  /** `$h.Add('Name', v)` on a hashtable variable. */
  private addCall(node: Node): void {
    const children = namedChildren(node);
    const target = children[0] && unwrap(children[0]);
    const member = node.namedChildren.find((c) => c?.type === 'member_name')?.text.toLowerCase();
    if (target?.type !== 'variable' || member !== 'add') return;
    const name = variableName(target);
    const args = argumentsOf(node);
    if (name) this.mutations.push({ name, node, key: args[0], value: args[1] });
  }

  /** `foreach ($x in …)`: the loop variable holds values we do not follow. */
  private loopVariable(node: Node): void {
    const variable = node.namedChildren.find((c) => c?.type === 'variable');
    const name = variable && variableName(variable);
    if (name) this.assignments.push({ name, node, value: undefined, fn: enclosingFunction(this.functions, node) });
  }

  parametersOf(fn: Node): readonly FunctionParameter[] {
    return this.parameters.get(fn.id) ?? [];
  }

  /** A view in which `fn`'s parameters hold what one call passes (their defaults otherwise). */
  withArguments(fn: Node, args: ReadonlyMap<string, Node>): Values {
    const view = Object.create(this) as Values;
    view.bound = { fn, args };
    return view;
  }

  /** The assignment whose value `$name` holds at `at`, or undefined when it is not a plain one. */
  lookup(name: string, at: Node): Node | undefined {
    const fn = enclosingFunction(this.functions, at);
    const parameter = fn ? this.parameters.get(fn.id)?.find((p) => p.name === name) : undefined;
    if (parameter) {
      if (this.bound?.fn.id !== fn!.id) return undefined;
      return this.bound.args.get(name) ?? parameter.default;
    }
    let found: Assignment | undefined;
    for (const a of this.assignments) {
      if (a.name !== name || a.node.endIndex > at.startIndex) continue;
      if (a.fn && a.fn.id !== fn?.id) continue;
      if (!found || a.node.startIndex > found.node.startIndex) found = a;
    }
    if (found || !fn) return found?.value;
    // A function runs when it is called, usually after the script has set its settings further
    // down: a variable the script assigns exactly once is that value wherever the function runs.
    const scriptLevel = this.assignments.filter((a) => a.name === name && a.fn === null);
    return scriptLevel.length === 1 ? scriptLevel[0]!.value : undefined;
  }

  /** The string `node` evaluates to; parts that cannot be known are UNRESOLVED. */
  evaluate(node: Node, depth = 0): string {
    if (depth > MAX_DEPTH) return UNRESOLVED;
    const n = unwrap(node);
    switch (n.type) {
      case 'verbatim_string_characters':
        return n.text.slice(1, -1).replaceAll("''", "'");
      case 'verbatim_here_string_characters':
        return hereStringBody(n.text);
      case 'expandable_string_literal':
      case 'expandable_here_string_literal':
        return this.expandable(n, depth);
      case 'generic_token':
      case 'command_name':
        return this.bareWord(n.text, n, depth);
      case 'decimal_integer_literal':
      case 'integer_literal':
      case 'simple_name':
        return n.text;
      case 'variable': {
        const name = variableName(n);
        if (!name || name.startsWith('env:') || name === '_' || name === 'psitem') return UNRESOLVED;
        const value = this.lookup(name, n);
        return value ? this.evaluate(value, depth + 1) : UNRESOLVED;
      }
      case 'parenthesized_expression':
      case 'sub_expression': {
        const inner = namedChildren(n);
        return inner.length === 1 ? this.evaluate(inner[0]!, depth + 1) : UNRESOLVED;
      }
      case 'cast_expression': {
        const operand = namedChildren(n).at(-1);
        return operand ? this.evaluate(operand, depth + 1) : UNRESOLVED;
      }
      case 'expression_with_unary_operator': {
        // Only a cast keeps the text (`[string]$x`); `-not`, `-join`, `!` and the like do not.
        const inner = namedChildren(n);
        return inner.length === 1 && inner[0]!.type === 'cast_expression' && n.text.startsWith('[') ? this.evaluate(inner[0]!, depth + 1) : UNRESOLVED;
      }
      case 'additive_expression':
      case 'additive_argument_expression': {
        const [left, right] = namedChildren(n);
        const op = n.children.find((c) => c && !c.isNamed)?.text;
        if (!left || !right || op !== '+') return UNRESOLVED;
        return this.evaluate(left, depth + 1) + this.evaluate(right, depth + 1);
      }
      case 'format_expression':
      case 'format_argument_expression':
        return this.format(n, depth);
      default:
        return UNRESOLVED;
    }
  }

  /** `'{0}/latest/{1}' -f $a, $b`. */
  private format(n: Node, depth: number): string {
    const children = namedChildren(n);
    const [template, op, args] = children;
    if (!template || op?.type !== 'format_operator' || !args) return UNRESOLVED;
    const list = unwrap(args);
    const items = list.type === 'array_literal_expression' ? namedChildren(list) : [list];
    const values = items.map((item) => this.evaluate(item, depth + 1));
    return this.evaluate(template, depth + 1).replace(/\{(\d+)(?:[,:][^}]*)?\}/g, (_, i: string) => values[Number(i)] ?? UNRESOLVED);
  }

  /**
   * A double-quoted or here string: the grammar gives the embedded `$var` and `$(…)` as children;
   * the text between them is literal apart from backtick escapes (and `""` in a "…" string).
   */
  private expandable(n: Node, depth: number): string {
    const here = n.type === 'expandable_here_string_literal';
    const text = n.text;
    const bodyStart = here ? text.indexOf('\n') + 1 : 1;
    const bodyEnd = here ? Math.max(bodyStart, text.lastIndexOf('\n')) : text.length - 1;
    let out = '';
    let at = bodyStart;
    const literal = (until: number) => {
      out += unescapeExpandable(text.slice(at, until), here);
    };
    for (const child of namedChildren(n)) {
      const start = child.startIndex - n.startIndex;
      if (start < at || start >= bodyEnd) continue;
      literal(start);
      out += child.type === 'variable' || child.type === 'sub_expression' ? this.evaluate(child, depth + 1) : UNRESOLVED;
      at = child.endIndex - n.startIndex;
    }
    literal(bodyEnd);
    return here ? out.replace(/\r$/, '') : out;
  }

  /**
   * An unquoted command argument such as `http://169.254.169.254/latest/meta-data/$name`. The
   * grammar keeps it as one token, so its `$name` / `${name}` / `$(…)` parts are read here by
   * PowerShell's own rule for argument mode: a variable name runs over letters, digits, `_`, `?`
   * and a scope `:`.
   */
  private bareWord(text: string, at: Node, depth: number): string {
    let out = '';
    for (let i = 0; i < text.length; i++) {
      const c = text[i]!;
      if (c === '`' && i + 1 < text.length) {
        out += text[++i];
      } else if (c === '$' && text[i + 1] === '(') {
        return out + UNRESOLVED;
      } else if (c === '$' && text[i + 1] === '{') {
        const close = text.indexOf('}', i);
        if (close < 0) return out + UNRESOLVED;
        out += this.variableValue(text.slice(i + 2, close), at, depth);
        i = close;
      } else if (c === '$' && /[\w?]/.test(text[i + 1] ?? '')) {
        const name = /^(?:(?:script|global|local|private|env|using):)?[\w?]+/i.exec(text.slice(i + 1))![0];
        out += this.variableValue(name, at, depth);
        i += name.length;
      } else {
        out += c;
      }
    }
    return out;
  }

  private variableValue(raw: string, at: Node, depth: number): string {
    const name = normaliseName(raw);
    if (name.startsWith('env:')) return UNRESOLVED;
    const value = this.lookup(name, at);
    return value ? this.evaluate(value, depth + 1) : UNRESOLVED;
  }

  /** The `@{ … }` that `node` is, or that the variable `node` holds; undefined when it is neither. */
  hashtable(node: Node, depth = 0): Hashtable | undefined {
    if (depth > MAX_DEPTH) return undefined;
    const n = unwrap(node);
    // `[ordered]@{…}`, `[hashtable]$h`: the cast keeps the entries.
    if (n.type === 'cast_expression' || n.type === 'expression_with_unary_operator') {
      const operand = namedChildren(n).at(-1);
      return operand && this.hashtable(operand, depth + 1);
    }
    if (n.type === 'hash_literal_expression') return { node: n, entries: this.entries(n) };
    if (n.type !== 'variable') return undefined;
    const name = variableName(n);
    const value = name ? this.lookup(name, n) : undefined;
    const table = value && this.hashtable(value, depth + 1);
    if (!table || !name) return undefined;
    const assigned = unwrap(value!).startIndex;
    const changes = this.mutations.filter((m) => m.name === name && m.node.startIndex > assigned && m.node.endIndex <= n.startIndex);
    const entries = [...table.entries];
    let unresolved = table.unresolved;
    for (const m of changes) {
      const key = m.key && this.keyText(m.key, depth);
      if (!key || key.includes(UNRESOLVED) || !m.value) unresolved = `a header is added to $${name} by ${m.node.text.split('\n')[0]}, with a name that is not known`;
      else entries.push({ key, keyNode: m.key!, value: m.value, entry: m.node });
    }
    return { node: table.node, entries, ...(unresolved ? { unresolved } : {}) };
  }

  private entries(hash: Node): HashEntry[] {
    const body = hash.namedChildren.find((c) => c?.type === 'hash_literal_body');
    if (!body) return [];
    const out: HashEntry[] = [];
    for (const entry of namedChildren(body)) {
      if (entry.type !== 'hash_entry') continue;
      const keyNode = entry.namedChildren.find((c) => c?.type === 'key_expression');
      const value = namedChildren(entry).find((c) => c.type !== 'key_expression');
      if (keyNode && value) out.push({ key: this.keyText(keyNode, 0), keyNode, value, entry });
    }
    return out;
  }

  private keyText(node: Node, depth: number): string {
    const n = unwrap(node);
    return n.type === 'simple_name' || n.type === 'member_name' ? n.text : this.evaluate(n, depth + 1);
  }
}

function parameterOf(p: Node): FunctionParameter | undefined {
  const variable = p.namedChildren.find((c) => c?.type === 'variable');
  const name = variable && variableName(variable);
  if (!name) return undefined;
  const attributes = p.namedChildren.find((c) => c?.type === 'attribute_list')?.text.toLowerCase() ?? '';
  const fallback = p.namedChildren.find((c) => c?.type === 'script_parameter_default');
  const value = fallback && namedChildren(fallback).at(-1);
  return { name, isSwitch: /\[switch\]/.test(attributes), ...(value ? { default: value } : {}) };
}

/** The argument expressions of `x.Method(a, b)`. */
export function argumentsOf(invocation: Node): Node[] {
  const list = invocation.namedChildren.find((c) => c?.type === 'argument_list');
  const exprs = list?.childForFieldName('argument_expression_list') ?? list?.namedChildren.find((c) => c?.type === 'argument_expression_list');
  return exprs ? namedChildren(exprs) : [];
}

function hereStringBody(text: string): string {
  const start = text.indexOf('\n') + 1;
  const end = Math.max(start, text.lastIndexOf('\n'));
  return text.slice(start, end).replace(/\r$/, '');
}

const ESCAPES: Record<string, string> = { '0': '\0', a: '\x07', b: '\b', e: '\x1b', f: '\f', n: '\n', r: '\r', t: '\t', v: '\v' };

function unescapeExpandable(text: string, here: boolean): string {
  let out = '';
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c === '`' && i + 1 < text.length) {
      const next = text[++i]!;
      out += ESCAPES[next] ?? next;
    } else if (c === '"' && !here && text[i + 1] === '"') {
      out += '"';
      i++;
    } else {
      out += c;
    }
  }
  return out;
}
