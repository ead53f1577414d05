import type { Analyser } from '../analyser.js';
import { countSyntaxErrors } from '../fix-check.js';
import { mayMentionImds, PREFILTER_NEEDLES } from '../prefilter.js';
import { withTree } from '../tree-sitter.js';
import { analysePowerShell } from './index.js';

/** PowerShell scripts and modules, by extension only: a PowerShell script has no reliable first line. */
export function isPowerShellFile(path: string): boolean {
  return /\.ps[m]?1$/i.test(path);
}

export function powerShellAnalyser(): Analyser {
  return {
    name: 'powershell',
    claims: isPowerShellFile,
    mayMatter: mayMentionImds,
    needles: PREFILTER_NEEDLES,
    async analyse(files) {
      return Promise.all(files.map(async ({ text, file }) => ({ file, ...(await analysePowerShell(text, file)) })));
    },
    countSyntaxErrors: (text) => withTree('powershell', text, countSyntaxErrors),
  };
}
