import { reportLaunches, type Finding } from '@imds-guard/core';
import type { FileAnalysis, SourceFile } from '../analyser.js';
import { analyseEmbeddedShell, isTokenlessRequest } from '../embedded/index.js';
import { toFileAnalyses } from '../iac/to-findings.js';
import { getParser } from '../tree-sitter.js';
import { launchTokens, linkUserData, type PendingRequest } from './boot-check.js';
import { Configuration } from './configuration.js';
import { embeddedCode, type Host } from './embedded-code.js';
import { adaptConfiguration } from './resources.js';
import { Evaluator } from './values.js';

/**
 * Analyses the files of one Terraform module: each file is parsed once, the resources are mapped
 * onto the shared launch model, and core judges and words them. The shell the module embeds (user
 * data, provisioners, external programs, and the files they read) is analysed with what the
 * launch model says about the instances that run it. Files with syntax errors are still analysed
 * (tree-sitter recovers); their problems are reported next to the findings.
 */
export async function analyseTerraformModule(files: readonly SourceFile[]): Promise<FileAnalysis[]> {
  const parser = await getParser('terraform');
  const config = new Configuration(files, parser);
  try {
    const evaluator = new Evaluator(config);
    const { configs, defaults, consumers, direct } = adaptConfiguration(config, evaluator);
    const tokens = launchTokens(configs, defaults);
    const pieces = embeddedCode(config, evaluator, parser, (launcher) => {
      const judged = tokens(launcher);
      return judged?.required ? launcher : undefined;
    });
    const embedded = new Map<Host, Finding[]>();
    const pending: PendingRequest[] = [];
    for (const piece of pieces) {
      const found = await analyseEmbeddedShell(piece.host.text, piece.host.file, [piece.shell]);
      embedded.set(piece.host, [...(embedded.get(piece.host) ?? []), ...found]);
      const judged = piece.launcher ? tokens(piece.launcher) : undefined;
      if (judged && !judged.required) {
        for (const finding of found.filter(isTokenlessRequest)) pending.push({ launcher: piece.launcher!, role: piece.role ?? 'user data', owner: judged.owner, finding });
      }
    }
    const findings = linkUserData([...reportLaunches(configs, defaults, 'Terraform', consumers), ...direct], pending);
    const problems = new Map(config.files.map((f) => [f.file, f.syntaxProblems]));
    const analyses = toFileAnalyses(files, findings, problems);
    const byFile = new Map(analyses.map((a) => [a.file, a]));
    const out: FileAnalysis[] = [...analyses];
    for (const [host, found] of embedded) {
      const own = byFile.get(host.file);
      if (own && !host.referenced) {
        out[out.indexOf(own)] = { ...own, findings: [...own.findings, ...withoutDuplicates(found)] };
      } else if (host.referenced) {
        out.push({ file: host.file, findings: withoutDuplicates(found), syntaxProblems: [], source: { path: host.referenced.path, text: host.text, bom: host.referenced.bom } });
      }
    }
    return out;
  } finally {
    config.dispose();
  }
}

const RANK = { error: 3, warning: 2, note: 1 } as const;

/** One finding per rule and range: code reached twice (a template two instances use) is reported once, the graver way. */
function withoutDuplicates(findings: readonly Finding[]): Finding[] {
  const kept = new Map<string, Finding>();
  for (const f of findings) {
    const key = `${f.start}\0${f.end}\0${f.ruleId}\0${isTokenlessRequest(f) ? 'tokenless' : f.messageId}`;
    const other = kept.get(key);
    if (!other || RANK[f.severity] > RANK[other.severity]) kept.set(key, f);
  }
  return [...kept.values()].sort((a, b) => a.start - b.start || a.ruleId.localeCompare(b.ruleId));
}
