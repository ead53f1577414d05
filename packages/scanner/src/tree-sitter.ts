import { createRequire } from 'node:module';
import { Language, Parser, type Tree } from 'web-tree-sitter';

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
      await (runtime ??= Parser.init());
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
