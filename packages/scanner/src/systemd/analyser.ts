import { LineIndex } from '@imds-guard/core';
import type { Analyser } from '../analyser.js';
import { mentionsImds, shellSyntaxErrors } from '../dockerfile/analyser.js';
import { analyseEmbeddedShell } from '../embedded/index.js';
import { mayMentionImds, PREFILTER_NEEDLES } from '../prefilter.js';
import { unitShell } from './pieces.js';

/** Service and socket units (the unit types with `Exec*=` settings) and their drop-ins. */
export function isUnitFile(path: string): boolean {
  const p = path.replaceAll('\\', '/');
  return /\.(service|socket)$/i.test(p) || /\.(service|socket)\.d\/[^/]+\.conf$/i.test(p);
}

/** systemd units: the commands of `Exec*=` settings, read by the shell analyser. */
export function systemdAnalyser(): Analyser {
  return {
    name: 'systemd',
    claims: isUnitFile,
    mayMatter: mayMentionImds,
    needles: PREFILTER_NEEDLES,
    async analyse(files) {
      return Promise.all(
        files.map(async ({ text, file, path }) => {
          const { pieces, problems } = unitShell(text, path);
          const lines = new LineIndex(text);
          return { file, findings: await analyseEmbeddedShell(text, file, pieces.filter(mentionsImds)), syntaxProblems: problems.map((o) => lines.position(o)) };
        }),
      );
    },
    async countSyntaxErrors(text, path) {
      const { pieces, problems } = unitShell(text, path);
      return problems.length + (await shellSyntaxErrors(pieces));
    },
  };
}
