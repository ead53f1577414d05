/**
 * Small helpers over the tree-sitter HCL (terraform dialect) syntax tree. The grammar has no field
 * names, so the parts of a block or an attribute are found by node type. Only the blocks an
 * analysis needs are ever visited: a file is never walked node by node from JavaScript.
 */
import type { Node } from 'web-tree-sitter';

/** A block: `resource "aws_instance" "web" { … }`, `metadata_options { … }`, `dynamic "x" { … }`. */
export interface Block {
  readonly node: Node;
  /** `resource`, `metadata_options`, … */
  readonly type: string;
  /** The label strings, unquoted. */
  readonly labels: readonly string[];
  /** Absent for an empty block (`metadata_options {}`). */
  readonly body: Node | undefined;
  readonly open: Node;
  readonly close: Node;
}

export interface Attribute {
  readonly node: Node;
  readonly name: string;
  readonly value: Node;
}

const children = (node: Node): Node[] => node.children.filter((c): c is Node => c !== null);
const namedChildren = (node: Node): Node[] => node.namedChildren.filter((c): c is Node => c !== null);

export function childrenOf(node: Node): Node[] {
  return children(node);
}

export function namedChildrenOf(node: Node): Node[] {
  return namedChildren(node);
}

/** The body of a config file (its top level), if the file has any content. */
export function fileBody(root: Node): Node | undefined {
  return namedChildren(root).find((c) => c.type === 'body');
}

export function asBlock(node: Node): Block | undefined {
  if (node.type !== 'block') return undefined;
  let type: string | undefined;
  const labels: string[] = [];
  let body: Node | undefined;
  let open: Node | undefined;
  let close: Node | undefined;
  for (const child of children(node)) {
    switch (child.type) {
      case 'identifier':
        if (type === undefined) type = child.text;
        else labels.push(child.text);
        break;
      case 'string_lit':
        labels.push(stringLiteralValue(child) ?? '');
        break;
      case 'block_start':
        open = child;
        break;
      case 'body':
        body = child;
        break;
      case 'block_end':
        close = child;
        break;
    }
  }
  if (type === undefined || !open || !close) return undefined;
  return { node, type, labels, body, open, close };
}

export function asAttribute(node: Node): Attribute | undefined {
  if (node.type !== 'attribute') return undefined;
  const parts = namedChildren(node);
  const name = parts.find((c) => c.type === 'identifier');
  const value = parts.find((c) => c.type === 'expression');
  if (!name || !value) return undefined;
  return { node, name: name.text, value };
}

/** The blocks directly inside a body (not nested deeper). */
export function blocksIn(body: Node | undefined, type?: string): Block[] {
  if (!body) return [];
  const out: Block[] = [];
  for (const child of namedChildren(body)) {
    const block = asBlock(child);
    if (block && (type === undefined || block.type === type)) out.push(block);
  }
  return out;
}

/** The attributes directly inside a body, by name (the first one wins, as Terraform rejects duplicates). */
export function attributesIn(body: Node | undefined): Map<string, Attribute> {
  const out = new Map<string, Attribute>();
  if (!body) return out;
  for (const child of namedChildren(body)) {
    const attribute = asAttribute(child);
    if (attribute && !out.has(attribute.name)) out.set(attribute.name, attribute);
  }
  return out;
}

/** Statements of a body that are attributes or blocks, in order (comments left out). */
export function statementsIn(body: Node | undefined): Node[] {
  if (!body) return [];
  return namedChildren(body).filter((c) => c.type === 'attribute' || c.type === 'block');
}

/**
 * The value of a plain string literal (`"required"`), escapes decoded; undefined for anything
 * with an interpolation or directive.
 */
export function stringLiteralValue(node: Node): string | undefined {
  if (node.type !== 'string_lit') return undefined;
  let out = '';
  for (const child of namedChildren(node)) {
    if (child.type === 'template_literal') out += unescapeHcl(child.text);
    else if (child.type !== 'quoted_template_start' && child.type !== 'quoted_template_end') return undefined;
  }
  return out;
}

const ESCAPES: Record<string, string> = { n: '\n', r: '\r', t: '\t', '"': '"', '\\': '\\' };

/** HCL string escapes (`\n`, `\"`, `\uNNNN`, `$${`, `%%{`). */
export function unescapeHcl(raw: string): string {
  return raw
    .replace(/\\(?:u([0-9a-fA-F]{4})|U([0-9a-fA-F]{8})|(.))/g, (m, u4: string, u8: string, c: string) => {
      if (u4 || u8) return String.fromCodePoint(parseInt(u4 ?? u8, 16));
      return ESCAPES[c] ?? m;
    })
    .replace(/\$\$\{/g, '${')
    .replace(/%%\{/g, '%{');
}

/**
 * A traversal as written: `var.x`, `aws_launch_template.web.id`, `local.m["k"]`. Undefined when the
 * expression is anything else. Index keys that are literals are kept as names.
 */
export function traversalOf(expression: Node): string[] | undefined {
  const parts = children(expression);
  const root = parts[0];
  if (!root || root.type !== 'variable_expr') return undefined;
  const path = [root.text];
  for (const part of parts.slice(1)) {
    if (part.type === 'get_attr') {
      const name = namedChildren(part).find((c) => c.type === 'identifier');
      if (!name) return undefined;
      path.push(name.text);
    } else if (part.type === 'index') {
      const key = indexKey(part);
      if (key === undefined) return undefined;
      path.push(key);
    } else {
      return undefined;
    }
  }
  return path;
}

/** The literal key of `[0]` or `["k"]`; undefined for a computed index. */
export function indexKey(index: Node): string | undefined {
  const inner = namedChildren(index)[0];
  if (!inner) return undefined;
  if (inner.type === 'legacy_index') {
    const digits = inner.text.replace(/^\./, '');
    return /^\d+$/.test(digits) ? digits : undefined;
  }
  const expr = namedChildren(inner).find((c) => c.type === 'expression');
  const literal = expr && namedChildren(expr)[0];
  if (!literal || literal.type !== 'literal_value') return undefined;
  const value = namedChildren(literal)[0];
  if (!value) return undefined;
  if (value.type === 'numeric_lit') return value.text;
  return stringLiteralValue(value);
}

/** The expression text, shortened for a message. */
export function describeExpression(node: Node, max = 80): string {
  const text = node.text.replace(/\s+/g, ' ').trim();
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

/** The indentation of the line `offset` is on (its leading spaces and tabs). */
export function lineIndent(text: string, offset: number): string {
  const start = text.lastIndexOf('\n', offset - 1) + 1;
  let end = start;
  while (end < text.length && (text[end] === ' ' || text[end] === '\t')) end++;
  return text.slice(start, end);
}

/** True when only spaces and tabs precede `offset` on its line. */
export function startsLine(text: string, offset: number): boolean {
  const start = text.lastIndexOf('\n', offset - 1) + 1;
  return /^[ \t]*$/.test(text.slice(start, offset));
}

/** The file's line ending: CRLF if it uses it anywhere, else LF. */
export function lineEnding(text: string): string {
  return text.includes('\r\n') ? '\r\n' : '\n';
}
