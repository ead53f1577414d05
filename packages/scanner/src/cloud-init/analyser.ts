import { basename, extname } from 'node:path';
import type { Analyser, FileAnalysis, SourceFile } from '../analyser.js';
import { withoutRepeats } from '../ci/analyser.js';
import { countYamlErrors } from '../ci/yaml.js';
import { analyseEmbeddedShell } from '../embedded/index.js';
import { mayMentionImds, PREFILTER_NEEDLES } from '../prefilter.js';
import { readHead } from '../read.js';
import { cloudConfigPieces, isCloudConfigText } from './cloud-config.js';

/** Extensions cloud-config files are given; these, and files named like user data, have their first line read. */
const CLOUD_CONFIG_EXTENSIONS = new Set(['.cloud-config', '.cloudconfig', '.cloudinit', '.cfg', '.userdata']);
const USER_DATA_NAME = /user[-_.]?data|cloud[-_.]?(init|config)/i;

/**
 * Standalone cloud-config files: any file whose first line is `#cloud-config`. YAML files are
 * claimed and checked by content; a few other extensions and user-data-like names by their first
 * line. (`.tpl` files are Terraform templates: they reach cloud-config through the user data of the
 * resource that renders them, with Terraform's escaping.)
 */
export function cloudInitAnalyser(): Analyser {
  return {
    name: 'cloud-init',
    claims(path, explicit) {
      if (/\.ya?ml$/i.test(path)) return true;
      const named = CLOUD_CONFIG_EXTENSIONS.has(extname(path).toLowerCase()) || USER_DATA_NAME.test(basename(path));
      return (named || explicit) && !/\.(tpl|tftpl)$/i.test(path) && isCloudConfigText(readHead(path, 64).replace(/^\uFEFF/, ''));
    },
    mayMatter: (text) => isCloudConfigText(text) && mayMentionImds(text),
    needles: PREFILTER_NEEDLES,
    async analyse(files) {
      return Promise.all(files.map(analyseCloudConfigFile));
    },
    countSyntaxErrors: async (text) => countYamlErrors(text),
  };
}

export async function analyseCloudConfigFile(source: SourceFile): Promise<FileAnalysis> {
  if (!isCloudConfigText(source.text)) return { file: source.file, findings: [], syntaxProblems: [] };
  const { parsed, pieces } = cloudConfigPieces(source.text);
  const findings = withoutRepeats(await analyseEmbeddedShell(source.text, source.file, pieces));
  return { file: source.file, findings, syntaxProblems: parsed.syntaxProblems };
}
