import { basename } from 'node:path';
import { LineIndex } from '@imds-guard/core';
import type { Analyser } from '../analyser.js';
import { analyseEmbeddedShell, type EmbeddedShell } from '../embedded/index.js';
import { countSyntaxErrors } from '../fix-check.js';
import { mayMentionImds, PREFILTER_NEEDLES } from '../prefilter.js';
import { withBashTree } from '../tree-sitter.js';
import { dockerfileShell } from './pieces.js';

// `Dockerfile.md`, `dockerfile.js`, `dockerfile.vim`: documents about Dockerfiles, or code that reads them.
const NOT_DOCKERFILE = /\.(md|markdown|rst|txt|html?|json|ya?ml|toml|lock|[cm]?[jt]sx?|map|py|go|rb|rs|java|kt|cs|php|vim|el|lua|sh|ps1)$/i;

/** `Dockerfile`, `Dockerfile.prod`, `api.Dockerfile`, `build.dockerfile`, `Containerfile`, `Containerfile.ci`. */
export function isDockerfile(path: string): boolean {
  const name = basename(path);
  if (NOT_DOCKERFILE.test(name)) return false;
  return /^(docker|container)file(\..+)?$/i.test(name) || /\.(docker|container)file$/i.test(name);
}

/**
 * Dockerfiles and Containerfiles: the shell of RUN (at build time), CMD, ENTRYPOINT and
 * HEALTHCHECK (in the container), parsed with dockerfile-ast and read by the shell analyser.
 */
export function dockerfileAnalyser(): Analyser {
  return {
    name: 'dockerfile',
    claims: isDockerfile,
    mayMatter: mayMentionImds,
    needles: PREFILTER_NEEDLES,
    async analyse(files) {
      return Promise.all(
        files.map(async ({ text, file }) => {
          const { pieces, problems } = dockerfileShell(text);
          const lines = new LineIndex(text);
          return {
            file,
            findings: await analyseEmbeddedShell(text, file, pieces.filter(mentionsImds)),
            syntaxProblems: problems.map((offset) => lines.position(offset)),
          };
        }),
      );
    },
    async countSyntaxErrors(text) {
      const { pieces, problems } = dockerfileShell(text);
      return problems.length + (await shellSyntaxErrors(pieces));
    },
  };
}

/** Only a piece that names the metadata service can hold a finding; the others are not parsed. */
export const mentionsImds = (piece: EmbeddedShell) => mayMentionImds(piece.text);

/** Syntax errors in the pieces a POSIX shell runs, so that a fix cannot break one unnoticed. */
export async function shellSyntaxErrors(pieces: readonly EmbeddedShell[]): Promise<number> {
  let count = 0;
  for (const piece of pieces) {
    if ((piece.language ?? 'sh') === 'sh') count += await withBashTree(piece.text, countSyntaxErrors);
  }
  return count;
}
