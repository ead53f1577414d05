import { ShellTextBuilder, type EmbeddedShell } from '../embedded/index.js';

/** The value of a simple `{{ name }}`, when it is known and safe to write into a command. */
export type ResolveVariable = (name: string) => string | undefined;

/**
 * What the shell sees of a module argument after Ansible renders it: `{{ name }}` becomes the
 * variable's value when it resolves to one plain string, any other expression an unset shell
 * variable (`${__jinja_1}`, which the shell analyser treats as unknown, so a templated header or
 * host is never guessed), and `{% … %}` / `{# … #}` tags vanish (with Ansible's trim_blocks, the
 * newline after a block tag too). `{% raw %}` sections are kept as written. The host of the
 * returned piece is `value`.
 */
export function jinjaToShell(value: string, resolve: ResolveVariable = () => undefined): EmbeddedShell {
  const b = new ShellTextBuilder();
  let run = 0;
  let opaque = 0;
  let i = 0;
  const flush = (to: number, trimEnd: boolean) => {
    let end = to;
    if (trimEnd) while (end > run && /\s/.test(value[end - 1]!)) end--;
    b.verbatim(run, value.slice(run, end));
    if (end < to) b.decoded(end, to, '');
  };
  while (i < value.length) {
    const open = value.slice(i, i + 2);
    if (open !== '{{' && open !== '{%' && open !== '{#') {
      i++;
      continue;
    }
    const close = open === '{{' ? '}}' : open === '{%' ? '%}' : '#}';
    const end = tagEnd(value, i + 2, close);
    if (end < 0) break;
    const inner = value.slice(i + 2, end - 2);
    flush(i, inner.startsWith('-'));
    let after = end;
    const body = inner.replace(/^[-+]/, '').replace(/[-+]$/, '').trim();
    if (open === '{%' && /^raw$/.test(body)) {
      const endRaw = /\{%-?\s*endraw\s*-?%\}/.exec(value.slice(end));
      if (!endRaw) break;
      b.decoded(i, end, '').verbatim(end, value.slice(end, end + endRaw.index));
      after = end + endRaw.index + endRaw[0].length;
      b.decoded(end + endRaw.index, after, '');
    } else if (open === '{{') {
      const name = /^[A-Za-z_][A-Za-z0-9_]*$/.test(body) ? resolve(body) : undefined;
      b.decoded(i, end, name ?? `\${__jinja_${++opaque}}`);
    } else {
      b.decoded(i, end, '');
    }
    const trimAfter = inner.endsWith('-') ? /^\s*/.exec(value.slice(after))![0].length : open === '{%' && value[after] === '\n' ? 1 : 0;
    if (trimAfter > 0) b.decoded(after, after + trimAfter, '');
    i = run = after + trimAfter;
  }
  b.verbatim(run, value.slice(run));
  // Text a fix adds must not start a template of its own.
  return b.build({ escape: (text) => (/\{\{|\{%|\{#/.test(text) ? undefined : text) });
}

/** Offset just after `close`, skipping quoted strings inside the tag; -1 when unclosed. */
function tagEnd(value: string, from: number, close: string): number {
  let quote: string | undefined;
  for (let i = from; i < value.length; i++) {
    const c = value[i]!;
    if (quote) {
      if (c === '\\') i++;
      else if (c === quote) quote = undefined;
    } else if (c === '"' || c === "'") {
      quote = c;
    } else if (value.startsWith(close, i)) {
      return i + 2;
    }
  }
  return -1;
}
