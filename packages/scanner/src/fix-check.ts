import type { Tree } from 'web-tree-sitter';
import { withBashTree } from './tree-sitter.js';

export type FixVerdict = { readonly ok: true } | { readonly ok: false; readonly reason: string };

/**
 * The last line of defence before --fix overwrites a user's file: a fix that makes the script parse
 * worse, or that mixes line endings, is a bug in a fix, and writing it would break a script that
 * worked. `path` is there so that other languages can pick their own parser; today every fix is to
 * a shell script.
 */
export async function verifyFixedText(original: string, fixed: string, _path: string): Promise<FixVerdict> {
  const before = lineEndings(original);
  const after = lineEndings(fixed);
  const mixed = after === 'mixed' || (before !== 'none' && after !== 'none' && after !== before);
  if ((before === 'crlf' || before === 'lf') && mixed) {
    return { ok: false, reason: `the fix would mix line endings (the file uses ${before.toUpperCase()})` };
  }
  const errorsBefore = await withBashTree(original, countSyntaxErrors);
  const errorsAfter = await withBashTree(fixed, countSyntaxErrors);
  if (errorsAfter > errorsBefore) {
    return {
      ok: false,
      reason: `the fixed script would not parse as well as the original (${errorsAfter} syntax errors instead of ${errorsBefore})`,
    };
  }
  return { ok: true };
}

type LineEndings = 'lf' | 'crlf' | 'mixed' | 'none';

function lineEndings(text: string): LineEndings {
  const crlf = text.match(/\r\n/g)?.length ?? 0;
  const all = text.match(/\n/g)?.length ?? 0;
  if (all === 0) return 'none';
  if (crlf === 0) return 'lf';
  return crlf === all ? 'crlf' : 'mixed';
}

/** ERROR and MISSING nodes, walked with a cursor because a tree of a large script has many nodes. */
export function countSyntaxErrors(tree: Tree): number {
  if (!tree.rootNode.hasError) return 0;
  const cursor = tree.walk();
  let count = 0;
  try {
    for (;;) {
      if (cursor.nodeType === 'ERROR' || cursor.nodeIsMissing) count++;
      // Subtrees without errors cannot hold one; skip them.
      if (cursor.currentNode.hasError && cursor.gotoFirstChild()) continue;
      while (!cursor.gotoNextSibling()) {
        if (!cursor.gotoParent()) return count;
      }
    }
  } finally {
    cursor.delete();
  }
}
