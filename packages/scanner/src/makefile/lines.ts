/**
 * A makefile cut into make's logical lines, following GNU make's reading rules:
 * - a backslash before the newline (an odd number of them) continues a line;
 * - outside recipes, `#` starts a comment that runs to the end of the logical line;
 * - after a rule line, lines that start with the recipe prefix (a tab unless `.RECIPEPREFIX`
 *   says otherwise) are its recipe; blank and comment-only lines between them do not end it;
 * - the body of `define … endef` is a variable's value, not makefile syntax.
 */
import { classify, type MakeStatement } from './syntax.js';

export type MakeLine =
  | { readonly kind: 'recipe'; readonly start: number; readonly end: number; readonly rule: RuleLine; readonly prefix: string }
  | { readonly kind: 'make'; readonly start: number; readonly end: number; readonly code: number; readonly statement: MakeStatement | 'conditional' | 'define' };

/** A rule's header: where its targets are and, for `target: prereqs ; recipe`, where that recipe starts. */
export interface RuleLine {
  readonly start: number;
  readonly targets: string;
  readonly inlineRecipe?: number;
}

export interface MakeLines {
  readonly lines: MakeLine[];
  /** Offsets of `define`s that are never closed. */
  readonly unclosed: number[];
}

const CONDITIONALS = /^(ifeq|ifneq|ifdef|ifndef|else|endif)(\s|$)/;
const DEFINE = /^((override|export|private)\s+)*define(\s|$)/;

export function makeLines(text: string): MakeLines {
  const lines: MakeLine[] = [];
  const unclosed: number[] = [];
  const defines: number[] = [];
  let prefix = '\t';
  let rule: RuleLine | undefined;
  let i = 0;
  while (i < text.length) {
    const start = i;
    if (defines.length > 0) {
      const end = physicalEnd(text, i);
      const line = text.slice(i, end).trim();
      if (/^endef(\s|$)/.test(line)) defines.pop();
      else if (DEFINE.test(line)) defines.push(i);
      i = nextLine(text, end);
      continue;
    }
    if (rule && text.startsWith(prefix, i)) {
      const end = logicalEnd(text, i);
      lines.push({ kind: 'recipe', start, end, rule, prefix });
      i = nextLine(text, end);
      continue;
    }
    const end = logicalEnd(text, i);
    const code = commentStart(text, start, end);
    const body = text.slice(start, code).trim();
    i = nextLine(text, end);
    if (body === '') continue; // blank and comment-only lines leave the rule open
    if (DEFINE.test(body)) {
      lines.push({ kind: 'make', start, end, code, statement: 'define' });
      defines.push(start);
      rule = undefined;
      continue;
    }
    if (CONDITIONALS.test(body)) {
      lines.push({ kind: 'make', start, end, code, statement: 'conditional' });
      continue;
    }
    const statement = classify(text.slice(start, code));
    lines.push({ kind: 'make', start, end, code, statement });
    if (statement.kind !== 'rule' || statement.variable) {
      rule = undefined;
      if (statement.kind === 'assignment' && statement.name === '.RECIPEPREFIX') prefix = text.slice(start + statement.valueStart, code).trim()[0] ?? '\t';
      continue;
    }
    rule = { start, targets: text.slice(start, text.indexOf(':', start)).trim(), ...(statement.recipeAt !== undefined ? { inlineRecipe: start + statement.recipeAt } : {}) };
    // After the `;` the rest of the line is recipe text, `#` and all.
    if (rule.inlineRecipe !== undefined) lines.push({ kind: 'recipe', start: rule.inlineRecipe, end, rule, prefix });
  }
  unclosed.push(...defines);
  return { lines, unclosed };
}

/** The end of the logical line starting at `i` (before its newline), following continuations. */
export function logicalEnd(text: string, i: number): number {
  for (;;) {
    const end = physicalEnd(text, i);
    if (!continues(text, end) || end >= text.length) return end;
    i = end + 1;
  }
}

/** True when the physical line ending at `end` ends with an odd number of backslashes. */
export function continues(text: string, end: number): boolean {
  let n = 0;
  let j = end - (text[end - 1] === '\r' ? 2 : 1);
  while (j >= 0 && text[j] === '\\') {
    n++;
    j--;
  }
  return n % 2 === 1;
}

function physicalEnd(text: string, i: number): number {
  const eol = text.indexOf('\n', i);
  return eol < 0 ? text.length : eol;
}

function nextLine(text: string, end: number): number {
  return end >= text.length ? text.length : end + 1;
}

/** Where a comment starts in a make (not recipe) line: the first `#` not escaped by a backslash. */
function commentStart(text: string, start: number, end: number): number {
  for (let i = start; i < end; i++) {
    if (text[i] === '\\') i++;
    else if (text[i] === '#') return i;
  }
  return end;
}
