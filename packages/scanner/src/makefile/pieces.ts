import { ShellTextBuilder, type EmbeddedShell } from '../embedded/index.js';
import { interpreterLanguage } from '../dockerfile/interpreter.js';
import { mayMentionImds } from '../prefilter.js';
import { expandInto, expandText, type ShellCall, type Variables } from './expand.js';
import { makeLines, type MakeLine, type RuleLine } from './lines.js';
import { matchingClose } from './syntax.js';

export interface MakefileShell {
  readonly pieces: EmbeddedShell[];
  /** Host offsets of what make would reject: "missing separator", an unclosed reference or define. */
  readonly problems: number[];
}

/**
 * The shell code of a makefile: each recipe line (each recipe, under `.ONESHELL:`), and each
 * `$(shell …)` call, in the shell make runs them with, `$` written `$$`.
 */
export function makefileShell(host: string): MakefileShell {
  const { lines, unclosed } = makeLines(host);
  const problems = [...unclosed];
  const variables = variablesOf(host, lines);
  const language = interpreterLanguage(expandText(variables.get('SHELL') ?? '/bin/sh', variables).trim().split(/\s+/)[0] ?? '');
  if (!language) return { pieces: [], problems };
  const oneShell = lines.some((l) => l.kind === 'make' && l.statement !== 'conditional' && l.statement !== 'define' && l.statement.kind === 'rule' && /^\.ONESHELL\b/.test(host.slice(l.start, l.code).trim()));
  const pieces: EmbeddedShell[] = [];
  const shellCalls: { call: ShellCall; context: string }[] = [];

  const recipes = lines.filter((l): l is Extract<MakeLine, { kind: 'recipe' }> => l.kind === 'recipe');
  const groups = oneShell ? groupByRule(recipes) : recipes.map((r) => [r]);
  for (const group of groups) {
    const rule = group[0]!.rule;
    const builder = exportedPrelude(host, lines, variables, group[0]!.start);
    const onShell = (call: ShellCall) => shellCalls.push({ call, context: `runs when make expands the recipe for ${rule.targets}` });
    group.forEach((line, n) => {
      if (n > 0) builder.verbatim(group[n - 1]!.end, host.slice(group[n - 1]!.end, group[n - 1]!.end + 1));
      expandInto(builder, host, commandStart(host, line, rule), line.end, variables, onShell, line.prefix);
    });
    if (builder.length === 0) continue;
    pieces.push(builder.build({ context: `in the recipe for ${rule.targets}`, language, escape: recipeEscape(oneShell ? group[0]!.prefix : undefined) }));
  }

  for (const line of lines) {
    if (line.kind !== 'make' || line.statement === 'define') continue;
    if (line.statement === 'conditional') {
      // `ifeq ($(shell …),…)` runs its shell when make reads the line.
      expandInto(new ShellTextBuilder(), host, line.start, line.code, variables, (call) => shellCalls.push({ call, context: 'runs when make reads this line' }));
      continue;
    }
    const statement = line.statement;
    if (statement.kind === 'invalid') problems.push(line.start);
    problems.push(...unclosedReferences(host, line.start, line.code));
    const assigned = statement.kind === 'assignment' ? statement : statement.kind === 'rule' ? statement.variable : undefined;
    const context = assigned ? `runs when make expands ${assigned.name}` : 'runs when make reads this line';
    // `VAR != command` runs the (expanded) value in a shell.
    if (statement.kind === 'assignment' && statement.op === '!=') {
      shellCalls.push({ call: { from: valueStart(host, line.start + statement.valueStart, line.code), to: line.code }, context });
      continue;
    }
    // An inline recipe (`target: ; command`) was read as a recipe above.
    const end = statement.kind === 'rule' && statement.recipeAt !== undefined ? line.start + statement.recipeAt - 1 : line.code;
    expandInto(new ShellTextBuilder(), host, line.start, end, variables, (call) => shellCalls.push({ call, context }));
  }

  for (const { call, context } of shellCalls) {
    const builder = new ShellTextBuilder();
    expandInto(builder, host, call.from, call.to, variables, (inner) => shellCalls.push({ call: inner, context }));
    pieces.push(builder.build({ context, language, escape: valueEscape }));
  }
  return { pieces: pieces.sort((a, b) => a.toHost(0) - b.toHost(0)), problems: problems.sort((a, b) => a - b) };
}

/** A recipe line's command: after the recipe prefix, blanks, and the `@`, `-` and `+` prefixes make strips. */
function commandStart(host: string, line: Extract<MakeLine, { kind: 'recipe' }>, rule: RuleLine): number {
  let i = line.start === rule.inlineRecipe ? line.start : line.start + line.prefix.length;
  while (i < line.end && /[ \t@+-]/.test(host[i]!)) i++;
  return i;
}

/**
 * Fix text for a recipe: `$` is written `$$`. Each recipe line is its own shell, so a command a fix
 * puts before another joins it on the same line with `; ` (under `.ONESHELL:` it may be a line of
 * its own, with the recipe prefix).
 */
function recipeEscape(oneShellPrefix: string | undefined) {
  return (text: string) => {
    const line = oneShellPrefix === undefined && /\n$/.test(text) ? text.replace(/^[ \t]+/, '') : text;
    const joined = oneShellPrefix === undefined ? line.replace(/\r?\n/g, '; ') : line.replace(/\r?\n/g, (eol) => `${eol}${oneShellPrefix}`);
    return joined.replaceAll('$', '$$$$');
  };
}

/** Fix text inside `$(shell …)` or a `!=` value: one line, `$$`, and no `#`, which would start a comment. */
function valueEscape(text: string): string | undefined {
  const line = /\n$/.test(text) ? text.replace(/^[ \t]+/, '') : text;
  if (line.includes('#')) return undefined;
  return line.replace(/\r?\n/g, '; ').replaceAll('$', '$$$$');
}

/**
 * `NAME="value"` lines for the variables make exports to recipes (`export NAME := …`) that name
 * the metadata service, so that `$$NAME` in a recipe resolves; mapped to where each is set.
 */
function exportedPrelude(host: string, lines: readonly MakeLine[], variables: Variables, before: number): ShellTextBuilder {
  const builder = new ShellTextBuilder();
  for (const line of lines) {
    if (line.start >= before) break;
    if (line.kind !== 'make' || line.statement === 'conditional' || line.statement === 'define' || line.statement.kind !== 'assignment') continue;
    if (!/^\s*((override|private)\s+)*export\s/.test(host.slice(line.start, line.code))) continue;
    const value = variables.get(line.statement.name);
    if (value === undefined) continue;
    const expanded = expandText(value, variables);
    if (!mayMentionImds(expanded)) continue;
    builder.decoded(line.start, line.code, `${line.statement.name}="${expanded.replace(/["\\`$]/g, '\\$&')}"\n`);
  }
  return builder;
}

function variablesOf(host: string, lines: readonly MakeLine[]): Variables {
  const values = new Map<string, string | undefined>();
  for (const line of lines) {
    if (line.kind !== 'make' || line.statement === 'conditional') continue;
    if (line.statement === 'define') {
      const name = host.slice(line.start, line.code).trim().split(/\s+/).at(-1)!;
      values.set(name, undefined);
      continue;
    }
    if (line.statement.kind !== 'assignment') continue;
    const { name, op } = line.statement;
    // Set twice, appended to, or the output of a command: more than one value or none we know.
    const once = !values.has(name) && op !== '+=' && op !== '!=';
    values.set(name, once ? host.slice(valueStart(host, line.start + line.statement.valueStart, line.code), line.code).replace(/\\\r?\n\s*/g, ' ').trimEnd() : undefined);
  }
  return values;
}

function valueStart(host: string, from: number, to: number): number {
  let i = from;
  while (i < to && (host[i] === ' ' || host[i] === '\t')) i++;
  return i;
}

function groupByRule(recipes: readonly Extract<MakeLine, { kind: 'recipe' }>[]) {
  const groups = new Map<RuleLine, Extract<MakeLine, { kind: 'recipe' }>[]>();
  for (const r of recipes) groups.set(r.rule, [...(groups.get(r.rule) ?? []), r]);
  return [...groups.values()];
}

/** `$(` and `${` in `[from, to)` that nothing closes. */
function unclosedReferences(host: string, from: number, to: number): number[] {
  const out: number[] = [];
  for (let i = from; i < to; i++) {
    if (host[i] !== '$') continue;
    if (host[i + 1] === '$') {
      i++;
      continue;
    }
    if (host[i + 1] !== '(' && host[i + 1] !== '{') continue;
    const close = matchingClose(host, i + 1, to);
    if (close < 0) {
      out.push(i);
      break;
    }
    i = close;
  }
  return out;
}
