import type { LineIndex, Location } from '@imds-guard/core';
import { printable } from './terminal-text.js';

/** Lines longer than this (minified or generated) are cut to a window around the finding. */
const MAX_SHOWN = 160;
const CONTEXT_BEFORE = 40;

/**
 * The finding's first line and a caret line under its span. A span that runs onto later lines is
 * underlined to the end of its first line. Tabs are copied into the caret line so that the carets
 * stay under the code whatever the terminal's tab width.
 */
export function codeFrame(text: string, index: LineIndex, at: Location): { gutter: string; source: string; carets: string } {
  const start = index.lineStart(at.line);
  let end = text.indexOf('\n', start);
  if (end < 0) end = text.length;
  if (text[end - 1] === '\r') end--;
  const line = text.slice(start, end);

  const spanStart = Math.min(at.column - 1, line.length);
  const spanEnd = at.endLine === at.line ? Math.max(spanStart, Math.min(at.endColumn - 1, line.length)) : line.length;
  let from = 0;
  let to = line.length;
  if (line.length > MAX_SHOWN) {
    from = Math.max(0, spanStart - CONTEXT_BEFORE);
    to = Math.min(line.length, from + MAX_SHOWN);
  }
  const shown = (from > 0 ? '…' : '') + line.slice(from, to) + (to < line.length ? '…' : '');
  const lead = (from > 0 ? ' ' : '') + blankOut(line.slice(from, Math.max(from, spanStart)));
  const width = Math.max(1, codePoints(line.slice(Math.max(from, spanStart), Math.min(to, spanEnd))));
  return { gutter: String(at.line), source: printable(shown), carets: lead + '^'.repeat(width) };
}

function blankOut(s: string): string {
  let out = '';
  for (const c of s) out += c === '\t' ? '\t' : ' ';
  return out;
}

function codePoints(s: string): number {
  let n = 0;
  for (const _ of s) n++;
  return n;
}
