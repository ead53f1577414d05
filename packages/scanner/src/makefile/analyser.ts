import { basename } from 'node:path';
import { LineIndex } from '@imds-guard/core';
import type { Analyser } from '../analyser.js';
import { mentionsImds, shellSyntaxErrors } from '../dockerfile/analyser.js';
import { analyseEmbeddedShell } from '../embedded/index.js';
import { mayMentionImds, PREFILTER_NEEDLES } from '../prefilter.js';
import { makefileShell } from './pieces.js';

/** `Makefile`, `makefile`, `GNUmakefile`, `rules.mk`, `release.Makefile`. */
export function isMakefile(path: string): boolean {
  const name = basename(path);
  return /^(GNUmakefile|makefile)$/i.test(name) || /\.(mk|makefile)$/i.test(name);
}

/** Makefiles: recipe lines and `$(shell …)` calls, read by the shell analyser with make's `$$` undone. */
export function makefileAnalyser(): Analyser {
  return {
    name: 'makefile',
    claims: isMakefile,
    mayMatter: mayMentionImds,
    needles: PREFILTER_NEEDLES,
    async analyse(files) {
      return Promise.all(
        files.map(async ({ text, file }) => {
          const { pieces, problems } = makefileShell(text);
          const lines = new LineIndex(text);
          return { file, findings: await analyseEmbeddedShell(text, file, pieces.filter(mentionsImds)), syntaxProblems: problems.map((o) => lines.position(o)) };
        }),
      );
    },
    async countSyntaxErrors(text) {
      const { pieces, problems } = makefileShell(text);
      return problems.length + (await shellSyntaxErrors(pieces));
    },
  };
}
