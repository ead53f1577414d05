import { isScalar, isSeq, type Document, type Node } from 'yaml';
import type { EmbeddedShell } from '../embedded/index.js';
import { languageOf } from './github-actions.js';
import { deref, entries, get, getMap, scalarText } from './yaml.js';
import { YamlShellBuilder } from './yaml-shell.js';

const BUILDSPEC_NAME = /(^|[\\/])buildspec[^\\/]*\.ya?ml$/i;

/**
 * The `commands` and `finally` lists of a CodeBuild buildspec's phases, as shell pieces. Version 0.2
 * runs every command of the build in one shell, so the whole buildspec is one piece (a token fetched
 * in `pre_build` is there in `build`); version 0.1 starts a shell per command. Undefined when the
 * document is not a buildspec: a `phases` map, and a file named `buildspec*.yml` or a `version`.
 */
export function buildspecPieces(host: string, doc: Document, path: string): EmbeddedShell[] | undefined {
  const root = doc.contents;
  const phases = getMap(root, 'phases', doc);
  const version = scalarText(get(root, 'version', doc));
  if (!phases || (!BUILDSPEC_NAME.test(path) && version !== '0.1' && version !== '0.2')) return undefined;
  const env = getMap(root, 'env', doc);
  const shell = scalarText(get(env, 'shell', doc));
  const language = shell === undefined ? 'sh' : languageOf(shell);
  if (!language) return [];
  const environment = language === 'sh' ? entries(get(env, 'variables', doc), doc) : [];

  const commands: { node: Node; phase: string }[] = [];
  for (const [phase, body] of entries(phases, doc)) {
    for (const key of ['commands', 'finally']) {
      const list = deref(get(body, key, doc), doc);
      const items = isSeq(list) ? list.items : isScalar(list) ? [list] : [];
      for (const item of items) {
        const node = deref(item, doc);
        if (isScalar(node)) commands.push({ node, phase });
      }
    }
  }
  if (version === '0.1') {
    return commands.flatMap(({ node, phase }) => {
      const builder = new YamlShellBuilder(host).environment(environment);
      return builder.scalar(node) ? [builder.build({ context: `in the ${phase} phase of this buildspec`, language })] : [];
    });
  }
  const builder = new YamlShellBuilder(host).environment(environment);
  let last: number | undefined;
  for (const { node } of commands) {
    if (last !== undefined) builder.joiner(last, '\n');
    if (builder.scalar(node, { item: true })) last = node.range![1];
  }
  return builder.isEmpty ? [] : [builder.build({ context: 'in this CodeBuild buildspec', language })];
}
