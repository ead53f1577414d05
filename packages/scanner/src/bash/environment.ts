import type { Node } from 'web-tree-sitter';

/** One assignment of a shell variable, wherever it happens in the file. */
export interface Definition {
  readonly name: string;
  readonly node: Node;
  /** The enclosing function definition, if any. */
  readonly fn: Node | null;
  readonly isLocal: boolean;
  /** Scalar value, absent for `local x` or `declare -a x`. */
  readonly value?: Node;
  /** Elements of `x=(…)`. */
  readonly elements?: Node[];
  /** `for x in a b c`: each word is one possible value. */
  readonly loopValues?: Node[];
  readonly append: boolean;
}

const LOCAL_KEYWORDS = new Set(['local', 'declare', 'typeset']);

/**
 * What a flow-insensitive reading of the file knows: every assignment of every variable and every
 * function. Bash variables are global unless declared local, so an assignment in one function is
 * visible in another.
 */
export class Environment {
  readonly functions = new Map<string, Node>();
  private readonly defs = new Map<string, Definition[]>();
  private readonly localNames = new Map<number, Set<string>>();

  constructor(root: Node) {
    this.collect(root);
  }

  /**
   * The innermost function definition around `node`. Found from the functions' spans rather than
   * by walking up `parent`: tree-sitter finds a parent by descending from the root, so the walk
   * costs O(depth²) per node, and a script nested 10,000 levels deep took minutes.
   */
  functionOf(node: Node): Node | null {
    const fns = this.functionSpans;
    // The last function that starts at or before the node…
    let lo = 0;
    let hi = fns.length - 1;
    let at = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (fns[mid]!.start <= node.startIndex) {
        at = mid;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    // …or, when it ended before the node, the innermost function around it that still encloses
    // the node (functions nest or are disjoint).
    for (let i = at; i >= 0; i = fns[i]!.outer) {
      const f = fns[i]!;
      if (node.endIndex <= f.end && f.node.id !== node.id) return f.node;
    }
    return null;
  }

  /** Function definitions by start, each with the index of the innermost one around it (-1: none). */
  private functionSpans: { node: Node; start: number; end: number; outer: number }[] = [];

  private indexFunctions(nodes: readonly (Node | null)[]): void {
    const fns = nodes
      .filter((n): n is Node => n?.type === 'function_definition')
      .map((node) => ({ node, start: node.startIndex, end: node.endIndex, outer: -1 }))
      .sort((a, b) => a.start - b.start || b.end - a.end);
    const open: number[] = [];
    fns.forEach((f, i) => {
      while (open.length > 0 && fns[open.at(-1)!]!.end < f.end) open.pop();
      f.outer = open.at(-1) ?? -1;
      open.push(i);
    });
    this.functionSpans = fns;
  }

  /** Definitions visible from code inside `fn` (null: top level). */
  lookup(name: string, fn: Node | null): Definition[] {
    const all = this.defs.get(name) ?? [];
    if (fn && this.localNames.get(fn.id)?.has(name)) return all.filter((d) => d.fn?.id === fn.id);
    return all.filter((d) => !(d.fn && this.localNames.get(d.fn.id)?.has(name)));
  }

  // descendantsOfType runs inside the WASM module: far cheaper than visiting every node from JS.
  private collect(root: Node): void {
    const nodes = root.descendantsOfType(['function_definition', 'declaration_command', 'variable_assignment', 'for_statement']);
    this.indexFunctions(nodes);
    for (const node of nodes) {
      if (node?.type !== 'function_definition') continue;
      const name = node.childForFieldName('name');
      if (name) this.functions.set(name.text, node);
    }
    // Local declarations first: whether a plain assignment is local depends on them.
    for (const node of nodes) if (node?.type === 'declaration_command') this.declaration(node, this.functionOf(node));
    for (const node of nodes) {
      if (!node) continue;
      if (node.type === 'variable_assignment') {
        const parent = node.parent?.type;
        // `X=1 cmd` sets X for that command only; declarations were handled above.
        if (parent !== 'command' && parent !== 'declaration_command') this.assignment(node, this.functionOf(node), false);
      } else if (node.type === 'for_statement') {
        const variable = node.childForFieldName('variable');
        const values = node.childrenForFieldName('value').filter((v): v is Node => v !== null);
        if (variable) this.add({ name: variable.text, node, fn: this.functionOf(node), isLocal: false, loopValues: values, append: false });
      }
    }
  }

  private declaration(node: Node, fn: Node | null): void {
    const keyword = node.child(0)?.type ?? '';
    const isLocal = fn !== null && LOCAL_KEYWORDS.has(keyword);
    for (const child of node.namedChildren) {
      if (child?.type === 'variable_assignment') this.assignment(child, fn, isLocal);
      else if (child?.type === 'variable_name') {
        if (isLocal) this.markLocal(fn!, child.text);
        this.add({ name: child.text, node: child, fn, isLocal, append: false });
      }
    }
  }

  private assignment(node: Node, fn: Node | null, isLocal: boolean): void {
    const nameNode = node.childForFieldName('name');
    if (!nameNode) return;
    const name = nameNode.type === 'subscript' ? (nameNode.childForFieldName('name')?.text ?? nameNode.text) : nameNode.text;
    if (isLocal) this.markLocal(fn!, name);
    const value = node.childForFieldName('value') ?? undefined;
    const append = node.children.some((c) => c?.type === '+=');
    if (value?.type === 'array') {
      this.add({ name, node, fn, isLocal, elements: value.namedChildren.filter((c): c is Node => c !== null), append });
    } else {
      this.add({ name, node, fn, isLocal, value, append });
    }
  }

  private markLocal(fn: Node, name: string): void {
    let names = this.localNames.get(fn.id);
    if (!names) this.localNames.set(fn.id, (names = new Set()));
    names.add(name);
  }

  private add(def: Definition): void {
    const list = this.defs.get(def.name);
    if (list) list.push(def);
    else this.defs.set(def.name, [def]);
  }
}
