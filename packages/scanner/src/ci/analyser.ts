import type { Finding } from '@imds-guard/core';
import type { Document } from 'yaml';
import type { Analyser, FileAnalysis, SourceFile } from '../analyser.js';
import { analyseEmbeddedShell, type EmbeddedShell } from '../embedded/index.js';
import { mayMentionImds, PREFILTER_NEEDLES } from '../prefilter.js';
import { buildspecPieces } from './buildspec.js';
import { githubActionsPieces } from './github-actions.js';
import { gitlabCiPieces } from './gitlab-ci.js';
import { countYamlErrors, parseYaml } from './yaml.js';

/** Files that are CI configuration by their name alone: their syntax errors are worth a report. */
const CI_PATH = /(^|[\\/])\.(github|gitea|forgejo)[\\/]workflows[\\/]|(^|[\\/.])gitlab-ci\.ya?ml$|(^|[\\/])buildspec[^\\/]*\.ya?ml$|(^|[\\/])action\.ya?ml$/i;

/**
 * Shell in CI configuration: GitHub Actions workflows and composite actions, GitLab CI, CodeBuild
 * buildspecs. Every YAML file is claimed and recognised by its content, so that CloudFormation
 * templates and Ansible playbooks (also YAML) are left to their own analysers. The shell analyser
 * needs an IMDS address or command in the text, so a file without one is never parsed.
 */
export function ciAnalyser(): Analyser {
  return {
    name: 'ci',
    claims: (path) => /\.ya?ml$/i.test(path),
    mayMatter: mayMentionImds,
    needles: PREFILTER_NEEDLES,
    async analyse(files) {
      return Promise.all(files.map(analyseCiFile));
    },
    countSyntaxErrors: async (text) => countYamlErrors(text),
  };
}

export async function analyseCiFile(source: SourceFile): Promise<FileAnalysis> {
  const parsed = parseYaml(source.text);
  let recognised = false;
  const pieces: EmbeddedShell[] = [];
  for (const doc of parsed.docs) {
    const found = ciPieces(source.text, doc, source.path);
    if (found) {
      recognised = true;
      pieces.push(...found);
    }
  }
  const findings = withoutRepeats(await analyseEmbeddedShell(source.text, source.file, pieces));
  return { file: source.file, findings, syntaxProblems: recognised || CI_PATH.test(source.path) ? parsed.syntaxProblems : [] };
}

/** The shell pieces of one YAML document, or undefined when it is no CI format we know. */
export function ciPieces(host: string, doc: Document, path: string): EmbeddedShell[] | undefined {
  return githubActionsPieces(host, doc, path) ?? buildspecPieces(host, doc, path) ?? gitlabCiPieces(host, doc, path);
}

/** A line reached twice (an anchor used by two jobs) is one finding. */
export function withoutRepeats(findings: readonly Finding[]): Finding[] {
  const seen = new Set<string>();
  return findings.filter((f) => {
    const key = `${f.start}\0${f.end}\0${f.ruleId}\0${f.messageId}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
