/**
 * Shell and Terraform files as ESLint trees, from the same tree-sitter grammars the scanner uses.
 * ESLint parses synchronously and web-tree-sitter loads asynchronously, so the parsers are loaded
 * when the plugin module is (top-level await; the plugin is ESM-only anyway).
 */
import { getParser, type Grammar } from '@imds-guard/scanner';
import type { Parser } from 'web-tree-sitter';
import { commentValue, Positions, type AstNode, type Comment } from './ast.js';

export type TreeSitterGrammar = Extract<Grammar, 'bash' | 'terraform'>;

const parsers: Record<TreeSitterGrammar, Parser> = {
  bash: await getParser('bash'),
  terraform: await getParser('terraform'),
};

export interface ParsedTree {
  readonly ast: AstNode;
  readonly comments: Comment[];
}

/**
 * The named nodes of the tree (anonymous tokens such as `$(` or `{` are left out, so selectors
 * see the grammar's node types), with their field names. tree-sitter never fails: it inserts
 * ERROR and MISSING nodes, which stay in the tree (ERROR as a node type).
 */
export function parseTree(grammar: TreeSitterGrammar, text: string): ParsedTree {
  const tree = parsers[grammar].parse(text);
  if (!tree) throw new Error(`tree-sitter returned no tree for this ${grammar} file`);
  const positions = new Positions(text);
  const comments: Comment[] = [];
  const cursor = tree.walk();
  try {
    const root = positions.node(cursor.nodeType, 0, text.length);
    // A cursor walk with an explicit stack of open named nodes: files can nest thousands deep.
    const open: { node: AstNode; depth: number }[] = [{ node: root, depth: 0 }];
    let depth = 0;
    for (;;) {
      if (cursor.gotoFirstChild()) depth++;
      else {
        while (!cursor.gotoNextSibling()) {
          if (!cursor.gotoParent()) return { ast: root, comments };
          depth--;
        }
      }
      while (open.length > 1 && open.at(-1)!.depth >= depth) open.pop();
      if (!cursor.nodeIsNamed) continue;
      const start = cursor.startIndex;
      const end = cursor.endIndex;
      const node = positions.node(cursor.nodeType, start, end, cursor.currentFieldName ?? undefined);
      open.at(-1)!.node.children.push(node);
      open.push({ node, depth });
      if (cursor.nodeType === 'comment') comments.push(positions.comment(start, end, commentValue(text.slice(start, end))));
    }
  } finally {
    cursor.delete();
    tree.delete();
  }
}

/** Every named node type of the grammar, each visited through `children`. */
export function visitorKeysOf(grammar: TreeSitterGrammar): Record<string, string[]> {
  const language = parsers[grammar].language!;
  const keys: Record<string, string[]> = { ERROR: ['children'] };
  for (let id = 0; id < language.nodeTypeCount; id++) {
    const name = language.nodeTypeForId(id);
    if (name && language.nodeTypeIsNamed(id)) keys[name] = ['children'];
  }
  return keys;
}
