import type { Node } from 'web-tree-sitter';

/**
 * The nodes from the root down to `node`'s parent. tree-sitter keeps no parent pointers: `parent`
 * descends from the root each time, so walking up a script nested 10,000 levels deep one `parent`
 * at a time costs O(depth²) and took minutes. A cursor that descends once towards the node costs
 * O(depth). Falls back to `parent` if the descent misses the node (zero-width nodes).
 */
export function ancestors(node: Node): Node[] {
  const path: Node[] = [];
  const cursor = node.tree.rootNode.walk();
  try {
    for (let steps = 0; ; steps++) {
      const current = cursor.currentNode;
      if (current.id === node.id) return path;
      path.push(current);
      if (!descendTowards(cursor, node) || steps > 1_000_000) break;
    }
  } finally {
    cursor.delete();
  }
  const slow: Node[] = [];
  for (let n = node.parent; n; n = n.parent) slow.push(n);
  return slow.reverse();
}

/** Moves to the child that contains `node`; false when there is none. */
function descendTowards(cursor: ReturnType<Node['walk']>, node: Node): boolean {
  // Its return value is unreliable (false when it moved to child 0), and currentDepth costs
  // O(depth): see whether the cursor moved by the node it is on.
  const before = cursor.nodeId;
  cursor.gotoFirstChildForIndex(node.startIndex);
  if (cursor.nodeId === before) return false;
  for (;;) {
    const { startIndex, endIndex } = cursor;
    if (startIndex > node.startIndex) return false;
    if (endIndex >= node.endIndex && (endIndex > node.startIndex || node.startIndex === node.endIndex)) {
      // A child with the node's exact span may be the node or its wrapper: either way, go in.
      return true;
    }
    if (!cursor.gotoNextSibling()) return false;
  }
}
