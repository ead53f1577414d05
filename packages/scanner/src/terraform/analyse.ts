import { reportLaunches } from '@imds-guard/core';
import type { FileAnalysis, SourceFile } from '../analyser.js';
import { toFileAnalyses } from '../iac/to-findings.js';
import { getParser } from '../tree-sitter.js';
import { Configuration } from './configuration.js';
import { adaptConfiguration } from './resources.js';
import { Evaluator } from './values.js';

/**
 * Analyses the files of one Terraform module: each file is parsed once, the resources are mapped
 * onto the shared launch model, and core judges and words them. Files with syntax errors are still
 * analysed (tree-sitter recovers); their problems are reported next to the findings.
 */
export async function analyseTerraformModule(files: readonly SourceFile[]): Promise<FileAnalysis[]> {
  const parser = await getParser('terraform');
  const config = new Configuration(files, parser);
  try {
    const { configs, defaults, consumers, direct } = adaptConfiguration(config, new Evaluator(config));
    const findings = [...reportLaunches(configs, defaults, 'Terraform', consumers), ...direct];
    const problems = new Map(config.files.map((f) => [f.file, f.syntaxProblems]));
    return toFileAnalyses(files, findings, problems);
  } finally {
    config.dispose();
  }
}
