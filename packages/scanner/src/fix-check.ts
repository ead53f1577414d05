import type { Tree } from 'web-tree-sitter';

export type FixVerdict = { readonly ok: true } | { readonly ok: false; readonly reason: string };

/**
 * The last line of defence before --fix overwrites a user's file: a fix that makes the script parse
 * worse, or that mixes line endings, is a bug in a fix, and writing it would break a script that
 * worked. Every analyser that claims `path` re-parses the fixed text with its own parser.
 */
export async function verifyFixedText(original: string, fixed: string, path: string): Promise<FixVerdict> {
  const before = lineEndings(original);
  const after = lineEndings(fixed);
  const mixed = after === 'mixed' || (before !== 'none' && after !== 'none' && after !== before);
  if ((before === 'crlf' || before === 'lf') && mixed) {
    return { ok: false, reason: `the fix would mix line endings (the file uses ${before.toUpperCase()})` };
  }
  // Imported lazily: the analysers import this module for countSyntaxErrors.
  const { ANALYSERS } = await import('./analysers.js');
  for (const analyser of ANALYSERS.filter((a) => a.claims(path, true))) {
    const errorsBefore = await analyser.countSyntaxErrors(original, path);
    const errorsAfter = await analyser.countSyntaxErrors(fixed, path);
    if (errorsAfter > errorsBefore) {
      return {
        ok: false,
        reason: `the fixed file would not parse as well as the original (${errorsAfter} syntax errors instead of ${errorsBefore})`,
      };
    }
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
