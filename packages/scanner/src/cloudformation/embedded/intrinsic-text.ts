import { intrinsic, literal, type ScalarNode, type Syntax, type TemplateNode } from '../template-node.js';
import { newItemEscape } from './list-items.js';
import { MappedText } from './mapped-text.js';
import { scalarText } from './scalar-text.js';

export interface TextContext {
  readonly host: string;
  readonly syntax: Syntax;
}

/**
 * The text a template value becomes when the stack is deployed, as far as it is written in the
 * template: scalars as they are, `Fn::Sub` with `${!…}` unescaped and substitutions as placeholder
 * words, `Fn::Join` as its items joined. Values only known at deploy time (`Ref`, `Fn::GetAtt`,
 * `Fn::ImportValue`…) become a placeholder word: the shell around them is still analysed, and a
 * URL built from one is not taken for the metadata service. Undefined for anything that is not
 * text at all (a map, a list).
 */
export function valueText(node: TemplateNode | undefined, ctx: TextContext): MappedText | undefined {
  if (!node) return undefined;
  const call = intrinsic(node);
  if (!call) return node.kind === 'scalar' ? scalarText(ctx.host, node, ctx.syntax) : undefined;
  switch (call.fn) {
    case 'Fn::Sub':
      return subText(call.arg, ctx);
    case 'Fn::Join':
      return joinText(call.arg, ctx);
    default:
      return undefined;
  }
}

/** Like valueText, but a value only known at deploy time is a placeholder word, not nothing. */
export function partText(node: TemplateNode, ctx: TextContext): MappedText {
  return valueText(node, ctx) ?? MappedText.decoded(node.start, node.end, placeholder(node));
}

/** A shell word for a value CloudFormation fills in: `${AWS::Region}` → `__CFN_AWS_Region__`. */
export function placeholder(node: TemplateNode | string): string {
  const call = typeof node === 'string' ? undefined : intrinsic(node);
  const name = typeof node === 'string' ? node : call ? `${call.fn.replace(/^Fn::/, '')}_${literal(call.arg) ?? ''}` : 'VALUE';
  return `__CFN_${name.replace(/[^A-Za-z0-9]+/g, '_').replace(/_+$/, '')}__`;
}

/**
 * `Fn::Sub` in both forms: `template` or `[template, {Var: value}]`. A variable given a literal in
 * the map is that literal; every other `${Name}` (parameters, resources, pseudo parameters) is a
 * placeholder word; `${!Name}` is the text `${Name}`. Text written into the template here must
 * escape `${` the same way, which the regions' escape now does.
 */
function subText(arg: TemplateNode | undefined, ctx: TextContext): MappedText | undefined {
  const template = arg?.kind === 'seq' && !arg.tag ? arg.items[0] : arg;
  const vars = arg?.kind === 'seq' && !arg.tag ? arg.items[1] : undefined;
  if (template?.kind !== 'scalar' || template.tag) return undefined;
  const base = scalarText(ctx.host, template, ctx.syntax);
  if (!base) return undefined;
  const value = base.text;
  let out = base;
  // Right to left, so earlier offsets stay valid as the text changes length.
  // `${!` is two literal characters and the scan goes on after it, so a `${Param}` inside
  // `${!VAR:-${Param}}` is still substituted.
  const matches = [...value.matchAll(/\$\{(?:!|([^}]*)\})/g)].reverse();
  for (const m of matches) {
    const at = m.index;
    if (m[1] === undefined) {
      out = out.replace(at, at + 3, '${');
      continue;
    }
    const name = m[1].trim();
    const given = vars?.kind === 'map' ? vars.entries.find((e) => e.key === name)?.value : undefined;
    const text = literal(given) ?? placeholder(name);
    out = out.replace(at, at + m[0].length, text);
  }
  return out.withEscape((escape) => (text, at) => escape(text.replace(/\$\{/g, '${!'), at));
}

/**
 * `Fn::Join [delimiter, [items…]]`: a command may run over several items. Each string item keeps
 * its own place and escaping, so an edit that falls inside one item is written there; a new line
 * put in front of an item becomes an item of its own.
 */
function joinText(arg: TemplateNode | undefined, ctx: TextContext): MappedText | undefined {
  if (arg?.kind !== 'seq' || arg.tag || arg.items.length !== 2) return undefined;
  const delimiter = literal(arg.items[0]);
  const list = arg.items[1];
  if (delimiter === undefined || list?.kind !== 'seq' || list.tag) return undefined;
  return itemsText(list.items, delimiter, ctx);
}

/** Items joined by `delimiter` (Fn::Join, an SSM `runCommand` list joined by newlines). */
export function itemsText(items: readonly TemplateNode[], delimiter: string, ctx: TextContext): MappedText {
  let out = MappedText.empty();
  // The delimiter starts where the previous item's text ends (inside its quotes), so that text
  // added at the end of an item's line is written into that item.
  let previousEnd = items[0]?.start ?? 0;
  items.forEach((item, i) => {
    if (i > 0) out = out.concat(MappedText.decoded(previousEnd, item.start, delimiter));
    const text = partText(item, ctx);
    previousEnd = text.segments.at(-1)?.hostEnd ?? item.end;
    const plainItem = item.kind === 'scalar' && !item.tag ? (item as ScalarNode) : undefined;
    out = out.concat(plainItem ? newItemEscape(text, plainItem, delimiter, ctx) : text);
  });
  return out;
}
