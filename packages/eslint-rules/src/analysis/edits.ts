/**
 * Source edits that keep the file's own formatting: a property added to an object literal on its
 * own line (with the neighbours' indentation) or inline, an argument appended to a call, the
 * file's quote character.
 */
import { AST_NODE_TYPES as T, type TSESLint, type TSESTree } from '@typescript-eslint/utils';
import { unwrap, type Node } from './values.js';

type SourceCode = Readonly<TSESLint.SourceCode>;

export interface TextEdit {
  readonly range: readonly [number, number];
  readonly text: string;
}

/** The quote the file uses for its strings (the first string literal decides; `'` by default). */
export function quoteOf(sourceCode: SourceCode): string {
  const first = sourceCode.ast.tokens.find((t) => t.type === 'String');
  return first?.value.startsWith('"') ? '"' : "'";
}

export function quote(sourceCode: SourceCode, value: string): string {
  const q = quoteOf(sourceCode);
  return q + value.replace(/\\/g, '\\\\').replace(new RegExp(q, 'g'), `\\${q}`) + q;
}

/** A property name as source: bare when it is an identifier, quoted otherwise. */
export function propertyKey(sourceCode: SourceCode, name: string): string {
  return /^[A-Za-z_$][\w$]*$/.test(name) ? name : quote(sourceCode, name);
}

function indentOf(sourceCode: SourceCode, line: number): string {
  return /^\s*/.exec(sourceCode.lines[line - 1] ?? '')![0];
}

/** Adds `text` (a `key: value` pair) as the last property of an object literal. */
export function insertProperty(sourceCode: SourceCode, object: TSESTree.ObjectExpression, text: string): TextEdit {
  const last = object.properties[object.properties.length - 1];
  if (!last) {
    const inner = sourceCode.text.slice(object.range[0] + 1, object.range[1] - 1);
    if (inner.includes('\n')) {
      const indent = indentOf(sourceCode, object.loc.start.line);
      return { range: [object.range[0], object.range[1]], text: `{\n${indent}  ${text},\n${indent}}` };
    }
    return { range: [object.range[0], object.range[1]], text: `{ ${text} }` };
  }
  const after = sourceCode.getTokenAfter(last)!;
  const multiline = last.loc.end.line !== object.loc.end.line;
  if (multiline) {
    const indent = indentOf(sourceCode, last.loc.start.line);
    if (after.value === ',') return { range: [after.range[1], after.range[1]], text: `\n${indent}${text},` };
    return { range: [last.range[1], last.range[1]], text: `,\n${indent}${text}` };
  }
  if (after.value === ',') return { range: [after.range[1], after.range[1]], text: ` ${text},` };
  return { range: [last.range[1], last.range[1]], text: `, ${text}` };
}

/** Makes argument `index` of a call `text`, passing `undefined` for missing arguments before it. */
export function appendArgument(sourceCode: SourceCode, call: TSESTree.CallExpression | TSESTree.NewExpression, index: number, text: string): TextEdit | undefined {
  const n = call.arguments.length;
  if (n > index) return undefined;
  const fill = 'undefined, '.repeat(index - n);
  const close = sourceCode.getLastToken(call)!;
  if (close.value !== ')') return undefined;
  if (n === 0) return { range: [close.range[0], close.range[0]], text: `${fill}${text}` };
  const lastArg = call.arguments[n - 1]!;
  const before = sourceCode.getTokenBefore(close)!;
  if (before.value === ',') return { range: [before.range[1], before.range[1]], text: ` ${fill}${text}` };
  return { range: [lastArg.range[1], lastArg.range[1]], text: `, ${fill}${text}` };
}

/** Inserts `text` as a new argument right before argument `index` (a callback that must stay last). */
export function insertArgumentBefore(call: TSESTree.CallExpression, index: number, text: string): TextEdit {
  const arg = call.arguments[index]!;
  return { range: [arg.range[0], arg.range[0]], text: `${text}, ` };
}

/** The object literal a node is, without following bindings (only a literal in place can be edited). */
export function literalObject(node: Node | undefined): TSESTree.ObjectExpression | undefined {
  if (!node) return undefined;
  const n = unwrap(node);
  return n.type === T.ObjectExpression ? n : undefined;
}

export function findProperty(object: TSESTree.ObjectExpression, name: string): TSESTree.Property | undefined {
  for (const p of object.properties) {
    if (p.type !== T.Property || p.computed) continue;
    const key = p.key.type === T.Identifier ? p.key.name : p.key.type === T.Literal ? String(p.key.value) : undefined;
    if (key === name) return p;
  }
  return undefined;
}

/** Applies edits that lie inside `range` to the text of that range. */
export function applyWithin(sourceCode: SourceCode, range: readonly [number, number], edits: readonly TextEdit[]): string {
  let text = sourceCode.text.slice(range[0], range[1]);
  for (const e of [...edits].sort((a, b) => b.range[0] - a.range[0])) {
    text = text.slice(0, e.range[0] - range[0]) + e.text + text.slice(e.range[1] - range[0]);
  }
  return text;
}
