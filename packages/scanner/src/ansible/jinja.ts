import { isMap, isScalar, isSeq, Scalar, type Document, type Node, type YAMLMap } from 'yaml';
import { deref, type YamlFile } from './yaml.js';

/**
 * Where a literal value is written, so that a fix can replace it: a YAML scalar, or a string
 * literal inside a Jinja expression. `quote` is the quoting to keep.
 */
export interface Origin {
  readonly file: string;
  readonly start: number;
  readonly end: number;
  readonly quote: '' | '"' | "'";
}

/** One value an argument may take. `via` names the variables it came through. */
export type JValue =
  | { readonly t: 'str'; readonly value: string; readonly origin?: Origin; readonly via: readonly string[] }
  | { readonly t: 'map'; readonly node: YAMLMap; readonly file: YamlFile; readonly doc: Document; readonly via: readonly string[] }
  | { readonly t: 'omit' };

export type JResult = { readonly ok: true; readonly options: readonly JValue[] } | { readonly ok: false; readonly reason: string };

/** A variable definition visible to a task. */
export interface VarDef {
  readonly node: Node | undefined;
  readonly file: YamlFile;
  readonly doc: Document;
}

export interface VarScope {
  lookup(name: string): VarDef | undefined;
}

type Outcome = JResult | { readonly ok: false; readonly undefinedVar: string };

const MAX_DEPTH = 8;
const IDENTITY_FILTERS = new Set(['string', 'lower', 'trim', 'int', 'mandatory']);

/** What an argument's YAML node evaluates to, following `{{ var }}` through the visible variables. */
export function evaluateNode(node: unknown, file: YamlFile, doc: Document, scope: VarScope, via: readonly string[] = [], depth = 0): JResult {
  const outcome = evaluate(node, file, doc, scope, via, depth);
  if ('undefinedVar' in outcome) return { ok: false, reason: undefinedReason(outcome.undefinedVar) };
  return outcome;
}

function undefinedReason(name: string): string {
  return `it comes from the variable ${name}, which is not defined in the play, the role or the task (inventory, group_vars or extra vars may set it)`;
}

function evaluate(raw: unknown, file: YamlFile, doc: Document, scope: VarScope, via: readonly string[], depth: number): Outcome {
  if (depth > MAX_DEPTH) return { ok: false, reason: 'it is defined through too many variables' };
  const node = deref(raw, doc);
  if (node === undefined) return { ok: true, options: [{ t: 'omit' }] };
  if (isMap(node)) return { ok: true, options: [{ t: 'map', node, file, doc, via }] };
  if (isSeq(node)) return { ok: false, reason: 'it is a list' };
  if (!isScalar(node)) return { ok: false, reason: 'it is not a plain value' };
  const value = node.value;
  if (value === null || value === undefined) return { ok: true, options: [{ t: 'omit' }] };
  if (typeof value === 'string' && /\{\{|\{%/.test(value)) {
    return evaluateTemplate(value, scalarBase(node, file), file, doc, scope, via, depth);
  }
  return { ok: true, options: [{ t: 'str', value: String(value), origin: scalarOrigin(node, file), via }] };
}

function scalarOrigin(node: Scalar, file: YamlFile): Origin | undefined {
  const range = node.range;
  if (!range) return undefined;
  const quote = node.type === Scalar.QUOTE_DOUBLE ? '"' : node.type === Scalar.QUOTE_SINGLE ? "'" : node.type === Scalar.PLAIN ? '' : undefined;
  if (quote === undefined) return undefined;
  return { file: file.source.file, start: range[0], end: range[1], quote };
}

/** The offset at which the scalar's value starts in the file, when value and source agree char for char. */
function scalarBase(node: Scalar, file: YamlFile): number | undefined {
  const range = node.range;
  if (!range || typeof node.value !== 'string') return undefined;
  const source = file.source.text.slice(range[0], range[1]);
  if (node.type === Scalar.PLAIN) return source === node.value ? range[0] : undefined;
  if (node.type === Scalar.QUOTE_DOUBLE || node.type === Scalar.QUOTE_SINGLE) {
    return source.length >= 2 && source.slice(1, -1) === node.value ? range[0] + 1 : undefined;
  }
  return undefined;
}

function evaluateTemplate(
  text: string,
  base: number | undefined,
  file: YamlFile,
  doc: Document,
  scope: VarScope,
  via: readonly string[],
  depth: number,
): Outcome {
  const match = /^(\s*\{\{)([\s\S]*?)\}\}\s*$/.exec(text);
  if (!match || /\{\{|\}\}|\{%/.test(match[2]!)) return { ok: false, reason: `it is a template (${shorten(text)})` };
  const offset = base === undefined ? undefined : base + match[1]!.length;
  const tokens = tokenize(match[2]!);
  if (!tokens) return { ok: false, reason: `it is an expression that is not understood (${shorten(text)})` };
  const parser = new ExpressionParser(tokens, { file, doc, scope, via, depth, offset });
  const result = parser.parseExpression();
  if (!parser.atEnd()) return { ok: false, reason: `it is an expression that is not understood (${shorten(text)})` };
  return result;
}

function shorten(text: string): string {
  const oneLine = text.replace(/\s+/g, ' ').trim();
  return oneLine.length > 60 ? `${oneLine.slice(0, 57)}...` : oneLine;
}

interface Token {
  readonly kind: 'str' | 'num' | 'name' | 'op';
  readonly value: string;
  readonly start: number;
  readonly end: number;
  readonly quote?: '"' | "'";
}

function tokenize(source: string): Token[] | undefined {
  const tokens: Token[] = [];
  let i = 0;
  while (i < source.length) {
    const c = source[i]!;
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    if (c === '"' || c === "'") {
      const close = source.indexOf(c, i + 1);
      if (close < 0) return undefined;
      const value = source.slice(i + 1, close);
      if (value.includes('\\')) return undefined;
      tokens.push({ kind: 'str', value, start: i, end: close + 1, quote: c });
      i = close + 1;
      continue;
    }
    const number = /^\d+(\.\d+)?/.exec(source.slice(i));
    if (number) {
      tokens.push({ kind: 'num', value: number[0], start: i, end: i + number[0].length });
      i += number[0].length;
      continue;
    }
    const name = /^[A-Za-z_][A-Za-z0-9_]*/.exec(source.slice(i));
    if (name) {
      tokens.push({ kind: 'name', value: name[0], start: i, end: i + name[0].length });
      i += name[0].length;
      continue;
    }
    const op = /^(==|!=|<=|>=|\*\*|\/\/|[|().,[\]=<>+\-*/~%!:{}])/.exec(source.slice(i));
    if (!op) return undefined;
    tokens.push({ kind: 'op', value: op[0], start: i, end: i + op[0].length });
    i += op[0].length;
  }
  return tokens;
}

interface Context {
  readonly file: YamlFile;
  readonly doc: Document;
  readonly scope: VarScope;
  readonly via: readonly string[];
  readonly depth: number;
  /** Offset of the expression in the file, when literals in it can be edited. */
  readonly offset: number | undefined;
}

const NOT_UNDERSTOOD: Outcome = { ok: false, reason: 'it is an expression that is not understood' };

/**
 * The small part of Jinja that settings are written with: literals, variables (also `a.b` and
 * `a['b']`), `x if cond else y`, and the filters `default`/`d`, `ternary` and a few that keep the
 * value. A condition is never evaluated: every branch is a possible value.
 */
class ExpressionParser {
  private pos = 0;

  constructor(
    private readonly tokens: readonly Token[],
    private readonly context: Context,
  ) {}

  atEnd(): boolean {
    return this.pos >= this.tokens.length;
  }

  private peek(value?: string): Token | undefined {
    const token = this.tokens[this.pos];
    if (value !== undefined && token?.value !== value) return undefined;
    return token;
  }

  private take(value?: string): Token | undefined {
    const token = this.peek(value);
    if (token) this.pos++;
    return token;
  }

  parseExpression(): Outcome {
    const left = this.parseFiltered();
    if (!this.peek('if')) return left;
    this.take('if');
    // Skip the condition: both branches are possible.
    let depth = 0;
    while (!this.atEnd()) {
      const token = this.peek()!;
      if (token.kind === 'op' && '([{'.includes(token.value)) depth++;
      if (token.kind === 'op' && ')]}'.includes(token.value)) depth--;
      if (depth === 0 && token.kind === 'name' && token.value === 'else') break;
      if (depth < 0) return NOT_UNDERSTOOD;
      this.pos++;
    }
    if (!this.take('else')) return { ok: false, reason: 'it is an inline if without else' };
    return union(left, this.parseExpression());
  }

  private parseFiltered(): Outcome {
    let value = this.parsePrimary();
    while (this.take('|')) {
      const name = this.take();
      if (!name || name.kind !== 'name') return NOT_UNDERSTOOD;
      const args: Outcome[] = [];
      if (this.take('(')) {
        while (!this.take(')')) {
          if (this.atEnd()) return NOT_UNDERSTOOD;
          // Keyword arguments (`default(x, boolean=true)`) only tune the filter.
          if (this.peek()?.kind === 'name' && this.tokens[this.pos + 1]?.value === '=') this.pos += 2;
          args.push(this.parseExpression());
          this.take(',');
        }
      }
      value = this.applyFilter(name.value, value, args);
    }
    return value;
  }

  private applyFilter(name: string, value: Outcome, args: readonly Outcome[]): Outcome {
    if (name === 'default' || name === 'd') {
      const fallback = args[0] ?? { ok: true, options: [{ t: 'str', value: '', via: [] }] };
      return 'undefinedVar' in value ? fallback : value;
    }
    if (name === 'ternary') {
      if (args.length < 2) return NOT_UNDERSTOOD;
      return union(args[0]!, args[1]!);
    }
    if (IDENTITY_FILTERS.has(name)) return value;
    if ('undefinedVar' in value) return value;
    return { ok: false, reason: `it goes through the filter ${name}` };
  }

  private parsePrimary(): Outcome {
    const token = this.take();
    if (!token) return NOT_UNDERSTOOD;
    let value: Outcome;
    if (token.kind === 'str') {
      value = { ok: true, options: [{ t: 'str', value: token.value, origin: this.origin(token), via: this.context.via }] };
    } else if (token.kind === 'num') {
      value = { ok: true, options: [{ t: 'str', value: token.value, via: this.context.via }] };
    } else if (token.kind === 'op' && token.value === '(') {
      value = this.parseExpression();
      if (!this.take(')')) return NOT_UNDERSTOOD;
    } else if (token.kind === 'name') {
      value = this.variable(token.value);
    } else {
      return NOT_UNDERSTOOD;
    }
    for (;;) {
      if (this.take('.')) {
        const key = this.take();
        if (!key || key.kind !== 'name') return NOT_UNDERSTOOD;
        value = this.member(value, key.value);
      } else if (this.peek('[') && this.tokens[this.pos + 1]?.kind === 'str' && this.tokens[this.pos + 2]?.value === ']') {
        const key = this.tokens[this.pos + 1]!.value;
        this.pos += 3;
        value = this.member(value, key);
      } else if (this.peek('(') || this.peek('[')) {
        return { ok: false, reason: 'it calls a function or indexes a value' };
      } else {
        return value;
      }
    }
  }

  private origin(token: Token): Origin | undefined {
    const offset = this.context.offset;
    if (offset === undefined || !token.quote) return undefined;
    return { file: this.context.file.source.file, start: offset + token.start, end: offset + token.end, quote: token.quote };
  }

  private variable(name: string): Outcome {
    switch (name) {
      case 'omit':
        return { ok: true, options: [{ t: 'omit' }] };
      case 'true':
      case 'True':
        return { ok: true, options: [{ t: 'str', value: 'true', via: this.context.via }] };
      case 'false':
      case 'False':
        return { ok: true, options: [{ t: 'str', value: 'false', via: this.context.via }] };
      case 'none':
      case 'None':
        return { ok: true, options: [{ t: 'omit' }] };
    }
    const def = this.context.scope.lookup(name);
    if (!def) return { ok: false, undefinedVar: name };
    const { scope, via, depth } = this.context;
    return evaluate(def.node, def.file, def.doc, scope, [...via, name], depth + 1);
  }

  private member(value: Outcome, key: string): Outcome {
    if (!value.ok) return value;
    const { scope, depth } = this.context;
    const results: Outcome[] = [];
    for (const option of value.options) {
      if (option.t !== 'map') return { ok: false, reason: `it reads .${key} of a value that is not a mapping` };
      const pair = option.node.items.find((p) => isScalar(p.key) && p.key.value === key);
      if (!pair) return { ok: false, reason: `it reads .${key}, which is not defined` };
      results.push(evaluate(pair.value, option.file, option.doc, scope, [...option.via.slice(0, -1), `${option.via.at(-1) ?? ''}.${key}`], depth + 1));
    }
    return results.reduce(union);
  }
}

function union(a: Outcome, b: Outcome): Outcome {
  if ('undefinedVar' in a) return a;
  if ('undefinedVar' in b) return b;
  if (!a.ok) return a;
  if (!b.ok) return b;
  return { ok: true, options: [...a.options, ...b.options] };
}

/** Whether a string holds Jinja. */
export function isTemplated(value: unknown): boolean {
  return typeof value === 'string' && /\{\{|\{%/.test(value);
}
