/** What one make (not recipe) logical line is, its comment already cut off. */
export type MakeStatement =
  | { readonly kind: 'assignment'; readonly name: string; readonly op: string; readonly valueStart: number }
  | { readonly kind: 'rule'; readonly recipeAt?: number; readonly variable?: { readonly name: string; readonly valueStart: number } }
  | { readonly kind: 'directive' }
  /** Only references and function calls (`$(eval …)`, `$(info …)`): valid, expands to nothing or to makefile text. */
  | { readonly kind: 'call' }
  /** What make rejects with "missing separator". */
  | { readonly kind: 'invalid' };

const DIRECTIVES = /^(-?include|sinclude|vpath|export|unexport|undefine|load|-load|override|private)(\s|$)/;
const MODIFIERS = /^((override|export|private)\s+)*/;

export function classify(code: string): MakeStatement {
  const body = code.trim();
  for (let i = 0; i < code.length; i++) {
    const c = code[i];
    if (c === '$') {
      i = referenceEnd(code, i) - 1;
      continue;
    }
    if (c === '=' || (c === ':' && code[i + 1] === '=') || (c === ':' && code.startsWith(':=', i + 1)) || (c === ':' && code.startsWith('::=', i + 1))) {
      const opStart = c === '=' && i > 0 && '?+!'.includes(code[i - 1]!) ? i - 1 : i;
      const opEnd = code.indexOf('=', i) + 1;
      const name = code.slice(0, opStart).trim().replace(MODIFIERS, '');
      return { kind: 'assignment', name, op: code.slice(opStart, opEnd), valueStart: opEnd };
    }
    if (c === ':') return rule(code, code[i + 1] === ':' ? i + 2 : i + 1);
  }
  if (DIRECTIVES.test(body)) return { kind: 'directive' };
  if (/^(\$(\(|\{)?)/.test(body) && onlyReferences(body)) return { kind: 'call' };
  return { kind: 'invalid' };
}

function rule(code: string, from: number): MakeStatement {
  for (let i = from; i < code.length; i++) {
    const c = code[i];
    if (c === '$') {
      i = referenceEnd(code, i) - 1;
      continue;
    }
    if (c === ';') return { kind: 'rule', recipeAt: i + 1 };
    if (c === '=') {
      // `target: VAR = value` sets a variable for that target; it starts no recipe.
      const opStart = i > 0 && '?+!:'.includes(code[i - 1]!) ? i - 1 : i;
      return { kind: 'rule', variable: { name: code.slice(from, opStart).trim().replace(MODIFIERS, ''), valueStart: i + 1 } };
    }
  }
  return { kind: 'rule' };
}

/** The end (exclusive) of the make reference starting with the `$` at `i`: `$$`, `$@`, `$(…)`, `${…}`. */
export function referenceEnd(text: string, i: number): number {
  const open = text[i + 1];
  if (open !== '(' && open !== '{') return Math.min(i + 2, text.length);
  const close = matchingClose(text, i + 1);
  return close < 0 ? text.length : close + 1;
}

/**
 * The index of the bracket that closes the one at `open`, or -1. Make counts only brackets of the
 * reference's own kind, so `$(shell echo ${x})` and `$(shell (cd a && ls))` both close at the end.
 */
export function matchingClose(text: string, open: number, end = text.length): number {
  const opener = text[open]!;
  const closer = opener === '(' ? ')' : '}';
  let depth = 0;
  for (let i = open; i < end; i++) {
    if (text[i] === opener) depth++;
    else if (text[i] === closer && --depth === 0) return i;
  }
  return -1;
}

function onlyReferences(body: string): boolean {
  for (let i = 0; i < body.length; ) {
    if (/\s/.test(body[i]!)) {
      i++;
      continue;
    }
    if (body[i] !== '$') return false;
    i = referenceEnd(body, i);
  }
  return true;
}
