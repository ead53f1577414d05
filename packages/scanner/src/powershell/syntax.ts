import type { Node } from 'web-tree-sitter';

/**
 * tree-sitter-powershell wraps every value in one node per precedence level (pipeline →
 * logical_expression → … → unary_expression); these carry no meaning of their own when they have a
 * single child, so we look through them.
 */
const PASS_THROUGH = new Set([
  'pipeline',
  'pipeline_chain',
  'logical_expression',
  'bitwise_expression',
  'comparison_expression',
  'additive_expression',
  'multiplicative_expression',
  'format_expression',
  'range_expression',
  'array_literal_expression',
  'unary_expression',
  'argument_expression',
  'logical_argument_expression',
  'bitwise_argument_expression',
  'comparison_argument_expression',
  'additive_argument_expression',
  'multiplicative_argument_expression',
  'format_argument_expression',
  'range_argument_expression',
  'key_expression',
  'left_assignment_expression',
  'string_literal',
  'statement_list',
]);

export function namedChildren(node: Node): Node[] {
  return node.namedChildren.filter((c): c is Node => c !== null && c.type !== 'comment');
}

/** The node that gives `node` its value, below the single-child precedence wrappers. */
export function unwrap(node: Node): Node {
  let current = node;
  for (;;) {
    if (!PASS_THROUGH.has(current.type)) return current;
    const children = namedChildren(current);
    if (children.length !== 1) return current;
    current = children[0]!;
  }
}

/**
 * `$Name`, `${Name}`, `$script:Name` (and the splat `@Name`) → the lower-case name PowerShell looks
 * up, scope prefixes dropped.
 */
export function variableName(node: Node): string | undefined {
  const text = node.text;
  if (!text.startsWith('$') && !text.startsWith('@')) return undefined;
  const raw = text.startsWith('${') && text.endsWith('}') ? text.slice(2, -1) : text.slice(1);
  return normaliseName(raw);
}

export function normaliseName(raw: string): string {
  return raw.toLowerCase().replace(/^(script|global|local|private|using):/, '');
}

/** The variable an assignment's left side names, through type constraints (`[string]$token = …`). */
export function assignedVariable(left: Node): Node | undefined {
  let n = unwrap(left);
  for (let i = 0; i < 8; i++) {
    if (n.type === 'variable') return n;
    if (n.type !== 'expression_with_unary_operator' && n.type !== 'cast_expression') return undefined;
    const last = namedChildren(n).at(-1);
    if (!last) return undefined;
    n = unwrap(last);
  }
  return undefined;
}

/** The function whose body holds `node`, or null at script level; found by position, not parents. */
export function enclosingFunction(functions: readonly Node[], node: Node): Node | null {
  let best: Node | null = null;
  for (const fn of functions) {
    if (fn.startIndex <= node.startIndex && node.endIndex <= fn.endIndex) {
      if (!best || fn.startIndex >= best.startIndex) best = fn;
    }
  }
  return best;
}

/** Every node of `types` under `root`, in document order, walked with a cursor (no recursion). */
export function descendants(root: Node, types: ReadonlySet<string>): Node[] {
  const out: Node[] = [];
  const cursor = root.walk();
  try {
    for (;;) {
      if (types.has(cursor.nodeType)) out.push(cursor.currentNode);
      if (cursor.gotoFirstChild()) continue;
      while (!cursor.gotoNextSibling()) {
        if (!cursor.gotoParent()) return out;
      }
    }
  } finally {
    cursor.delete();
  }
}
