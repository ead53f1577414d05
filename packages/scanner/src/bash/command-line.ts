import { basename } from 'node:path';
import type { Node } from 'web-tree-sitter';
import { isResolved, type ArgItem, type Evaluator } from './evaluate.js';

/** The program a command really runs, once wrappers such as `sudo` or `timeout 5` are peeled off. */
export interface ResolvedCommand {
  readonly command: Node;
  readonly name: string;
  /** The word that names the program (where a fix inserts options after it). */
  readonly nameItem: ArgItem;
  readonly args: ArgItem[];
  readonly wrappers: readonly string[];
}

/** Shell code held in a string or a heredoc, run by `eval` or `sh -c`, or written to a script. */
export interface EmbeddedScript {
  readonly command: Node;
  readonly text: string;
  /** Maps an offset in `text` to the source, when every character can be traced back. */
  readonly mapOffset?: (offset: number) => number;
  /** Whether edits inside the text can be applied to the source as they are. */
  readonly fixable: boolean;
}

// Options that take a value, per wrapper, so that the value is not taken for the wrapped program.
const WRAPPERS: Record<string, { valued: Set<string>; positional?: number }> = {
  sudo: { valued: new Set(['-u', '-g', '-h', '-p', '-C', '-D', '-r', '-t', '-U', '-T', '--user', '--group', '--prompt']) },
  doas: { valued: new Set(['-u', '-C']) },
  timeout: { valued: new Set(['-s', '-k', '--signal', '--kill-after']), positional: 1 },
  env: { valued: new Set(['-u', '--unset', '-C', '--chdir', '-S']) },
  command: { valued: new Set() },
  builtin: { valued: new Set() },
  exec: { valued: new Set(['-a']) },
  nohup: { valued: new Set() },
  time: { valued: new Set(['-f', '-o']) },
  nice: { valued: new Set(['-n', '--adjustment']) },
  ionice: { valued: new Set(['-c', '-n', '-p']) },
  stdbuf: { valued: new Set(['-i', '-o', '-e']) },
  setsid: { valued: new Set() },
  chronic: { valued: new Set() },
  unbuffer: { valued: new Set() },
  xargs: { valued: new Set(['-I', '-n', '-P', '-d', '-L', '-s', '-a', '-E', '-i', '--max-args', '--max-procs', '--delimiter', '--arg-file']) },
};
const SHELLS = new Set(['sh', 'bash', 'dash', 'ksh', 'zsh', 'ash']);

/**
 * Whether a command can lead to a program in `programs` (directly, through a wrapper, a shell
 * string or a name held in a variable). Cheap, so that a script of a million `echo`s is not
 * resolved word by word.
 */
export function mayRun(command: Node, programs: ReadonlySet<string>): boolean {
  const name = command.childForFieldName('name')?.text;
  if (!name) return false;
  if (name.includes('$') || name.includes('`')) return true;
  const base = basename(name.replace(/^["']|["']$/g, ''));
  return programs.has(base) || base in WRAPPERS || SHELLS.has(base) || base === 'eval';
}

export function resolveCommand(command: Node, ev: Evaluator): ResolvedCommand | EmbeddedScript | undefined {
  const nameNode = command.childForFieldName('name');
  if (!nameNode) return undefined;
  const argNodes = command.childrenForFieldName('argument').filter((n): n is Node => n !== null);
  let words: ArgItem[] = [...ev.argv(nameNode.namedChildren.filter((n): n is Node => n !== null)), ...ev.argv(argNodes)];
  const wrappers: string[] = [];
  for (let depth = 0; depth < 6; depth++) {
    const first = words[0];
    if (!first || first.spread || !isResolved(first.values[0] ?? '')) return undefined;
    const name = basename(first.values[0]!);
    if (name === 'eval') return embedded(command, words.slice(1));
    if (SHELLS.has(name)) {
      const dashC = words.findIndex((w, i) => i > 0 && /^-[a-z]*c[a-z]*$/.test(w.values[0] ?? ''));
      if (dashC > 0) return embedded(command, words.slice(dashC + 1, dashC + 2));
    }
    const wrapper = WRAPPERS[name];
    if (!wrapper || (name === 'command' && words[1]?.values[0]?.startsWith('-v'))) {
      return { command, name, nameItem: first, args: words.slice(1), wrappers };
    }
    wrappers.push(name);
    const rest = skipOptions(words.slice(1), wrapper.valued, name === 'env' || name === 'sudo');
    words = rest.slice(wrapper.positional ?? 0);
    if (name === 'xargs') words = [...words, ...stdinWords(command, ev)];
  }
  return undefined;
}

function skipOptions(words: ArgItem[], valued: Set<string>, skipAssignments: boolean): ArgItem[] {
  let i = 0;
  while (i < words.length) {
    const text = words[i]!.values[0] ?? '';
    if (text === '--') return words.slice(i + 1);
    if (skipAssignments && /^[A-Za-z_][A-Za-z0-9_]*=/.test(text)) i++;
    else if (text.startsWith('-') && text.length > 1) i += valued.has(text) ? 2 : 1;
    else break;
  }
  return words.slice(i);
}

function embedded(command: Node, words: ArgItem[]): EmbeddedScript | undefined {
  if (words.length === 0 || words.some((w) => w.spread || w.values.length !== 1 || !isResolved(w.values[0]!))) return undefined;
  const text = words.map((w) => w.values[0]).join(' ');
  const node = words.length === 1 ? words[0]!.node : undefined;
  const base = node && mapsOneToOne(node, text) ? node.startIndex + 1 : undefined;
  // Fixes would have to redo the string's quoting, so code in strings is reported but not fixed.
  return { command, text, mapOffset: base === undefined ? undefined : (offset) => base + offset, fixable: false };
}

function mapsOneToOne(node: Node, text: string): boolean {
  return (node.type === 'raw_string' || node.type === 'string') && node.text.slice(1, -1) === text;
}

/** What `echo … | xargs cmd` feeds to cmd, when the left side of the pipe prints literal words. */
function stdinWords(command: Node, ev: Evaluator): ArgItem[] {
  const pipeline = command.parent;
  const unknown: ArgItem[] = [{ values: ['\u0000'], spread: true }];
  if (pipeline?.type !== 'pipeline') return unknown;
  const stages = pipeline.namedChildren.filter((n): n is Node => n !== null);
  const source = stages[stages.findIndex((s) => s.id === command.id) - 1];
  if (source?.type !== 'command') return unknown;
  const name = source.childForFieldName('name')?.text;
  const args = ev.argv(source.childrenForFieldName('argument').filter((n): n is Node => n !== null));
  let printed: ArgItem[];
  if (name === 'echo') printed = args.filter((a) => !/^-[neE]+$/.test(a.values[0] ?? ''));
  else if (name === 'printf') printed = args.slice(1);
  else return unknown;
  return printed.flatMap((item) =>
    item.spread || item.values.length !== 1
      ? [item]
      : item.values[0]!.split(/\s+/).filter(Boolean).map((w) => ({ values: [w], spread: false })),
  );
}

export function isEmbedded(x: ResolvedCommand | EmbeddedScript): x is EmbeddedScript {
  return 'text' in x;
}
