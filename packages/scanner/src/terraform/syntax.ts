/**
 * Where tree-sitter had to recover (ERROR and MISSING nodes). The cursor only descends into
 * subtrees that contain an error, so a large valid file costs one flag check.
 */
import type { LineIndex } from '@imds-guard/core';
import type { Tree } from 'web-tree-sitter';
import type { SyntaxProblem } from '../analyser.js';

/** At most this many are listed; the scan reports the first and a count. */
const MAX_PROBLEMS = 10;

export function syntaxProblems(tree: Tree, lines: LineIndex): SyntaxProblem[] {
  if (!tree.rootNode.hasError) return [];
  const problems: SyntaxProblem[] = [];
  const cursor = tree.walk();
  try {
    for (;;) {
      const isProblem = cursor.nodeType === 'ERROR' || cursor.nodeIsMissing;
      if (isProblem) problems.push(lines.position(cursor.startIndex));
      if (problems.length >= MAX_PROBLEMS) return problems;
      // An ERROR node is reported once, not once per broken node inside it.
      if (!isProblem && cursor.currentNode.hasError && cursor.gotoFirstChild()) continue;
      while (!cursor.gotoNextSibling()) {
        if (!cursor.gotoParent()) return problems;
      }
    }
  } finally {
    cursor.delete();
  }
}
