import type { Node } from 'web-tree-sitter';
import { namedChildren, unwrap } from './syntax.js';
import type { FunctionParameter } from './values.js';

/** The functions a script defines, by the lower-case name they are called with. */
export function functionsByName(functions: readonly Node[]): Map<string, Node> {
  const byName = new Map<string, Node>();
  for (const fn of functions) {
    const name = fn.namedChildren.find((c) => c?.type === 'function_name')?.text.toLowerCase();
    if (name) byName.set(name, fn);
  }
  return byName;
}

/**
 * What a call passes to a script function's parameters, by PowerShell's rules: `-Name value` or
 * `-Name:value` (a unique prefix is enough), switches take no value, and the remaining arguments
 * fill the other parameters in the order they are declared. Undefined when the call splats
 * (`@args`): we cannot tell what it passes.
 */
export function bindCall(command: Node, parameters: readonly FunctionParameter[]): Map<string, Node> | undefined {
  const elements = command.childForFieldName('command_elements');
  const items = elements ? namedChildren(elements).filter((c) => c.type !== 'command_argument_sep' && c.type !== 'redirection') : [];
  const bound = new Map<string, Node>();
  const positional: Node[] = [];
  for (let i = 0; i < items.length; i++) {
    const item = items[i]!;
    if (unwrap(item).type === 'variable' && item.text.startsWith('@')) return undefined;
    if (item.type !== 'command_parameter') {
      positional.push(item);
      continue;
    }
    const given = item.text.replace(/^-/, '').replace(/:$/, '').toLowerCase();
    const exact = parameters.find((p) => p.name === given);
    const prefixed = parameters.filter((p) => p.name.startsWith(given));
    const parameter = exact ?? (prefixed.length === 1 ? prefixed[0] : undefined);
    const next = items[i + 1];
    if (parameter && !parameter.isSwitch && next && next.type !== 'command_parameter') {
      bound.set(parameter.name, next);
      i++;
    }
  }
  const open = parameters.filter((p) => !p.isSwitch && !bound.has(p.name));
  positional.forEach((value, i) => {
    if (open[i]) bound.set(open[i]!.name, value);
  });
  return bound;
}
