import { DockerfileParser, Keyword, type Arg, type Dockerfile, type Env, type Healthcheck, type Instruction, type Onbuild, type Run } from 'dockerfile-ast';
import { mayMentionImds } from '../prefilter.js';
import { ShellTextBuilder, type EmbeddedShell } from '../embedded/index.js';
import { execFormArgs, jsonStringBody } from './exec-form.js';
import { inlineScript, interpreterLanguage, type ScriptLanguage } from './interpreter.js';
import { addChars, logicalText, textOf, type MappedChar } from './logical-text.js';

const BUILD_TIME = "runs at docker build time, against the build host's metadata";
const ONBUILD_TIME = "runs when an image is built FROM this one, against that build host's metadata";
const CONTAINER_START = 'runs when the container starts';
const HEALTH_CHECK = 'runs in the container, as its health check';

const KEYWORDS = new Set<string>(Object.values(Keyword));
const DEFAULT_SHELL = ['/bin/sh', '-c'];
// After an escaped newline inserted by a fix, the next line starts with this much indentation.
const CONTINUATION_INDENT = '    ';

export interface DockerfileShell {
  readonly pieces: EmbeddedShell[];
  /** Host offsets of instructions Docker would reject (unknown keywords, unterminated heredocs). */
  readonly problems: number[];
}

/** The shell code in a Dockerfile, one piece per command Docker hands to a shell or runs. */
export function dockerfileShell(host: string): DockerfileShell {
  const dockerfile = DockerfileParser.parse(host);
  const offsets = new Offsets(host);
  const reader = new PieceReader(host, dockerfile, offsets);
  const problems: number[] = [];
  for (const instruction of dockerfile.getInstructions()) {
    const keyword = instruction.getKeyword();
    if (!KEYWORDS.has(keyword)) problems.push(offsets.at(instruction.getRange().start));
    reader.read(instruction, false);
  }
  return { pieces: reader.pieces, problems: [...problems, ...reader.problems] };
}

interface Variable {
  readonly name: string;
  readonly value: string;
  /** Where the ARG or ENV sets it. */
  readonly start: number;
  readonly end: number;
  readonly env: boolean;
}

class PieceReader {
  readonly pieces: EmbeddedShell[] = [];
  readonly problems: number[] = [];
  private shell: readonly string[] = DEFAULT_SHELL;
  /** ARG and ENV values of the current stage that mention IMDS, to resolve `$VAR` in its commands. */
  private variables: Variable[] = [];
  /** ARGs declared before the first FROM: a stage sees one when it declares the name again. */
  private readonly globalArgs = new Map<string, string>();
  private inStage = false;
  private readonly escapeChar: string;

  constructor(
    private readonly host: string,
    dockerfile: Dockerfile,
    private readonly offsets: Offsets,
  ) {
    this.escapeChar = dockerfile.getEscapeCharacter();
  }

  read(instruction: Instruction, onbuild: boolean): void {
    const keyword = instruction.getKeyword();
    const range = instruction.getArgumentsRange();
    if (keyword === Keyword.FROM) {
      this.shell = DEFAULT_SHELL;
      this.variables = [];
      this.inStage = true;
    }
    if (keyword === Keyword.ONBUILD) {
      const trigger = (instruction as Onbuild).getTriggerInstruction();
      if (trigger) this.read(trigger, true);
      return;
    }
    if (keyword === Keyword.ARG || keyword === Keyword.ENV) {
      const properties = keyword === Keyword.ARG ? [(instruction as Arg).getProperty()] : (instruction as Env).getProperties();
      for (const property of properties) {
        if (!property) continue;
        const name = property.getName();
        const own = property.getUnescapedValue();
        if (!this.inStage) {
          if (own !== null) this.globalArgs.set(name, own);
          continue;
        }
        const value = own ?? (keyword === Keyword.ARG ? this.globalArgs.get(name) : undefined);
        const range = property.getRange();
        if (value !== undefined && mayMentionImds(value)) {
          this.variables.push({ name, value, start: this.offsets.at(range.start), end: this.offsets.at(range.end), env: keyword === Keyword.ENV });
        }
      }
      return;
    }
    if (!range) return;
    let from = this.offsets.at(range.start);
    const to = this.offsets.at(instruction.getRange().end);
    if (keyword === Keyword.SHELL) {
      const argv = execFormArgs(logicalText(this.host, from, to, this.escapeChar));
      if (argv) this.shell = argv.map(textOf);
      return;
    }
    let context: string;
    if (keyword === Keyword.RUN) context = onbuild ? ONBUILD_TIME : BUILD_TIME;
    else if (keyword === Keyword.CMD || keyword === Keyword.ENTRYPOINT) context = CONTAINER_START;
    else if (keyword === Keyword.HEALTHCHECK) {
      const sub = (instruction as Healthcheck).getSubcommand();
      if (!sub || sub.getValue().toUpperCase() !== 'CMD') return;
      from = this.offsets.at(sub.getRange().end);
      while (from < to && /\s/.test(this.host[from]!)) from++;
      context = HEALTH_CHECK;
    } else return;
    if (keyword === Keyword.RUN && onbuild) from = this.afterFlags(from, to);
    const heredocs = keyword === Keyword.RUN ? (instruction as Run).getHeredocs() : [];
    for (const h of heredocs) if (!h.getDelimiterRange()) this.problems.push(this.offsets.at(h.getStartRange().start));
    // A heredoc's body is not joined at escaped newlines; only the line that opens it is.
    const bodyStart = heredocs.length > 0 ? this.lineEnd(this.offsets.at(heredocs.at(-1)!.getStartRange().end), to) : to;
    const head = logicalText(this.host, from, bodyStart, this.escapeChar);
    const prelude = this.prelude(keyword === Keyword.RUN);
    const argv = bodyStart === to ? execFormArgs(head) : undefined;
    if (argv) this.execForm(argv, context, prelude);
    else this.shellForm(head, bodyStart, to, heredocs.length, context, prelude);
  }

  /** `RUN ["sh", "-c", "…"]` runs the string as a script; other exec forms run a program, argv as is. */
  private execForm(argv: MappedChar[][], context: string, prelude: ShellTextBuilder) {
    const script = inlineScript(argv.map(textOf));
    if (script) {
      const body = argv[script.index]!;
      addChars(prelude, this.host, body);
      // A one-line script stays on one line: the token command is joined to it with `; `.
      const oneLine = !textOf(body).includes('\n');
      const escape = (text: string) => jsonStringBody(oneLine ? text.replace(/\r?\n/g, '; ') : text);
      this.pieces.push(prelude.build({ context, language: script.language, escape }));
      return;
    }
    // Quoted as the shell would need them to mean the same argv; no fix can be written here (no shell runs).
    argv.forEach((arg, i) => {
      const start = arg[0]?.hostStart ?? 0;
      if (i > 0) prelude.decoded(start, start, ' ');
      const value = textOf(arg);
      if (/^[\w@%+=:,./-]+$/.test(value)) addChars(prelude, this.host, arg);
      else prelude.decoded(start, arg.at(-1)?.hostEnd ?? start, `'${value.replaceAll("'", `'\\''`)}'`);
    });
    this.pieces.push(prelude.build({ context, language: 'sh', escape: () => undefined }));
  }

  private shellForm(head: MappedChar[], bodyStart: number, to: number, heredocCount: number, context: string, prelude: ShellTextBuilder) {
    const language: ScriptLanguage | undefined = interpreterLanguage(this.shell[0] ?? '');
    if (!language) return; // `cmd /S /C` and other shells we do not read
    const headText = textOf(head);
    const escape = this.shellFormEscape(bodyStart);
    // `RUN <<EOF` alone: Docker runs the heredoc's body as the script.
    if (heredocCount === 1 && /^<<-?(["']?)[\w.-]+\1\s*$/.test(headText)) {
      // The body up to the delimiter line.
      const script = this.host.slice(bodyStart, this.host.lastIndexOf('\n', to - 1) + 1);
      const scriptLanguage = script.startsWith('#!') ? shebangLanguage(script) : language;
      if (!scriptLanguage) return;
      prelude.verbatim(bodyStart, script);
      this.pieces.push(prelude.build({ context, language: scriptLanguage, escape }));
      return;
    }
    addChars(prelude, this.host, head);
    if (bodyStart < to) {
      // The shell sees the opening line, a newline, then the heredoc bodies as written.
      prelude.verbatim(bodyStart, this.host.slice(bodyStart, to));
    }
    this.pieces.push(prelude.build({ context, language, escape }));
  }

  /**
   * A fix in a shell-form instruction stays on the instruction's logical line: a newline becomes
   * `; ` and an escaped newline, so the next command starts on a continuation line. In a heredoc
   * body, lines are the script's own lines and need nothing.
   */
  private shellFormEscape(bodyStart: number) {
    const eol = this.host.includes('\r\n') ? '\r\n' : '\n';
    return (text: string, at: number) => (at >= bodyStart ? text : text.replace(/\r?\n/g, `; ${this.escapeChar}${eol}${CONTINUATION_INDENT}`));
  }

  /** `NAME="value"` lines for the stage's ARG (build only) and ENV values, mapped to where they are set. */
  private prelude(build: boolean): ShellTextBuilder {
    const builder = new ShellTextBuilder();
    for (const { name, value, start, end, env } of this.variables) {
      if (!env && !build) continue;
      builder.decoded(start, end, `${name}="${value.replace(/["\\`]/g, '\\$&')}"\n`);
    }
    return builder;
  }

  /** Skips `--mount=…`-style flags that the parser leaves in an ONBUILD trigger's arguments. */
  private afterFlags(from: number, to: number): number {
    let i = from;
    while (this.host.startsWith('--', i)) {
      while (i < to && !/\s/.test(this.host[i]!)) i++;
      while (i < to && /[ \t]/.test(this.host[i]!)) i++;
    }
    return i;
  }

  private lineEnd(at: number, to: number): number {
    const eol = this.host.indexOf('\n', at);
    return eol < 0 || eol >= to ? to : eol + 1;
  }
}

/** `#!/bin/bash -e`, `#!/usr/bin/env pwsh`: the language of a script that names its interpreter. */
function shebangLanguage(script: string): ScriptLanguage | undefined {
  const words = script.slice(2, script.indexOf('\n') >>> 0).trim().split(/\s+/);
  const program = words[0]?.endsWith('/env') ? words.find((w, i) => i > 0 && !w.startsWith('-')) : words[0];
  return interpreterLanguage(program ?? '');
}

/** Host offsets of the parser's line/character positions (characters are UTF-16 code units). */
class Offsets {
  private readonly starts: number[] = [0];

  constructor(host: string) {
    for (let i = 0; i < host.length; i++) {
      const c = host[i];
      if (c === '\n' || (c === '\r' && host[i + 1] !== '\n')) this.starts.push(i + 1);
    }
  }

  at(position: { line: number; character: number }): number {
    return (this.starts[position.line] ?? this.starts.at(-1)!) + position.character;
  }
}
