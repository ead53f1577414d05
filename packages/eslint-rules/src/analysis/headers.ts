/**
 * The headers a request sends, as `Name: value` lines for core's classifyHeader: object literals,
 * bindings holding them (with every later `h[name] = …`, `h.set()`, `h.append()`), `new Headers()`,
 * arrays of pairs, spreads, computed keys from constants, and conditional headers (a header set
 * in only one branch counts as sent, since the primary path sends it).
 */
import { AST_NODE_TYPES as T, type TSESLint, type TSESTree } from '@typescript-eslint/utils';
import { TOKEN_HEADER, UNRESOLVED } from '@imds-guard/core';
import { propertyName, shorten, unwrap, type Node, type Values } from './values.js';

type Variable = TSESLint.Scope.Variable;

export interface HeaderLine {
  readonly name: string;
  readonly value: string;
  /** The literal that spells the name, for a fix that corrects it. */
  readonly nameNode?: Node;
}

export interface HeaderSet {
  readonly lines: readonly HeaderLine[];
  /** Set when headers may come from somewhere the analysis cannot see. */
  readonly unresolved?: string;
}

export const NO_HEADERS: HeaderSet = { lines: [] };

/** axios keeps per-method defaults in nested groups (`headers.common`, `headers.get`). */
const AXIOS_GROUPS = new Set(['common', 'get', 'head', 'delete', 'options', 'post', 'put', 'patch']);
const SETTERS = new Set(['set', 'append', 'setRequestHeader', 'setHeader']);
const TOKEN_NAME = TOKEN_HEADER.toLowerCase();

export function mergeHeaders(...sets: HeaderSet[]): HeaderSet {
  const lines = sets.flatMap((s) => s.lines);
  const unresolved = sets.find((s) => s.unresolved !== undefined)?.unresolved;
  return unresolved === undefined ? { lines } : { lines, unresolved };
}

export function toHeaderLines(set: HeaderSet): string[] {
  return set.lines.map((l) => `${l.name}: ${l.value}`);
}

export class HeaderResolver {
  constructor(private readonly values: Values) {}

  /** The headers an expression stands for. */
  of(node: Node | undefined, depth = 0): HeaderSet {
    if (!node || depth > 8) return node ? { lines: [], unresolved: 'the headers are nested too deeply' } : NO_HEADERS;
    const n = unwrap(node);
    const next = depth + 1;
    switch (n.type) {
      case T.ObjectExpression:
        return this.ofObjectLiteral(n, next);
      case T.ArrayExpression:
        return this.ofPairs(n, next);
      case T.Identifier: {
        if (n.name === 'undefined') return NO_HEADERS;
        const variable = this.values.variable(n);
        if (!variable) return { lines: [], unresolved: `the headers come from ${n.name}, which is not defined in this file` };
        const assigned = this.values.assignedValues(variable);
        if (!assigned) {
          const value = this.values.variableValue(variable);
          if (value) return mergeHeaders(this.of(value, next), this.mutations(variable, []));
          const kind = variable.defs[0]?.type;
          return { lines: [], unresolved: kind === 'Parameter' ? `the headers are the parameter ${n.name}` : `the headers come from ${n.name}` };
        }
        return mergeHeaders(...assigned.map((v) => this.of(v, next)), this.mutations(variable, []));
      }
      case T.MemberExpression: {
        const value = this.values.memberValue(n, next);
        return value ? this.of(value, next) : { lines: [], unresolved: `the headers come from ${shorten(this.values.text(n))}` };
      }
      case T.ConditionalExpression:
        return mergeHeaders(this.of(n.consequent, next), this.of(n.alternate, next));
      case T.LogicalExpression:
        return mergeHeaders(this.of(n.left, next), this.of(n.right, next));
      case T.NewExpression: {
        const callee = unwrap(n.callee);
        if (callee.type === T.Identifier && callee.name === 'Headers') return this.of(n.arguments[0] as Node | undefined, next);
        return { lines: [], unresolved: `the headers come from ${shorten(this.values.text(n))}` };
      }
      case T.CallExpression: {
        const text = this.values.text(n.callee);
        if (text === 'Object.assign') return mergeHeaders(...n.arguments.map((a) => this.of(a, next)));
        if (text === 'Object.fromEntries' && n.arguments[0]) return this.of(n.arguments[0], next);
        return { lines: [], unresolved: `the headers come from ${shorten(this.values.text(n))}` };
      }
      case T.Literal:
        return n.value === null ? NO_HEADERS : { lines: [], unresolved: 'the headers are not an object' };
      default:
        return { lines: [], unresolved: `the headers come from ${shorten(this.values.text(n))}` };
    }
  }

  private ofObjectLiteral(n: TSESTree.ObjectExpression, depth: number): HeaderSet {
    const sets: HeaderSet[] = [];
    const lines: HeaderLine[] = [];
    for (const p of n.properties) {
      if (p.type === T.SpreadElement) {
        sets.push(this.of(p.argument, depth));
        continue;
      }
      const name = p.computed ? this.values.string(p.key) : propertyName(p);
      if (name === undefined) continue;
      const value = unwrap(p.value as Node);
      if (!p.computed && AXIOS_GROUPS.has(name.toLowerCase()) && value.type === T.ObjectExpression) {
        sets.push(this.ofObjectLiteral(value, depth));
        continue;
      }
      lines.push({ name, value: this.values.string(value), nameNode: isStringKey(p) ? p.key : undefined });
    }
    return mergeHeaders({ lines }, ...sets);
  }

  private ofPairs(n: TSESTree.ArrayExpression, depth: number): HeaderSet {
    const lines: HeaderLine[] = [];
    for (const e of n.elements) {
      if (!e) continue;
      if (e.type === T.SpreadElement) return mergeHeaders({ lines }, this.of(e.argument, depth));
      const pair = unwrap(e);
      if (pair.type !== T.ArrayExpression || !pair.elements[0] || pair.elements[0].type === T.SpreadElement) continue;
      const [k, v] = pair.elements;
      lines.push({ name: this.values.string(k as Node), value: v && v.type !== T.SpreadElement ? this.values.string(v) : UNRESOLVED, nameNode: isStringLiteral(k) ? (k as Node) : undefined });
    }
    return { lines };
  }

  /**
   * Headers added to a binding after it was created, below `prefix` (`[]` for a headers object,
   * `['defaults', 'headers']` for an axios instance): `h[name] = v`, `h.set(name, v)`,
   * `h.append(…)`, `xhr.setRequestHeader(…)`, `req.setHeader(…)`, superagent's `.set({…})`,
   * `Object.assign(h, {…})`, and request interceptors.
   */
  mutations(variable: Variable, prefix: readonly string[], optionalGroups = false): HeaderSet {
    const sets: HeaderSet[] = [];
    for (const ref of variable.references) {
      const id = ref.identifier as Node;
      const { names, top } = memberChain(id, this.values);
      const parent = top.parent;
      if (!parent) continue;
      if (names.length === 0) {
        // Object.assign(h, {...})
        if (parent.type === T.CallExpression && parent.arguments[0] === top && this.values.text(parent.callee) === 'Object.assign' && prefix.length === 0) {
          sets.push(...parent.arguments.slice(1).map((a) => this.of(a)));
        }
        continue;
      }
      const rest = stripPrefix(names, prefix, optionalGroups);
      if (parent.type === T.AssignmentExpression && parent.left === top && rest) {
        if (rest.length === 1) sets.push({ lines: [{ name: rest[0]!, value: this.values.string(parent.right), nameNode: literalKeyOf(top) }] });
        else if (rest.length === 0) sets.push(this.of(parent.right));
        continue;
      }
      if (parent.type === T.CallExpression && parent.callee === top) {
        const method = names[names.length - 1]!;
        const before = stripPrefix(names.slice(0, -1), prefix, optionalGroups);
        if (before?.length === 0 && SETTERS.has(method)) {
          const [k, v] = parent.arguments;
          if (k && k.type !== T.SpreadElement && unwrap(k).type === T.ObjectExpression) sets.push(this.of(k));
          else if (k && k.type !== T.SpreadElement) sets.push({ lines: [{ name: this.values.string(k), value: v && v.type !== T.SpreadElement ? this.values.string(v) : UNRESOLVED, nameNode: isStringLiteral(k) ? k : undefined }] });
        }
        // axios: instance.interceptors.request.use(fn); got/ky hooks live in the options instead.
        if (names.join('.') === 'interceptors.request.use') sets.push(this.fromFunction(parent.arguments[0] as Node | undefined, 'a request interceptor'));
      }
    }
    return mergeHeaders(...sets);
  }

  /**
   * A callback that may add headers (an interceptor, a `beforeRequest` hook): it counts as adding
   * the token header when it names it, and as "cannot determine" otherwise.
   */
  fromFunction(fn: Node | undefined, what: string): HeaderSet {
    if (!fn) return NO_HEADERS;
    const target = this.values.resolveNode(fn) ?? fn;
    if (mentionsTokenHeader(target, this.values)) return { lines: [{ name: TOKEN_HEADER, value: UNRESOLVED }] };
    return { lines: [], unresolved: `${what} may add headers` };
  }
}

/** Whether a function names the token header, literally or through a constant of this file. */
export function mentionsTokenHeader(node: Node, values: Values): boolean {
  const text = values.text(node);
  if (new RegExp(`${TOKEN_NAME}(?!-ttl)`, 'i').test(text)) return true;
  for (const token of values.sourceCode.getTokens(node)) {
    if (token.type !== 'Identifier') continue;
    const id = values.sourceCode.getNodeByRangeIndex(token.range[0]);
    if (id?.type !== T.Identifier) continue;
    const value = values.bindingValue(id);
    if (value && values.string(value).toLowerCase() === TOKEN_NAME) return true;
  }
  return false;
}

/** `a.b['c'].d` read from the identifier `a` up: the property names and the outermost member. */
export function memberChain(id: Node, values: Values): { names: string[]; top: Node } {
  const names: string[] = [];
  let top: Node = id;
  while (top.parent?.type === T.MemberExpression && top.parent.object === top) {
    const name = propertyName(top.parent, values);
    if (name === undefined) break;
    names.push(name);
    top = top.parent;
  }
  return { names, top };
}

function stripPrefix(names: readonly string[], prefix: readonly string[], optionalGroups: boolean): string[] | undefined {
  if (names.length < prefix.length || prefix.some((p, i) => names[i] !== p)) return undefined;
  const rest = names.slice(prefix.length);
  if (optionalGroups && rest.length > 0 && AXIOS_GROUPS.has(rest[0]!)) return rest.slice(1);
  return rest;
}

function isStringLiteral(node: Node | null | undefined): boolean {
  if (!node) return false;
  return (node.type === T.Literal && typeof node.value === 'string') || (node.type === T.TemplateLiteral && node.expressions.length === 0);
}

function isStringKey(p: TSESTree.Property): boolean {
  return isStringLiteral(p.key);
}

function literalKeyOf(member: Node): Node | undefined {
  return member.type === T.MemberExpression && member.computed && isStringLiteral(member.property) ? member.property : undefined;
}
