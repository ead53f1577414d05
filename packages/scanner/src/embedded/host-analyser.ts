import { LineIndex } from '@imds-guard/core';
import type { Analyser } from '../analyser.js';
import { countSyntaxErrors } from '../fix-check.js';
import { mayMentionImds, PREFILTER_NEEDLES } from '../prefilter.js';
import { withBashTree } from '../tree-sitter.js';
import { analyseEmbeddedShell } from './analyse.js';
import type { EmbeddedShell } from './shell-text.js';

/** The shell a host file runs, and the offsets where the host's own syntax is broken. */
export type ShellExtractor = (text: string, path: string) => { pieces: EmbeddedShell[]; problems: number[] };

/**
 * An analyser for a file format that is only a carrier of shell (Dockerfiles, Makefiles, systemd
 * units): `extract` finds the shell, the shell analyser reads the pieces that name the metadata
 * service, and a fix is refused if it breaks either the host or a piece's shell.
 */
export function shellHostAnalyser(name: string, claims: (path: string) => boolean, extract: ShellExtractor): Analyser {
  return {
    name,
    claims,
    mayMatter: mayMentionImds,
    needles: PREFILTER_NEEDLES,
    async analyse(files) {
      return Promise.all(
        files.map(async ({ text, file, path }) => {
          const { pieces, problems } = extract(text, path);
          const lines = new LineIndex(text);
          return {
            file,
            findings: await analyseEmbeddedShell(text, file, pieces.filter((piece) => mayMentionImds(piece.text))),
            syntaxProblems: problems.map((offset) => lines.position(offset)),
          };
        }),
      );
    },
    async countSyntaxErrors(text, path) {
      const { pieces, problems } = extract(text, path);
      return problems.length + (await shellSyntaxErrors(pieces));
    },
  };
}

/** Syntax errors in the pieces a POSIX shell runs, so that a fix cannot break one unnoticed. */
async function shellSyntaxErrors(pieces: readonly EmbeddedShell[]): Promise<number> {
  let count = 0;
  for (const piece of pieces) {
    if ((piece.language ?? 'sh') === 'sh') count += await withBashTree(piece.text, countSyntaxErrors);
  }
  return count;
}
