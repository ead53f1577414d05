import type { ScalarNode } from '../template-node.js';
import type { TextContext } from './intrinsic-text.js';
import type { MappedText } from './mapped-text.js';

/**
 * In a list of lines (`Fn::Join ["", [...]]` user data, an SSM `runCommand` list) a line put in
 * front of an item is written as an item of its own, in the item's quoting and the list's layout,
 * rather than squeezed into the item's string. Anything else inserted into the item goes through
 * the item's own escaping.
 */
export function newItemEscape(text: MappedText, item: ScalarNode, delimiter: string, ctx: TextContext): MappedText {
  const writeItem = itemWriter(item, ctx);
  if (!writeItem || (delimiter !== '' && delimiter !== '\n')) return text;
  const contentStart = item.start + (item.style === 'plain' ? 0 : 1);
  return text.withEscape((escape) => (inserted, at) => {
    if (at !== contentStart || !inserted.endsWith('\n')) return escape(inserted, at);
    const value = delimiter === '\n' ? inserted.slice(0, -1) : inserted;
    if (delimiter === '\n' && value.includes('\n')) return undefined;
    return writeItem(value);
  });
}

type ItemWriter = (value: string) => string | undefined;

/** Writes a new item before `item`: the text inserted at the start of `item`'s content. */
function itemWriter(item: ScalarNode, ctx: TextContext): ItemWriter | undefined {
  const { host } = ctx;
  const eol = host.includes('\r\n') ? '\r\n' : '\n';
  const lineStart = host.lastIndexOf('\n', item.start - 1) + 1;
  const before = host.slice(lineStart, item.start);
  if (ctx.syntax === 'json') {
    if (item.style !== 'double') return undefined;
    const sep = /^[ \t]*$/.test(before) ? `,${eol}${before}` : ', ';
    return (value) => `${JSON.stringify(value).slice(1, -1)}"${sep}"`;
  }
  const dash = /^([ \t]*)-[ \t]+$/.exec(before);
  // A block sequence item starts after `- `; a flow sequence item after `[` or `,`.
  const sep = dash ? `${eol}${dash[1]}- ` : /^[ \t]*$/.test(before) ? `,${eol}${before}` : ', ';
  const single = (value: string) => (/[\r\n]/.test(value) ? undefined : `'${value.replace(/'/g, "''")}'`);
  switch (item.style) {
    case 'plain':
      return (value) => {
        const quoted = single(value);
        return quoted === undefined ? undefined : `${quoted}${sep}`;
      };
    case 'single':
      return (value) => {
        const quoted = single(value);
        return quoted === undefined ? undefined : `${quoted.slice(1)}${sep}'`;
      };
    case 'double':
      return (value) => {
        if (/[\x00-\x08\x0b-\x1f\x7f]/.test(value)) return undefined;
        const escaped = value.replace(/[\\"]/g, (c) => `\\${c}`).replace(/\n/g, '\\n').replace(/\t/g, '\\t');
        return `${escaped}"${sep}"`;
      };
    default:
      return undefined;
  }
}
