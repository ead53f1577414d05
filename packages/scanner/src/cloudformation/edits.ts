import type { Edit } from '@imds-guard/core';
import { asMap, child, type Entry, type MapNode, type ScalarNode, type Syntax } from './template-node.js';

/**
 * Text edits that fix a template in place. Everything outside the edited spot stays byte for
 * byte: no round trip through a YAML or JSON printer (which reflows flow maps and comments), new
 * lines take the file's line ending, and new keys take the indentation of their siblings.
 */
export interface EditContext {
  readonly text: string;
  readonly syntax: Syntax;
  /** The line ending of the file: new lines must not mix `\n` into a CRLF file. */
  readonly eol: string;
  /** One level of indentation in this file (from a resource and its properties). */
  readonly unit: string;
}

/** What gets inserted: nested keys whose leaves are string values. */
export interface InsertTree {
  readonly [key: string]: string | InsertTree;
}

export function editContext(text: string, syntax: Syntax, resources: MapNode | undefined): EditContext {
  const eol = /\r\n/.test(text) ? '\r\n' : '\n';
  return { text, syntax, eol, unit: indentUnit(text, resources) ?? (syntax === 'json' ? '    ' : '  ') };
}

/** Replaces a scalar's value and keeps how it was written: `'optional'` → `'required'`. */
export function replaceScalar(node: ScalarNode, value: string, ctx: EditContext): Edit | undefined {
  if (node.tag || node.style === 'block') return undefined;
  const text = node.style === 'double' ? JSON.stringify(value) : node.style === 'single' ? `'${value}'` : value;
  return { start: node.start, end: node.end, text };
}

/**
 * Inserts `tree` at `path` below `from` (a resource's map). The deepest map of the path that exists
 * receives what is missing of it, so a template without `MetadataOptions` (or even without
 * `Properties`) gets the whole nested mapping. Undefined when the path runs through something
 * other than a plain mapping (an `Fn::If`, a `Ref`): no safe edit exists there.
 */
export function insertAt(from: MapNode, path: readonly string[], tree: InsertTree, ctx: EditContext): Edit[] | undefined {
  let target = from;
  let rest = [...path];
  while (rest.length > 0) {
    const next = child(target, rest[0]!);
    if (next === undefined) break;
    const map = asMap(next);
    if (!map) return undefined;
    target = map;
    rest = rest.slice(1);
  }
  const nested = rest.reduceRight<InsertTree>((inner, key) => ({ [key]: inner }), tree);
  return insertEntries(target, nested, ctx);
}

function insertEntries(target: MapNode, tree: InsertTree, ctx: EditContext): Edit[] | undefined {
  if (ctx.syntax === 'json') return insertJson(target, tree, ctx);
  return target.flow ? insertYamlFlow(target, tree) : insertYamlBlock(target, tree, ctx);
}

// --- YAML -------------------------------------------------------------------------------------

/** New keys as the last ones of a block mapping, at the column of its other keys. */
function insertYamlBlock(target: MapNode, tree: InsertTree, ctx: EditContext): Edit[] | undefined {
  const last = target.entries.at(-1);
  const first = target.entries[0];
  if (!last || !first) return undefined;
  const indent = ' '.repeat(first.keyStart - lineStart(ctx.text, first.keyStart));
  const at = lineEnd(ctx.text, lastContent(ctx.text, entryEnd(last)));
  const lines = yamlBlockLines(tree, indent, ctx.unit);
  return [{ start: at, end: at, text: lines.map((l) => ctx.eol + l).join('') }];
}

function yamlBlockLines(tree: InsertTree, indent: string, unit: string): string[] {
  return Object.entries(tree).flatMap(([key, value]) =>
    typeof value === 'string' ? [`${indent}${key}: ${yamlScalar(value)}`] : [`${indent}${key}:`, ...yamlBlockLines(value, indent + unit, unit)],
  );
}

/** Inside `{ … }`, after the last pair; nested mappings stay in flow style. */
function insertYamlFlow(target: MapNode, tree: InsertTree): Edit[] {
  const last = target.entries.at(-1);
  const text = yamlFlowPairs(tree);
  if (!last) return [{ start: target.end - 1, end: target.end - 1, text }];
  const at = entryEnd(last);
  return [{ start: at, end: at, text: `, ${text}` }];
}

function yamlFlowPairs(tree: InsertTree): string {
  return Object.entries(tree)
    .map(([key, value]) => `${key}: ${typeof value === 'string' ? yamlScalar(value) : `{${yamlFlowPairs(value)}}`}`)
    .join(', ');
}

/** Plain when YAML reads it back as the same string (`required`), quoted otherwise (`"2"`). */
function yamlScalar(value: string): string {
  return /^[A-Za-z][A-Za-z0-9_-]*$/.test(value) && !/^(true|false|yes|no|on|off|null|y|n)$/i.test(value) ? value : JSON.stringify(value);
}

// --- JSON -------------------------------------------------------------------------------------

/**
 * New properties after the last one of an object: one per line at the siblings' indentation when
 * the object spans lines, inline otherwise. The comma goes right after the last value, so a
 * comment that follows it on its line stays where it is.
 */
function insertJson(target: MapNode, tree: InsertTree, ctx: EditContext): Edit[] {
  const last = target.entries.at(-1);
  if (!last) return [{ start: target.start + 1, end: target.start + 1, text: jsonInline(tree) }];
  const valueEnd = entryEnd(last);
  const after = /^[ \t]*,/.exec(ctx.text.slice(valueEnd));
  const commaEnd = after ? valueEnd + after[0].length : valueEnd;
  const comma = after ? [] : [{ start: valueEnd, end: valueEnd, text: ',' }];
  const closingOnSameLine = !/[\r\n]/.test(ctx.text.slice(valueEnd, target.end - 1));
  if (closingOnSameLine) return [{ start: commaEnd, end: commaEnd, text: `${after ? '' : ','} ${jsonInline(tree)}` }];
  const indent = lineIndent(ctx.text, last.keyStart);
  const lines = jsonLines(tree, indent, ctx.unit);
  const at = lineEnd(ctx.text, commaEnd);
  const insertion = { text: lines.map((l) => ctx.eol + l).join('') };
  // Nothing after the value on its line: one edit, so the comma cannot land after the new lines.
  if (/^[ \t]*$/.test(ctx.text.slice(commaEnd, at))) return [{ start: commaEnd, end: commaEnd, text: (after ? '' : ',') + insertion.text }];
  return [...comma, { start: at, end: at, ...insertion }];
}

function jsonLines(tree: InsertTree, indent: string, unit: string): string[] {
  const entries = Object.entries(tree);
  return entries.flatMap(([key, value], i) => {
    const comma = i < entries.length - 1 ? ',' : '';
    if (typeof value === 'string') return [`${indent}${JSON.stringify(key)}: ${JSON.stringify(value)}${comma}`];
    return [`${indent}${JSON.stringify(key)}: {`, ...jsonLines(value, indent + unit, unit), `${indent}}${comma}`];
  });
}

function jsonInline(tree: InsertTree): string {
  return Object.entries(tree)
    .map(([key, value]) => `${JSON.stringify(key)}: ${typeof value === 'string' ? JSON.stringify(value) : `{${jsonInline(value)}}`}`)
    .join(', ');
}

// --- Text positions ---------------------------------------------------------------------------

function entryEnd(e: Entry): number {
  return e.value?.end ?? e.keyEnd;
}

function lineStart(text: string, offset: number): number {
  return text.lastIndexOf('\n', offset - 1) + 1;
}

/** The end of the line holding `offset`, before its `\r\n` or `\n`. */
function lineEnd(text: string, offset: number): number {
  const nl = text.indexOf('\n', offset);
  if (nl < 0) return text.length;
  return text[nl - 1] === '\r' ? nl - 1 : nl;
}

/** The last non-blank character before `end`: a block value's range runs on over line breaks. */
function lastContent(text: string, end: number): number {
  let i = end;
  while (i > 0 && /\s/.test(text[i - 1]!)) i--;
  return Math.max(i - 1, 0);
}

function lineIndent(text: string, offset: number): string {
  const start = lineStart(text, offset);
  return /^[ \t]*/.exec(text.slice(start))![0];
}

/**
 * The file's indentation step, read where every template has one: the properties of a resource
 * (`Type:`) are one step deeper than its logical id.
 */
function indentUnit(text: string, resources: MapNode | undefined): string | undefined {
  for (const resource of resources?.entries ?? []) {
    const body = resource.value;
    const first = body?.kind === 'map' ? body.entries[0] : undefined;
    if (!first) continue;
    if (!onlyIndentBefore(text, resource.keyStart) || !onlyIndentBefore(text, first.keyStart)) continue;
    const outer = lineIndent(text, resource.keyStart);
    const inner = lineIndent(text, first.keyStart);
    if (inner.length > outer.length && inner.startsWith(outer)) return inner.slice(outer.length);
  }
  return undefined;
}

function onlyIndentBefore(text: string, offset: number): boolean {
  return /^[ \t]*$/.test(text.slice(lineStart(text, offset), offset));
}
