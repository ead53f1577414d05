/**
 * The edits behind the Terraform fixes, written in the file's own style: its indentation (spaces
 * or tabs), its line ending, and `terraform fmt` alignment of `=` where the neighbours are aligned.
 * Everything outside the edited range stays byte for byte. A one-line block (`x { a = 1 }`, `{}`)
 * can hold only one argument in HCL, so adding to one spreads it over several lines.
 */
import type { Edit } from '@imds-guard/core';
import type { Node } from 'web-tree-sitter';
import { childrenOf, lineEnding, lineIndent, namedChildrenOf, startsLine, statementsIn, type Block } from './hcl.js';
import type { LiteralSite } from './values.js';

/** Replaces a literal (`"optional"`, `1`) with `value`, keeping a number a number. */
export function replaceLiteral(site: LiteralSite, value: string): Edit {
  const quoted = site.node.type === 'string_lit' || !/^\d+$/.test(value);
  return { start: site.node.startIndex, end: site.node.endIndex, text: quoted ? `"${value}"` : value };
}

/** One indentation step of the file: what a nested line adds to its parent's indentation. */
function indentUnit(text: string, parent: Node, firstChild: Node | undefined): string {
  const outer = lineIndent(text, parent.startIndex);
  if (firstChild && startsLine(text, firstChild.startIndex)) {
    const inner = lineIndent(text, firstChild.startIndex);
    if (inner.length > outer.length && inner.startsWith(outer)) return inner.slice(outer.length);
  }
  return outer.includes('\t') ? '\t' : '  ';
}

const sameLine = (text: string, from: number, to: number) => !text.slice(from, to).includes('\n');

/**
 * `key = value` as the first line inside a block (`metadata_options { … }`), indented like the
 * block's arguments and `=`-aligned with the argument right below it when that one is aligned.
 */
export function insertAttribute(text: string, block: Block, key: string, value: string): Edit[] {
  const eol = lineEnding(text);
  const statements = statementsIn(block.body);
  const indent = lineIndent(text, block.node.startIndex);
  const inner = indent + indentUnit(text, block.node, statements[0]);
  const line = `${key} = ${value}`;
  if (sameLine(text, block.open.endIndex, block.close.startIndex)) {
    const only = statements.length === 1 && statements[0]!.type === 'attribute' ? alignedLike(text, statements[0]!, key, value) : undefined;
    return spreadOneLine(text, block.open, block.close, statements, indent, inner, [only ?? line], 'first');
  }
  const at = text.indexOf('\n', block.open.endIndex) + 1;
  const first = statements[0];
  let padded = line;
  if (first && first.type === 'attribute' && first.startIndex >= at && sameLine(text, at, first.startIndex)) {
    padded = alignedLike(text, first, key, value) ?? line;
  }
  const ownIndent = first && startsLine(text, first.startIndex) && sameLine(text, at, first.startIndex) ? lineIndent(text, first.startIndex) : inner;
  return [{ start: at, end: at, text: `${ownIndent}${padded}${eol}` }];
}

/** `key   = value`, padded so its `=` lines up with the `=` of `neighbour` (terraform fmt style). */
function alignedLike(text: string, neighbour: Node, key: string, value: string): string | undefined {
  const equals = childrenOf(neighbour).find((c) => c.type === '=');
  if (!equals || !sameLine(text, neighbour.startIndex, equals.startIndex)) return undefined;
  const width = equals.startIndex - neighbour.startIndex - 1;
  return `${key.padEnd(Math.max(width, key.length))} = ${value}`;
}

/**
 * A nested block (given as lines indented by two spaces per level) before the closing brace of
 * `block`, one indentation step in, after a blank line when the line above holds an argument.
 */
export function insertNestedBlock(text: string, block: Block, lines: readonly string[]): Edit[] {
  const eol = lineEnding(text);
  const statements = statementsIn(block.body);
  const indent = lineIndent(text, block.node.startIndex);
  const unit = indentUnit(text, block.node, statements[0]);
  const inner = indent + unit;
  const reindented = lines.map((l) => {
    const depth = (l.length - l.trimStart().length) / 2;
    return inner + unit.repeat(depth) + l.trimStart();
  });
  if (sameLine(text, block.open.endIndex, block.close.startIndex)) {
    return spreadOneLine(text, block.open, block.close, statements, indent, inner, reindented.map((l) => l.slice(inner.length)), 'last');
  }
  if (startsLine(text, block.close.startIndex)) {
    const at = text.lastIndexOf('\n', block.close.startIndex - 1) + 1;
    const above = text.slice(text.lastIndexOf('\n', at - 2) + 1, at).trim();
    const blank = above !== '' && !above.endsWith('{') ? eol : '';
    return [{ start: at, end: at, text: blank + reindented.map((l) => l + eol).join('') }];
  }
  return [{ start: block.close.startIndex, end: block.close.startIndex, text: eol + reindented.join(eol) + eol + indent }];
}

/**
 * Rewrites `{ a = 1 }` or `{}` so that it holds the new lines as well: the block is spread over
 * several lines, the existing argument keeps its text.
 */
function spreadOneLine(text: string, open: Node, close: Node, statements: readonly Node[], indent: string, inner: string, added: readonly string[], where: 'first' | 'last'): Edit[] {
  const eol = lineEnding(text);
  const newLines = added.map((l) => inner + l).join(eol);
  const first = statements[0];
  const last = statements[statements.length - 1];
  if (!first || !last) return [{ start: open.endIndex, end: close.startIndex, text: eol + newLines + eol + indent }];
  if (where === 'first') {
    return [
      { start: open.endIndex, end: first.startIndex, text: eol + newLines + eol + inner },
      { start: last.endIndex, end: close.startIndex, text: eol + indent },
    ];
  }
  return [
    { start: open.endIndex, end: first.startIndex, text: eol + inner },
    { start: last.endIndex, end: close.startIndex, text: eol + newLines + eol + indent },
  ];
}

/** `key = value` as the first element of an object expression (`metadata_options = { … }`). */
export function insertObjectElement(text: string, object: Node, key: string, value: string): Edit[] {
  const parts = childrenOf(object);
  const start = parts.find((p) => p.type === 'object_start');
  const end = parts.find((p) => p.type === 'object_end');
  if (!start || !end) return [];
  const elements = namedChildrenOf(object).filter((c) => c.type === 'object_elem');
  const first = elements[0];
  if (sameLine(text, start.endIndex, end.startIndex)) {
    if (!first) return [{ start: start.endIndex, end: end.startIndex, text: ` ${key} = ${value} ` }];
    return [{ start: start.endIndex, end: start.endIndex, text: ` ${key} = ${value},` }];
  }
  const eol = lineEnding(text);
  const at = text.indexOf('\n', start.endIndex) + 1;
  const indent = lineIndent(text, object.startIndex);
  const unit = indentUnit(text, object, first);
  const onNextLine = first && startsLine(text, first.startIndex) && sameLine(text, at, first.startIndex);
  const ownIndent = onNextLine ? lineIndent(text, first.startIndex) : indent + unit;
  const aligned = onNextLine ? alignedLike(text, first, key, value) : undefined;
  // Elements written with trailing commas get one too.
  const comma = first && text.slice(first.endIndex).trimStart().startsWith(',') ? ',' : '';
  return [{ start: at, end: at, text: `${ownIndent}${aligned ?? `${key} = ${value}`}${comma}${eol}` }];
}
