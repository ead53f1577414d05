/**
 * Where a Terraform module holds shell code, and who runs it: the user data of the resources that
 * launch instances (and of the terraform-aws-modules instance and Auto Scaling modules), which
 * runs on those instances at boot; `remote-exec` provisioners, which run on the instance too; and
 * `local-exec` provisioners and `external` data sources, which run on the machine that runs
 * Terraform. User data is followed through `base64encode()`, `base64gzip()`, `local.x`, `var.x`
 * defaults, conditions, `file()`, `filebase64()`, `templatefile()` and the parts of a
 * `cloudinit_config` data source.
 */
import { basename } from 'node:path';
import type { Node, Parser } from 'web-tree-sitter';
import { userDataPieces, type EmbeddedShell } from '../embedded/index.js';
import { Configuration, type TfFile } from './configuration.js';
import { attributesIn, blocksIn, namedChildrenOf, traversalOf, type Block } from './hcl.js';
import { identifyModule } from './module-calls.js';
import { pathArgument, readReferenced, type ReferencedFile } from './referenced-file.js';
import { heredocShell, plainFileShell, quotedLinesShell, quotedShell, templateFileShell, type Interpolate } from './template-text.js';
import { singleScalar, type Evaluator, type Outcome } from './values.js';

/** A file that holds embedded code: one of the module's files, or one it reads. */
export interface Host {
  readonly file: string;
  readonly text: string;
  /** Set for a file the module reads (not one the scan handed over). */
  readonly referenced?: { readonly path: string; readonly bom: boolean };
}

export interface CodePiece {
  readonly host: Host;
  readonly shell: EmbeddedShell;
  /**
   * The resource whose instances run this code at boot or over SSH (`aws_instance.web`,
   * `module.asg`), whose metadata options decide whether a tokenless request breaks.
   */
  readonly launcher?: string;
  /** What the code is to that resource, for messages: `user data`, `remote-exec commands`. */
  readonly role?: string;
}

/** Resources whose `user_data` runs on the instances they launch. */
const USER_DATA_RESOURCES = new Set(['aws_instance', 'aws_launch_template', 'aws_launch_configuration', 'aws_spot_instance_request']);
const USER_DATA_ARGUMENTS = ['user_data', 'user_data_base64'];
/** terraform-aws-modules whose `user_data` input becomes the user data of what they launch. */
const USER_DATA_MODULES = new Set(['ec2-instance', 'autoscaling']);
const SHELLS = new Set(['sh', 'bash', 'dash', 'ash', 'ksh', 'zsh']);
const POWERSHELLS = new Set(['powershell', 'powershell.exe', 'pwsh', 'pwsh.exe']);
/** How many `local.x` / `var.x` hops are followed to find the text. */
const MAX_HOPS = 4;

const RUNNER = 'runs on the Terraform runner, not on an instance';

/**
 * `requiredBy` gives the resource to name when the instances that run the code require IMDSv2
 * (see boot-check.ts), else undefined.
 */
export function embeddedCode(config: Configuration, evaluator: Evaluator, parser: Parser, requiredBy: (launcher: string) => string | undefined): CodePiece[] {
  const collector = new Collector(config, evaluator, parser, requiredBy);
  for (const decl of config.resources) {
    if (USER_DATA_RESOURCES.has(decl.type)) collector.userData(decl.file, decl.block, decl.address);
    collector.provisioners(decl.file, decl.block, decl.address, USER_DATA_RESOURCES.has(decl.type) ? decl.address : undefined);
  }
  for (const call of config.modules) {
    const source = attributesIn(call.block.body).get('source');
    const value = source && singleScalar(evaluator.evaluate(source.value, call.file));
    const version = attributesIn(call.block.body).get('version');
    const module = value && identifyModule(value.value, version && singleScalar(evaluator.evaluate(version.value, call.file))?.value);
    if (module && !module.submodule && USER_DATA_MODULES.has(module.spec.source.split('/')[1]!)) collector.userData(call.file, call.block, call.address);
  }
  for (const file of config.files) {
    for (const block of blocksIn(file.body, 'data')) {
      if (block.labels[0] === 'external' && block.labels[1] !== undefined) collector.external(file, block, `data.external.${block.labels[1]}`);
    }
  }
  return collector.pieces;
}

type Options = Pick<EmbeddedShell, 'context' | 'requiredBy' | 'language'>;

class Collector {
  readonly pieces: CodePiece[] = [];
  private readonly hosts = new Map<string, Host>();

  constructor(
    private readonly config: Configuration,
    private readonly evaluator: Evaluator,
    private readonly parser: Parser,
    private readonly requiredBy: (launcher: string) => string | undefined,
  ) {}

  userData(file: TfFile, block: Block, address: string): void {
    const attributes = attributesIn(block.body);
    const required = this.requiredBy(address);
    for (const name of USER_DATA_ARGUMENTS) {
      const attribute = attributes.get(name);
      if (!attribute) continue;
      const context = `in the ${name} of ${address}`;
      for (const { host, shell } of this.texts(attribute.value, file, { context, ...(required ? { requiredBy: required } : {}) }, MAX_HOPS, true)) {
        for (const piece of userDataPieces(shell)) this.pieces.push({ host, shell: piece, launcher: address, role: 'user data' });
      }
    }
  }

  provisioners(file: TfFile, block: Block, address: string, launcher: string | undefined): void {
    for (const provisioner of blocksIn(block.body, 'provisioner')) {
      const attributes = attributesIn(provisioner.body);
      if (provisioner.labels[0] === 'local-exec') {
        const command = attributes.get('command');
        const interpreter = attributes.get('interpreter');
        const language = interpreter ? this.interpreterLanguage(interpreter.value, file) : 'sh';
        if (!command || !language) continue;
        const context = `in a local-exec provisioner of ${address}; ${RUNNER}`;
        for (const found of this.texts(command.value, file, { context, language }, 0, true)) this.pieces.push(found);
      } else if (provisioner.labels[0] === 'remote-exec' && launcher) {
        const required = this.requiredBy(launcher);
        const options: Options = { context: `in a remote-exec provisioner of ${address}, which runs on the instance`, ...(required ? { requiredBy: required } : {}) };
        const inline = attributes.get('inline');
        const items = inline && tupleItems(inline.value);
        const strings = items?.map((item) => stringNode(item));
        if (strings && strings.length > 0 && strings.every((s) => s !== undefined)) {
          const shell = quotedLinesShell(file.text, strings as Node[], options, this.interpolator(file));
          if (shell) this.pieces.push({ host: this.moduleHost(file), shell, launcher, role: 'remote-exec commands' });
        }
        for (const name of ['script', 'scripts']) {
          const attribute = attributes.get(name);
          const paths = attribute ? (name === 'script' ? [attribute.value] : (tupleItems(attribute.value) ?? [])) : [];
          for (const path of paths) {
            const found = this.referenced(file, path, options, false);
            if (found) this.pieces.push({ ...found, launcher, role: 'remote-exec commands' });
          }
        }
      }
    }
  }

  /** `program = ["bash", "-c", "…"]` or `["bash", "${path.module}/script.sh"]`. */
  external(file: TfFile, block: Block, address: string): void {
    const program = attributesIn(block.body).get('program');
    const items = program && tupleItems(program.value);
    if (!items || items.length < 2) return;
    const shell = this.scalar(items[0]!, file);
    if (!shell || !SHELLS.has(basename(shell))) return;
    const context = `in the program of ${address}; ${RUNNER}`;
    const flag = this.scalar(items[1]!, file);
    if (flag === '-c' && items[2]) {
      for (const found of this.texts(items[2], file, { context }, 0, true)) this.pieces.push(found);
    } else if (flag !== undefined && !flag.startsWith('-')) {
      const found = this.referenced(file, items[1]!, { context }, false);
      if (found) this.pieces.push(found);
    }
  }

  /**
   * The texts an expression renders to, each as a piece of the file that holds it. `fixable` is
   * false below `base64gzip()`: the compressed text is not the text in the file.
   */
  private texts(expression: Node, file: TfFile, options: Options, hops: number, fixable: boolean): { host: Host; shell: EmbeddedShell }[] {
    const node = expression.type === 'expression' ? namedChildrenOf(expression)[0] : expression;
    if (!node) return [];
    const guard = (shell: EmbeddedShell | undefined) => (shell ? [{ host: this.moduleHost(file), shell: fixable ? shell : withoutFix(shell) }] : []);
    switch (node.type) {
      case 'template_expr':
      case 'literal_value': {
        const inner = namedChildrenOf(node)[0];
        if (inner?.type === 'heredoc_template') return guard(heredocShell(file.text, inner, options, this.interpolator(file)));
        if (inner?.type === 'quoted_template' || inner?.type === 'string_lit') return guard(quotedShell(file.text, inner, options, this.interpolator(file)));
        return [];
      }
      case 'conditional': {
        const branches = namedChildrenOf(node).filter((c) => c.type === 'expression').slice(1);
        return branches.flatMap((b) => this.texts(b, file, options, hops, fixable));
      }
      case 'function_call':
        return this.call(node, file, options, hops, fixable);
      case 'variable_expr': {
        const path = traversalOf(expression);
        if (!path || hops <= 0) return [];
        if (path.length === 4 && path[0] === 'data' && path[1] === 'cloudinit_config' && path[3] === 'rendered') return this.cloudinitParts(path[2]!, options, hops - 1, fixable);
        if (path.length !== 2) return [];
        const definition =
          path[0] === 'local'
            ? Configuration.pick(this.config.locals.get(path[1]!), file)
            : path[0] === 'var'
              ? (this.config.tfvars.get(path[1]!) ?? Configuration.pick(this.config.variables.get(path[1]!), file)?.default)
              : undefined;
        return definition ? this.texts(definition.expression, definition.file, options, hops - 1, fixable) : [];
      }
      default:
        return [];
    }
  }

  /**
   * `data "cloudinit_config"`: each `part`'s content is user data of its own (a script, a
   * cloud-config). Its gzip and base64 apply to the rendered result, not to the text in the file.
   */
  private cloudinitParts(name: string, options: Options, hops: number, fixable: boolean): { host: Host; shell: EmbeddedShell }[] {
    const out: { host: Host; shell: EmbeddedShell }[] = [];
    for (const file of this.config.files) {
      for (const block of blocksIn(file.body, 'data')) {
        if (block.labels[0] !== 'cloudinit_config' || block.labels[1] !== name) continue;
        for (const part of blocksIn(block.body, 'part')) {
          const content = attributesIn(part.body).get('content');
          if (content) out.push(...this.texts(content.value, file, options, hops, fixable));
        }
      }
    }
    return out;
  }

  private call(node: Node, file: TfFile, options: Options, hops: number, fixable: boolean): { host: Host; shell: EmbeddedShell }[] {
    const name = namedChildrenOf(node).find((c) => c.type === 'identifier')?.text;
    const args = namedChildrenOf(namedChildrenOf(node).find((c) => c.type === 'function_arguments') ?? node).filter((c) => c.type === 'expression');
    const first = args[0];
    if (!first) return [];
    switch (name) {
      case 'base64encode':
      case 'trimspace':
      case 'chomp':
        return this.texts(first, file, options, hops, fixable);
      case 'base64gzip':
        return this.texts(first, file, options, hops, false);
      case 'file':
      case 'filebase64': {
        const found = this.referenced(file, first, options, false);
        return found ? [found] : [];
      }
      case 'templatefile': {
        const vars = args[1] ? this.evaluator.evaluate(args[1], file) : undefined;
        const found = this.referenced(file, first, options, true, vars);
        return found ? [found] : [];
      }
      default:
        return [];
    }
  }

  /** A file the module reads, as a piece of that file; its context says which module file reads it. */
  private referenced(file: TfFile, pathExpression: Node, options: Options, template: boolean, vars?: Outcome): { host: Host; shell: EmbeddedShell } | undefined {
    const rel = pathArgument(pathExpression);
    const read = rel === undefined ? undefined : readReferenced(file, rel);
    if (!read) return undefined;
    const host = this.referencedHost(read);
    const context = `${options.context}, read by ${template ? 'templatefile()' : 'file()'} in ${basename(file.file)}`;
    const shell = template ? templateFileShell(this.parser, read.text, { ...options, context }, varsInterpolator(vars)) : plainFileShell(read.text, { ...options, context });
    return { host, shell };
  }

  private moduleHost(file: TfFile): Host {
    let host = this.hosts.get(file.file);
    if (!host) this.hosts.set(file.file, (host = { file: file.file, text: file.text }));
    return host;
  }

  private referencedHost(read: ReferencedFile): Host {
    let host = this.hosts.get(read.file);
    if (!host) this.hosts.set(read.file, (host = { file: read.file, text: read.text, referenced: { path: read.path, bom: read.bom } }));
    return host;
  }

  /** An interpolation in the module's own text: its value when the module says what it is. */
  private interpolator(file: TfFile): Interpolate {
    return (expression) => {
      const value = singleScalar(this.evaluator.evaluate(expression, file));
      return value && value.kind === 'string' ? asWord(value.value) : undefined;
    };
  }

  private interpreterLanguage(expression: Node, file: TfFile): EmbeddedShell['language'] | undefined {
    const first = tupleItems(expression)?.[0];
    const program = first && this.scalar(first, file);
    if (!program) return undefined;
    const name = basename(program.replaceAll('\\', '/')).toLowerCase();
    if (SHELLS.has(name)) return 'sh';
    return POWERSHELLS.has(name) ? 'powershell' : undefined;
  }

  private scalar(expression: Node, file: TfFile): string | undefined {
    const value = singleScalar(this.evaluator.evaluate(expression, file));
    return value?.kind === 'string' ? value.value : undefined;
  }
}

/** Inside `templatefile(path, { name = value })`: `${name}` is the value when it is known. */
function varsInterpolator(vars: Outcome | undefined): Interpolate | undefined {
  const only = vars && vars.alternatives.length === 1 && vars.unknown.length === 0 ? vars.alternatives[0] : undefined;
  if (!only || only.kind !== 'object') return undefined;
  return (expression) => {
    const path = traversalOf(expression);
    if (!path || path.length !== 1) return undefined;
    const entry = only.entries.get(path[0]!);
    const value = entry && singleScalar(entry);
    return value && value.kind === 'string' ? asWord(value.value) : undefined;
  };
}

/**
 * A value that reads as one shell word (a URL, a name): it can stand in the text. One with spaces
 * or shell syntax could hold a whole command, and a fix must never insert inside `${…}`, so that
 * stays an opaque word.
 */
function asWord(value: string): string | undefined {
  return /^[^\s;&|<>()`$"'\\{}*?[\]#~]+$/.test(value) ? value : undefined;
}

function withoutFix(shell: EmbeddedShell): EmbeddedShell {
  const { escape: _escape, ...rest } = shell;
  return rest;
}

/** The element expressions of a tuple expression (`["a", "b"]`); undefined for anything else. */
function tupleItems(expression: Node): Node[] | undefined {
  const collection = expression.type === 'expression' ? namedChildrenOf(expression)[0] : expression;
  const tuple = collection?.type === 'collection_value' ? namedChildrenOf(collection)[0] : undefined;
  if (!tuple || tuple.type !== 'tuple') return undefined;
  return namedChildrenOf(tuple).filter((c) => c.type === 'expression');
}

/** The string node of a string expression (`"…"`, with or without interpolations). */
function stringNode(expression: Node): Node | undefined {
  const inner = namedChildrenOf(expression)[0];
  const string = inner && (inner.type === 'template_expr' || inner.type === 'literal_value') ? namedChildrenOf(inner)[0] : undefined;
  return string && (string.type === 'quoted_template' || string.type === 'string_lit') ? string : undefined;
}
