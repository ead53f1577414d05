import type { Finding } from '@imds-guard/core';

export interface SyntaxProblem {
  readonly line: number;
  readonly column: number;
}

export interface ShellAnalysis {
  readonly findings: Finding[];
  /** Where tree-sitter had to insert ERROR or MISSING nodes; findings elsewhere are still reported. */
  readonly syntaxProblems: SyntaxProblem[];
}

/** Placeholder until the analyser lands (being written in this folder). */
export async function analyseShell(_text: string, _file: string): Promise<ShellAnalysis> {
  return { findings: [], syntaxProblems: [] };
}
