import { createRequire } from 'node:module';
import { Language, Parser, type Tree } from 'web-tree-sitter';

const require = createRequire(import.meta.url);
let bashParser: Promise<Parser> | undefined;

/** The bash grammar loaded once per process, from the .wasm the grammar package ships. */
export function getBashParser(): Promise<Parser> {
  bashParser ??= (async () => {
    await Parser.init();
    const language = await Language.load(require.resolve('tree-sitter-bash/tree-sitter-bash.wasm'));
    const parser = new Parser();
    parser.setLanguage(language);
    return parser;
  })();
  return bashParser;
}

/** Parses, hands the tree to `use`, and frees the WASM memory whatever happens. */
export async function withBashTree<T>(text: string, use: (tree: Tree) => T): Promise<T> {
  const parser = await getBashParser();
  const tree = parser.parse(text);
  if (!tree) throw new Error('tree-sitter returned no tree');
  try {
    return use(tree);
  } finally {
    tree.delete();
  }
}
