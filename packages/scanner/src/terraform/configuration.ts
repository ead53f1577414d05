/**
 * One Terraform module (a directory): every `.tf` file parsed once, and an index of what the
 * analysis looks up across files — variables with their defaults, values from the auto-loaded
 * `.tfvars` files, locals, resources and module calls. The trees stay alive while the module is
 * analysed (expressions are evaluated lazily, by reference) and are freed by `dispose`.
 */
import { basename } from 'node:path';
import { LineIndex } from '@imds-guard/core';
import type { Node, Parser, Tree } from 'web-tree-sitter';
import type { SourceFile, SyntaxProblem } from '../analyser.js';
import { attributesIn, blocksIn, fileBody, namedChildrenOf, asAttribute, type Block } from './hcl.js';
import { syntaxProblems } from './syntax.js';

export interface TfFile {
  readonly file: string;
  readonly path: string;
  readonly text: string;
  readonly tree: Tree;
  readonly body: Node | undefined;
  readonly syntaxProblems: readonly SyntaxProblem[];
}

export interface Definition {
  readonly file: TfFile;
  /** The value expression. */
  readonly expression: Node;
  /** Where the value comes from, for messages: `var.x default in variables.tf`. */
  readonly origin: string;
}

export interface VariableDecl {
  readonly file: TfFile;
  readonly block: Block;
  readonly name: string;
  readonly default?: Definition;
  /** The `type` constraint, for `optional(type, default)` attributes of objects. */
  readonly type?: Node;
}

export interface ResourceDecl {
  readonly file: TfFile;
  readonly block: Block;
  readonly type: string;
  readonly name: string;
  /** `aws_instance.web` */
  readonly address: string;
}

export interface ModuleCall {
  readonly file: TfFile;
  readonly block: Block;
  readonly name: string;
  /** `module.web` */
  readonly address: string;
}

/** Loaded by Terraform without a `-var-file`: terraform.tfvars, then *.auto.tfvars by name. */
export function isAutoLoadedTfvars(path: string): boolean {
  const name = basename(path);
  return name === 'terraform.tfvars' || name.endsWith('.auto.tfvars');
}

const tfvarsOrder = (path: string) => (basename(path) === 'terraform.tfvars' ? '' : basename(path));

export class Configuration {
  readonly files: TfFile[] = [];
  readonly variables = new Map<string, VariableDecl[]>();
  /** The value each auto-loaded tfvars file gives a variable; the last file wins, as in Terraform. */
  readonly tfvars = new Map<string, Definition>();
  readonly locals = new Map<string, Definition[]>();
  readonly resources: ResourceDecl[] = [];
  readonly modules: ModuleCall[] = [];

  constructor(sources: readonly SourceFile[], parser: Parser) {
    try {
      for (const source of sources) {
        const tree = parser.parse(source.text);
        if (!tree) throw new Error(`tree-sitter returned no tree for ${source.file}`);
        const problems = syntaxProblems(tree, new LineIndex(source.text));
        this.files.push({ file: source.file, path: source.path, text: source.text, tree, body: fileBody(tree.rootNode), syntaxProblems: problems });
      }
    } catch (err) {
      this.dispose();
      throw err;
    }
    const tfvars = this.files.filter((f) => /\.tfvars$/i.test(f.path));
    for (const file of this.files.filter((f) => /\.tf$/i.test(f.path))) this.indexConfigFile(file);
    for (const file of tfvars.filter((f) => isAutoLoadedTfvars(f.path)).sort((a, b) => (tfvarsOrder(a.path) < tfvarsOrder(b.path) ? -1 : 1))) {
      for (const child of file.body ? namedChildrenOf(file.body) : []) {
        const attribute = asAttribute(child);
        if (attribute) this.tfvars.set(attribute.name, { file, expression: attribute.value, origin: `set in ${basename(file.path)}` });
      }
    }
  }

  private indexConfigFile(file: TfFile): void {
    for (const block of blocksIn(file.body)) {
      const [first, second] = block.labels;
      switch (block.type) {
        case 'variable': {
          if (first === undefined) break;
          const attributes = attributesIn(block.body);
          const def = attributes.get('default');
          const decl: VariableDecl = {
            file,
            block,
            name: first,
            default: def ? { file, expression: def.value, origin: `default in ${basename(file.path)}` } : undefined,
            type: attributes.get('type')?.value,
          };
          push(this.variables, first, decl);
          break;
        }
        case 'locals':
          for (const [name, attribute] of attributesIn(block.body)) push(this.locals, name, { file, expression: attribute.value, origin: `in ${basename(file.path)}` });
          break;
        case 'resource':
          if (first !== undefined && second !== undefined) this.resources.push({ file, block, type: first, name: second, address: `${first}.${second}` });
          break;
        case 'module':
          if (first !== undefined) this.modules.push({ file, block, name: first, address: `module.${first}` });
          break;
      }
    }
  }

  /** A definition, preferring one in `near` when the module (wrongly) defines the name twice. */
  static pick<T extends { readonly file: TfFile }>(list: readonly T[] | undefined, near: TfFile | undefined): T | undefined {
    if (!list || list.length === 0) return undefined;
    return list.find((d) => d.file === near) ?? list[0];
  }

  dispose(): void {
    for (const file of this.files) file.tree.delete();
    this.files.length = 0;
  }
}

function push<T>(map: Map<string, T[]>, key: string, value: T): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}
