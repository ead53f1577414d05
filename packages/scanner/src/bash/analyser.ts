import type { Analyser } from '../analyser.js';
import { countSyntaxErrors } from '../fix-check.js';
import { mayMentionImds, PREFILTER_NEEDLES } from '../prefilter.js';
import { isShellCandidate } from '../shell-candidate.js';
import { withBashTree } from '../tree-sitter.js';
import { analyseShell } from './index.js';

export function shellAnalyser(analyse: typeof analyseShell = analyseShell): Analyser {
  return {
    name: 'shell',
    claims: isShellCandidate,
    mayMatter: mayMentionImds,
    needles: PREFILTER_NEEDLES,
    async analyse(files) {
      return Promise.all(files.map(async ({ text, file }) => ({ file, ...(await analyse(text, file)) })));
    },
    countSyntaxErrors: (text) => withBashTree(text, countSyntaxErrors),
  };
}
