import { isMap, isScalar, isSeq, type Document, type Node, type Pair, type Scalar, type YAMLMap } from 'yaml';
import { nested, ShellTextBuilder, type EmbeddedShell } from '../embedded/index.js';
import { evaluateNode } from './jinja.js';
import { jinjaToShell, type ResolveVariable } from './jinja-text.js';
import { scalarText } from './scalar-text.js';
import { shlexWords } from './shlex.js';
import type { VisitedTask } from './walk.js';
import { deref, findPair, getNode, keyName, scalarText as scalarValue, type YamlFile } from './yaml.js';

type Language = NonNullable<EmbeddedShell['language']>;

interface CommandModule {
  readonly language: Language;
  /** `shell`, `raw`, `win_shell` hand the string to a shell; `command`, `win_command` split it into argv. */
  readonly shell: boolean;
}

const COMMAND_MODULES: ReadonlyMap<string, CommandModule> = new Map([
  ...['shell', 'raw'].flatMap((m) => names(m, 'ansible.builtin', { language: 'sh', shell: true })),
  ...names('command', 'ansible.builtin', { language: 'sh', shell: false }),
  ...names('win_shell', 'ansible.windows', { language: 'powershell', shell: true }),
  ...names('win_command', 'ansible.windows', { language: 'powershell', shell: false }),
]);

function names(module: string, collection: string, kind: CommandModule): [string, CommandModule][] {
  return [module, `${collection}.${module}`, `ansible.legacy.${module}`].map((n) => [n, kind]);
}

/** Options of `command` written into its free-form string as `key=value`; Ansible removes them. */
const FREE_FORM_OPTIONS = /^(chdir|creates|removes|executable|stdin|stdin_add_newline|strip_empty_ends|warn|expand_argument_vars)=/;

/** Characters a variable's value may hold to be written into a command in its place. */
const PLAIN_VALUE = /^[A-Za-z0-9_.:/@%+=,~[\]-]*$/;

/** The script or command of one task, ready for the shell analyser. */
export interface CommandPiece {
  readonly piece: EmbeddedShell;
  readonly module: string;
  /**
   * For a script written as one scalar: the value Ansible passes on (before Jinja) and how to
   * write a new value in its place as a literal block scalar, for fixes that the scalar's own
   * style cannot hold.
   */
  readonly scalar?: {
    readonly value: string;
    readonly jinja: EmbeddedShell;
    readonly node: Scalar;
    readonly key: Scalar;
    readonly flowParent: boolean;
  };
}

/** The code a `shell`, `command`, `raw`, `win_shell` or `win_command` task runs, if it is one. */
export function commandPieces(file: YamlFile, visited: VisitedTask): CommandPiece[] {
  const { task, doc } = visited;
  const host = file.source.text;
  for (const pair of task.items) {
    const module = keyName(pair);
    const kind = module ? COMMAND_MODULES.get(module) : undefined;
    if (!module || !kind || !isScalar(pair.key)) continue;
    const resolve = resolver(file, doc, visited);
    const context = contextOf(visited, module, doc);
    let args = deref(pair.value, doc);
    let parent: YAMLMap = task;
    let keyPair: Pair = pair;
    if (args === undefined || (isScalar(args) && (args.value === null || args.value === ''))) {
      // `shell:` with its command under the task's `args:`.
      const extra = getNode(task, 'args', doc);
      if (isMap(extra)) args = extra;
    }
    if (isMap(args)) {
      const cmd = findPair(args, 'cmd', doc) ?? findPair(args, '_raw_params', doc);
      const argv = getNode(args, 'argv', doc);
      if (cmd && isScalar(deref(cmd.value, doc))) {
        parent = args;
        keyPair = cmd;
        args = deref(cmd.value, doc);
      } else if (isSeq(argv) && !kind.shell) {
        const piece = argvPiece(argv.items.map((i) => deref(i, doc)), resolve, kind.language);
        return piece ? [{ piece: { ...piece, context, language: kind.language }, module }] : [];
      } else {
        return [];
      }
    }
    if (!isScalar(args) || typeof args.value !== 'string') return [];
    const yaml = scalarText(host, args);
    if (!yaml) return [];
    const unsafe = args.tag === '!unsafe';
    const jinja = unsafe ? new ShellTextBuilder().verbatim(0, yaml.piece.text).build({ escape: (t) => t }) : jinjaToShell(yaml.piece.text, resolve);
    if (!kind.shell) {
      // win_command's line is split by Windows rules, which PowerShell's parser approximates.
      const { escape: _, ...piece } = kind.language === 'sh' ? commandLinePiece(yaml.piece, resolve) : nested(yaml.piece, jinja);
      return [{ piece: { ...piece, context, language: kind.language }, module }];
    }
    const piece: EmbeddedShell = { ...nested(yaml.piece, jinja), context, language: kind.language };
    const key = keyPair.key;
    return [{ piece, module, scalar: isScalar(key) ? { value: yaml.piece.text, jinja, node: args, key, flowParent: parent.flow === true } : undefined }];
  }
  return [];
}

/** Where the code runs and which task it is, said after each finding's message. */
function contextOf(visited: VisitedTask, module: string, doc: Document): string {
  const which = visited.name ? `in task '${visited.name}'` : `in the ${module} task at line ${visited.line}`;
  const delegate = scalarValue(getNode(visited.task, 'delegate_to', doc));
  const connection = scalarValue(getNode(visited.task, 'connection', doc));
  const local = (delegate && /^(localhost|127\.0\.0\.1|::1)$/.test(delegate)) || connection === 'local';
  return local ? `${which}, which runs on the Ansible controller` : which;
}

function resolver(file: YamlFile, doc: Document, visited: VisitedTask): ResolveVariable {
  return (name) => {
    const def = visited.scope.lookup(name);
    if (!def) return undefined;
    const result = evaluateNode(def.node, def.file, def.doc, visited.scope, [name]);
    if (!result.ok || result.options.length !== 1) return undefined;
    const only = result.options[0]!;
    return only.t === 'str' && PLAIN_VALUE.test(only.value) ? only.value : undefined;
  };
}

/**
 * `command` runs no shell: Ansible splits the string like a POSIX shell would (quotes, backslash)
 * and runs the words as they are. Each word becomes one quoted shell word mapped onto its source,
 * so the shell analyser sees one command and pipes or `$VAR` stay literal.
 */
function commandLinePiece(value: EmbeddedShell, resolve: ResolveVariable): EmbeddedShell {
  const b = new ShellTextBuilder();
  const words = shlexWords(value.text).filter((w) => !FREE_FORM_OPTIONS.test(w.word));
  words.forEach((w, i) => {
    if (i > 0) b.decoded(value.toHost(w.start), value.toHost(w.start), ' ');
    b.decoded(value.toHost(w.start), value.toHostEnd(w.end), shellWord(w.word, resolve));
  });
  return b.build();
}

function argvPiece(items: readonly (Node | undefined)[], resolve: ResolveVariable, language: Language): EmbeddedShell | undefined {
  const b = new ShellTextBuilder();
  let first = true;
  for (const item of items) {
    if (!isScalar(item) || item.value === null || item.value === undefined || !item.range) return undefined;
    const [start, end] = item.range;
    // PowerShell runs a quoted command name only after the call operator.
    if (first && language === 'powershell') b.decoded(start, start, '& ');
    if (!first) b.decoded(start, start, ' ');
    b.decoded(start, end, language === 'powershell' ? powerShellWord(String(item.value), resolve) : shellWord(String(item.value), resolve));
    first = false;
  }
  return first ? undefined : b.build();
}

/** One argv word as a shell word: single-quoted, or double-quoted around Jinja placeholders. */
function shellWord(word: string, resolve: ResolveVariable): string {
  if (!/\{\{|\{%|\{#/.test(word)) return `'${word.replaceAll("'", `'\\''`)}'`;
  return `"${jinjaToShell(word, resolve).text.replace(/["\\`]/g, (c) => `\\${c}`)}"`;
}

/** The same for PowerShell, whose quotes double to escape themselves. */
function powerShellWord(word: string, resolve: ResolveVariable): string {
  if (!/\{\{|\{%|\{#/.test(word)) return `'${word.replaceAll("'", "''")}'`;
  return `"${jinjaToShell(word, resolve).text.replace(/["`]/g, (c) => `${c}${c}`)}"`;
}
