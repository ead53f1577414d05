import type { Node, Tree } from 'web-tree-sitter';
import type { SourceFile, SyntaxProblem } from '../analyser.js';
import { LineIndex } from '@imds-guard/core';

/**
 * A plain copy of the parts of an HCL file the Packer analyser reads, so that the tree-sitter tree
 * can be freed at once and files of one directory can be looked at together. Offsets are UTF-16.
 */
export type HclExpr =
  | { readonly kind: 'string'; readonly value: string; readonly start: number; readonly end: number }
  | { readonly kind: 'number' | 'bool'; readonly value: string; readonly start: number; readonly end: number }
  | { readonly kind: 'ref'; readonly root: 'var' | 'local'; readonly name: string; readonly start: number; readonly end: number }
  | { readonly kind: 'conditional'; readonly branches: readonly HclExpr[]; readonly start: number; readonly end: number }
  | { readonly kind: 'other'; readonly text: string; readonly start: number; readonly end: number };

export interface HclAttribute {
  readonly name: string;
  readonly start: number;
  readonly end: number;
  /** Offset of `=`. */
  readonly equals: number;
  readonly expr: HclExpr;
}

export interface HclBlock {
  readonly type: string;
  readonly labels: readonly string[];
  readonly start: number;
  /** End of the last label: the block's header is `start..headerEnd`. */
  readonly headerEnd: number;
  readonly typeEnd: number;
  readonly open: number;
  /** Offset of the closing `}`. */
  readonly close: number;
  readonly attributes: readonly HclAttribute[];
  readonly blocks: readonly HclBlock[];
}

export interface HclFile {
  readonly source: SourceFile;
  readonly attributes: readonly HclAttribute[];
  readonly blocks: readonly HclBlock[];
  readonly eol: string;
  readonly syntaxProblems: readonly SyntaxProblem[];
}

export function extractHcl(source: SourceFile, tree: Tree): HclFile {
  const body = tree.rootNode.namedChildren.find((n) => n?.type === 'body');
  return {
    source,
    attributes: body ? attributesOf(body) : [],
    blocks: body ? blocksOf(body) : [],
    eol: source.text.includes('\r\n') ? '\r\n' : '\n',
    syntaxProblems: syntaxProblems(tree.rootNode, new LineIndex(source.text)),
  };
}

function named(node: Node): Node[] {
  return node.namedChildren.filter((n): n is Node => n !== null);
}

function attributesOf(body: Node): HclAttribute[] {
  return named(body)
    .filter((n) => n.type === 'attribute')
    .flatMap((attr) => {
      const [name, expression] = named(attr);
      if (!name || !expression) return [];
      const equals = attr.children.find((c) => c?.type === '=');
      return [{ name: name.text, start: attr.startIndex, end: attr.endIndex, equals: equals?.startIndex ?? name.endIndex, expr: toExpr(expression) }];
    });
}

function blocksOf(body: Node): HclBlock[] {
  return named(body)
    .filter((n) => n.type === 'block')
    .flatMap((block) => {
      const children = named(block);
      const type = children[0];
      const open = children.find((c) => c.type === 'block_start');
      const close = children.find((c) => c.type === 'block_end');
      if (!type || !open || !close) return [];
      const labels = children.filter((c) => c.type === 'string_lit' || (c.type === 'identifier' && c.startIndex !== type.startIndex));
      const inner = children.find((c) => c.type === 'body');
      return [
        {
          type: type.text,
          labels: labels.map((l) => (l.type === 'string_lit' ? stringValue(l) : l.text)),
          start: block.startIndex,
          headerEnd: labels.at(-1)?.endIndex ?? type.endIndex,
          typeEnd: type.endIndex,
          open: open.startIndex,
          close: close.startIndex,
          attributes: inner ? attributesOf(inner) : [],
          blocks: inner ? blocksOf(inner) : [],
        },
      ];
    });
}

function stringValue(node: Node): string {
  return named(node)
    .filter((c) => c.type === 'template_literal')
    .map((c) => c.text)
    .join('');
}

function toExpr(node: Node): HclExpr {
  const at = { start: node.startIndex, end: node.endIndex };
  const children = named(node);
  if (node.type === 'expression' && children.length === 1 && children[0]!.type === 'expression') return toExpr(children[0]!);
  const first = children[0];
  if (!first) return { kind: 'other', text: node.text, ...at };
  if (node.type === 'expression' && first.type === 'variable_expr' && children.length === 2 && children[1]!.type === 'get_attr') {
    const root = first.text;
    const name = named(children[1]!)[0]?.text;
    if ((root === 'var' || root === 'local') && name) return { kind: 'ref', root, name, ...at };
  }
  if (children.length !== 1) return { kind: 'other', text: node.text, ...at };
  switch (first.type) {
    case 'literal_value': {
      const literal = named(first)[0];
      if (literal?.type === 'string_lit') {
        if (named(literal).some((c) => c.type !== 'quoted_template_start' && c.type !== 'quoted_template_end' && c.type !== 'template_literal')) break;
        return { kind: 'string', value: stringValue(literal), ...at };
      }
      if (literal?.type === 'numeric_lit') return { kind: 'number', value: literal.text, ...at };
      if (literal?.type === 'bool_lit') return { kind: 'bool', value: literal.text, ...at };
      break;
    }
    case 'conditional': {
      const [, whenTrue, whenFalse] = named(first);
      if (whenTrue && whenFalse) return { kind: 'conditional', branches: [toExpr(whenTrue), toExpr(whenFalse)], ...at };
      break;
    }
    case 'template_expr': {
      // "${var.x}": the interpolation alone is the value.
      const template = named(first)[0];
      const parts = template ? named(template).filter((c) => c.type !== 'quoted_template_start' && c.type !== 'quoted_template_end') : [];
      if (parts.length === 1 && parts[0]!.type === 'template_interpolation') {
        const inner = named(parts[0]!).find((c) => c.type === 'expression');
        if (inner) {
          const value = toExpr(inner);
          if (value.kind === 'ref' || value.kind === 'conditional') return { ...value, ...at };
        }
      }
      break;
    }
  }
  return { kind: 'other', text: node.text, ...at };
}

function syntaxProblems(root: Node, lines: LineIndex): SyntaxProblem[] {
  if (!root.hasError) return [];
  const problems: SyntaxProblem[] = [];
  const visit = (node: Node) => {
    if (problems.length >= 10) return;
    if (node.type === 'ERROR' || node.isMissing) {
      problems.push(lines.position(node.startIndex));
      return;
    }
    if (node.hasError) for (const child of node.children) if (child) visit(child);
  };
  visit(root);
  return problems;
}
