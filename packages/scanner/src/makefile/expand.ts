import type { ShellTextBuilder } from '../embedded/index.js';
import { referenceEnd } from './syntax.js';

/** The makefile's variables: a name maps to its value's make text when it is set exactly once. */
export type Variables = ReadonlyMap<string, string | undefined>;

// Automatic variables, named for what they hold; the shell sees an ordinary word in their place.
const AUTOMATIC: Record<string, string> = { '@': 'target', '<': 'prerequisite', '^': 'prerequisites', '+': 'prerequisites', '*': 'stem', '?': 'newer', '|': 'order_only', '%': 'member' };
const MAX_DEPTH = 8;

/** A `$(shell …)` call whose body runs in a shell of its own: host offsets of the body. */
export interface ShellCall {
  readonly from: number;
  readonly to: number;
}

/**
 * Adds host text `[from, to)` to `builder` as the shell will see it after make expanded it: `$$` is
 * `$`, a variable set once in the makefile to a plain value becomes that value, other references
 * and function calls become a placeholder word. `$(shell …)` calls found on the way are reported
 * to `onShell`; each runs in its own shell. In a recipe, make removes the recipe prefix that
 * starts a continuation line, and keeps the backslash and newline for the shell.
 */
export function expandInto(
  builder: ShellTextBuilder,
  host: string,
  from: number,
  to: number,
  variables: Variables,
  onShell: (call: ShellCall) => void,
  recipePrefix?: string,
): void {
  let run = from;
  const flush = (at: number) => {
    if (at > run) builder.verbatim(run, host.slice(run, at));
  };
  for (let i = from; i < to; ) {
    const c = host[i];
    if (c === '\n' && recipePrefix !== undefined && host.startsWith(recipePrefix, i + 1) && i + 1 < to) {
      flush(i + 1);
      builder.decoded(i + 1, i + 1 + recipePrefix.length, '');
      i += 1 + recipePrefix.length;
      run = i;
      continue;
    }
    if (c !== '$') {
      i++;
      continue;
    }
    flush(i);
    const end = Math.min(referenceEnd(host, i), to);
    builder.decoded(i, end, expandReference(host.slice(i, end), variables, 0, (body, bodyEnd) => onShell({ from: i + body, to: i + bodyEnd })));
    i = end;
    run = i;
  }
  flush(to);
}

/** The value a make text expands to, as far as this file tells (placeholders for the rest). */
export function expandText(text: string, variables: Variables, depth = 0): string {
  let out = '';
  for (let i = 0; i < text.length; ) {
    if (text[i] !== '$') {
      out += text[i++];
      continue;
    }
    const end = referenceEnd(text, i);
    out += expandReference(text.slice(i, end), variables, depth, () => {});
    i = end;
  }
  return out;
}

/** One reference, `$$`, `$@`, `$(NAME)`, `${NAME}`, `$(fn args)`; `onShell` gets where a shell call's body is in `ref`. */
function expandReference(ref: string, variables: Variables, depth: number, onShell: (body: number, bodyEnd: number) => void): string {
  if (ref === '$$') return '$';
  if (ref.length === 1) return '';
  const open = ref[1];
  if (open !== '(' && open !== '{') return lookup(ref[1]!, variables, depth);
  const content = ref.slice(2, -1);
  const shell = /^shell\s+/.exec(content);
  if (shell) {
    onShell(2 + shell[0].length, ref.length - 1);
    return placeholder('shell');
  }
  // `$(NAME)` and the substitution reference `$(NAME:.c=.o)`, the latter left opaque.
  if (/^[^\s:=$(){}#,]+$/.test(content)) return lookup(content, variables, depth);
  // A function call; a `$(shell …)` among its arguments still runs.
  for (let i = 2; i < ref.length - 1; i++) {
    if (ref[i] !== '$') continue;
    const end = referenceEnd(ref, i);
    const inner = /^\$[({]shell\s+/.exec(ref.slice(i, end));
    if (inner) onShell(i + inner[0].length, end - 1);
    i = end - 1;
  }
  return placeholder(content.split(/[\s,]/, 1)[0]!);
}

function lookup(name: string, variables: Variables, depth: number): string {
  const automatic = AUTOMATIC[name];
  if (automatic) return placeholder(automatic);
  const value = variables.get(name);
  if (value === undefined || depth >= MAX_DEPTH || value.includes('$(shell') || value.includes('${shell')) return placeholder(name);
  return expandText(value, variables, depth + 1);
}

/** A word the shell reads as one plain argument, naming what make would have put there. */
function placeholder(name: string): string {
  return `__make_${name.replace(/\W/g, '_')}__`;
}
