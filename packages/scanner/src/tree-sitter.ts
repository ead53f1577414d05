import { createRequire } from 'node:module';
import { setFlagsFromString } from 'node:v8';
import { Language, Parser, type Node, type Tree } from 'web-tree-sitter';

const require = createRequire(import.meta.url);

/** The grammars we parse with, each the .wasm its npm package ships (no native build). */
const GRAMMARS = {
  bash: 'tree-sitter-bash/tree-sitter-bash.wasm',
  terraform: '@tree-sitter-grammars/tree-sitter-hcl/tree-sitter-terraform.wasm',
  hcl: '@tree-sitter-grammars/tree-sitter-hcl/tree-sitter-hcl.wasm',
  powershell: 'tree-sitter-powershell/tree-sitter-powershell.wasm',
} as const;

export type Grammar = keyof typeof GRAMMARS;

let runtime: Promise<void> | undefined;
const parsers = new Map<Grammar, Promise<Parser>>();

/** A parser for `grammar`, loaded once per process. */
export function getParser(grammar: Grammar): Promise<Parser> {
  let parser = parsers.get(grammar);
  if (!parser) {
    parser = (async () => {
      await (runtime ??= initRuntime());
      const language = await Language.load(require.resolve(GRAMMARS[grammar]));
      const p = new Parser();
      p.setLanguage(language);
      return p;
    })();
    parsers.set(grammar, parser);
  }
  return parser;
}

export function getBashParser(): Promise<Parser> {
  return getParser('bash');
}

/** Parses, hands the tree to `use`, and frees the WASM memory whatever happens. */
export async function withTree<T>(grammar: Grammar, text: string, use: (tree: Tree) => T): Promise<T> {
  const parser = await getParser(grammar);
  const tree = parser.parse(text);
  if (!tree) throw new Error('tree-sitter returned no tree');
  try {
    return use(tree);
  } finally {
    tree.delete();
  }
}

export function withBashTree<T>(text: string, use: (tree: Tree) => T): Promise<T> {
  return withTree('bash', text, use);
}

/**
 * V8 first compiles WebAssembly with its baseline compiler (Liftoff), then recompiles the hot
 * functions with TurboFan in the background. A grammar's lexer is one huge function: recompiling
 * the PowerShell one takes ~6 s of CPU and keeps the process alive until it is done, and over a
 * whole scan the recompiles cost more (~0.5 s of CPU) than the faster code saves. So grammars stay
 * on Liftoff. The flags are process-wide and apply to modules compiled after this point.
 */
function initRuntime(): Promise<void> {
  setFlagsFromString('--liftoff --no-wasm-tier-up --no-wasm-dynamic-tiering');
  return Parser.init();
}

/** The outermost ERROR and MISSING nodes, walked with an explicit stack (scripts nest 10,000 levels deep), at most ten. */
export function errorNodes(root: Node): Node[] {
  if (!root.hasError) return [];
  const out: Node[] = [];
  const stack: Node[] = [root];
  while (stack.length > 0 && out.length < 10) {
    const node = stack.pop()!;
    if (node.type === 'ERROR' || node.isMissing) {
      out.push(node);
      continue;
    }
    if (!node.hasError) continue;
    const children = node.children.filter((c): c is Node => c !== null);
    for (let i = children.length - 1; i >= 0; i--) stack.push(children[i]!);
  }
  return out;
}
