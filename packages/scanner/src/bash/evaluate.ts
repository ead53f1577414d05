import { UNRESOLVED } from '@imds-guard/core';
import type { Node } from 'web-tree-sitter';
import type { Definition, Environment } from './environment.js';

/** One word of a command's argv after expansion, as far as it can be known statically. */
export interface ArgItem {
  /** The source node the word comes from; absent when it was synthesised (e.g. from xargs input). */
  readonly node?: Node;
  /** Possible texts; UNRESOLVED marks parts that could not be resolved. */
  readonly values: readonly string[];
  /** True when the word may expand to any number of words that are not known (`$OPTS`, `"$@"`). */
  readonly spread: boolean;
}

const MAX_ALTERNATIVES = 6;
const UNKNOWN = [UNRESOLVED];

export function isResolved(value: string): boolean {
  return !value.includes(UNRESOLVED);
}

/**
 * Evaluates shell words to their possible values. Positional parameters come from `params` when a
 * function body is analysed for one particular call; `usedParams` records whether they mattered.
 */
export class Evaluator {
  usedParams = false;
  private readonly evaluating = new Set<string>();

  constructor(
    private readonly env: Environment,
    private readonly fn: Node | null,
    private readonly params?: readonly ArgItem[],
  ) {}

  /** Expands command arguments, splitting unquoted expansions the way bash's word splitting does. */
  argv(nodes: readonly Node[]): ArgItem[] {
    return nodes.flatMap((node) => this.expandArgument(node));
  }

  word(node: Node): string[] {
    switch (node.type) {
      case 'word':
      case 'number':
        return [unescapeWord(node.text)];
      case 'string_content':
        return [node.text.replace(/\\([$`"\\\n])/g, '$1')];
      case 'raw_string':
        return [node.text.slice(1, -1)];
      case 'ansi_c_string':
        return [node.text.slice(2, -1)];
      case 'string':
      case 'translated_string':
        return this.concat(stringParts(node));
      case 'concatenation':
        return this.concat(node.children.filter((c): c is Node => c !== null));
      case 'simple_expansion':
        return this.variable(node.namedChildren[0]?.text ?? '');
      case 'expansion':
        return this.expansion(node);
      default:
        return UNKNOWN;
    }
  }

  private expandArgument(node: Node): ArgItem[] {
    const inner = node.type === 'string' && node.namedChildren.length === 1 ? node.namedChildren[0]! : undefined;
    const quoted = inner !== undefined;
    const expansion = inner ?? node;
    const allWords = this.allWordsExpansion(expansion);
    if (allWords) {
      if (allWords === 'unknown') return [{ node, values: UNKNOWN, spread: true }];
      return allWords.map((item) => ({ ...item, node: item.node ?? node }));
    }
    const values = this.word(node);
    const splits = !quoted && (node.type === 'simple_expansion' || node.type === 'expansion');
    if (!splits) return [{ node, values, spread: false }];
    if (values.some((v) => !isResolved(v))) return [{ node, values, spread: true }];
    if (values.length === 1) {
      return values[0]!.split(/[ \t\n]+/).filter(Boolean).map((w) => ({ node, values: [w], spread: false }));
    }
    return [{ node, values, spread: false }];
  }

  /** `"$@"`, `$*`, `"${arr[@]}"`: the words they stand for, or 'unknown'. */
  private allWordsExpansion(node: Node): ArgItem[] | 'unknown' | undefined {
    if (node.type !== 'simple_expansion' && node.type !== 'expansion') return undefined;
    const named = node.namedChildren.filter((c): c is Node => c !== null);
    if (named.length !== 1) return undefined;
    const target = named[0]!;
    if (target.type === 'special_variable_name' && (target.text === '@' || target.text === '*')) {
      this.usedParams = true;
      return this.params ? [...this.params] : 'unknown';
    }
    if (target.type === 'subscript') {
      const index = target.childForFieldName('index')?.text;
      const name = target.childForFieldName('name')?.text ?? '';
      if (index !== '@' && index !== '*') return undefined;
      const defs = this.env.lookup(name, this.fn).filter((d) => d.elements);
      if (defs.length === 0) return 'unknown';
      // Several definitions (`args+=(…)` or branches): take every element of all of them, so a
      // header added conditionally still counts as present.
      return defs.flatMap((d) => d.elements!.flatMap((e) => this.scoped(d, (ev) => ev.argv([e]))));
    }
    return undefined;
  }

  private expansion(node: Node): string[] {
    const target = node.namedChildren[0];
    if (!target) return UNKNOWN;
    const operator = node.childForFieldName('operator')?.text;
    if (node.children[1]?.type === '#' || node.children[1]?.text === '#') return UNKNOWN; // ${#x}: a length
    let base: string[];
    if (target.type === 'subscript') {
      base = this.element(target);
    } else if (target.type === 'variable_name' || target.type === 'special_variable_name') {
      base = this.variable(target.text);
    } else return UNKNOWN;
    if (operator === undefined) return base;
    const operand = node.namedChildren.slice(1).filter((c): c is Node => c !== null);
    const operandValues = operand.length === 0 ? [''] : this.concat(operand);
    switch (operator) {
      case ':-':
      case '-':
      case ':=':
      case '=':
        return limit([...base, ...operandValues]);
      case ':+':
      case '+':
        return limit([...operandValues, '']);
      default:
        return UNKNOWN;
    }
  }

  private element(subscript: Node): string[] {
    const name = subscript.childForFieldName('name')?.text ?? '';
    const index = subscript.childForFieldName('index')?.text ?? '';
    const defs = this.env.lookup(name, this.fn).filter((d) => d.elements);
    if (defs.length === 0) return UNKNOWN;
    const out: string[] = [];
    for (const def of defs) {
      const items = this.scoped(def, (ev) => ev.argv(def.elements!));
      if (index === '@' || index === '*') out.push(...this.concatItems(items));
      else if (/^\d+$/.test(index)) out.push(...(items[Number(index)]?.values ?? UNKNOWN));
      else out.push(UNRESOLVED);
    }
    return limit(out);
  }

  private variable(name: string): string[] {
    if (/^\d$/.test(name)) {
      this.usedParams = true;
      if (name === '0') return UNKNOWN;
      const item = this.params?.[Number(name) - 1];
      if (!item) return this.params ? [''] : UNKNOWN;
      return item.spread ? UNKNOWN : [...item.values];
    }
    if (name === '@' || name === '*') {
      this.usedParams = true;
      return this.params ? this.concatItems(this.params) : UNKNOWN;
    }
    const defs = this.env.lookup(name, this.fn);
    if (defs.length === 0 || this.evaluating.has(name)) return UNKNOWN;
    this.evaluating.add(name);
    try {
      const values = defs.flatMap((def) => this.scoped(def, (ev) => ev.definitionValue(def)));
      return values.length === 0 ? UNKNOWN : limit(values);
    } finally {
      this.evaluating.delete(name);
    }
  }

  private definitionValue(def: Definition): string[] {
    if (def.loopValues) return def.loopValues.flatMap((v) => this.word(v));
    if (def.elements) return def.elements.length > 0 ? this.word(def.elements[0]!) : [''];
    if (!def.value) return [];
    const values = this.word(def.value);
    return def.append ? values.map((v) => UNRESOLVED + v) : values;
  }

  /** Evaluates a definition in its own function's scope; positional parameters apply only there. */
  private scoped<T>(def: Definition, run: (evaluator: Evaluator) => T): T {
    if ((def.fn?.id ?? -1) === (this.fn?.id ?? -1)) return run(this);
    const inner = new Evaluator(this.env, def.fn, undefined);
    for (const name of this.evaluating) inner.evaluating.add(name);
    return run(inner);
  }

  private concat(nodes: readonly Node[]): string[] {
    let acc = [''];
    for (const node of nodes) {
      const parts = node.isNamed ? this.word(node) : [node.type === '"' ? '' : node.text];
      const next: string[] = [];
      for (const a of acc) for (const p of parts) next.push(a + p);
      acc = limit(next);
    }
    return acc;
  }

  private concatItems(items: readonly ArgItem[]): string[] {
    if (items.some((i) => i.spread)) return UNKNOWN;
    return [items.map((i) => i.values[0] ?? '').join(' ')];
  }
}

function stringParts(node: Node): Node[] {
  return node.children.filter((c): c is Node => c !== null && c.type !== '"' && c.type !== '$"');
}

function unescapeWord(text: string): string {
  return text.replace(/\\(.)/gs, '$1');
}

function limit(values: string[]): string[] {
  return [...new Set(values)].slice(0, MAX_ALTERNATIVES);
}
