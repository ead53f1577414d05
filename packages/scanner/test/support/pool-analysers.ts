// Analysers for the worker-pool tests, importable by a worker thread. Each `.job` file says what
// its analysis does: report findings, throw, or bring down the thread it runs on.
import type { Finding } from '@imds-guard/core';
import type { Analyser, FileAnalysis, SourceFile } from '../../src/analyser.ts';

function finding(file: string, line: number): Finding {
  return { ruleId: 'test-rule', messageId: 'm', severity: 'warning', message: `line ${line}`, file, line, column: 1, endLine: line, endColumn: 2, start: (line - 1) * 10, end: (line - 1) * 10 + 1 };
}

async function analyseOne({ text, file }: SourceFile): Promise<FileAnalysis> {
  if (text.includes('EXIT')) process.exit(3); // in a worker thread, ends that thread only
  if (text.includes('UNCAUGHT')) {
    setTimeout(() => {
      throw new Error('thrown outside the job');
    });
    return new Promise(() => {}); // never settles: only the thread's death ends it
  }
  if (text.includes('THROW')) throw new Error(`cannot analyse ${file}`);
  const lines = text.split('\n').filter(Boolean).length;
  return { file, findings: Array.from({ length: lines }, (_, i) => finding(file, i + 1)), syntaxProblems: lines > 3 ? [{ line: 4, column: 1 }] : [] };
}

export const jobAnalyser: Analyser = {
  name: 'job',
  claims: (path) => path.endsWith('.job'),
  mayMatter: (text) => !text.startsWith('skip'),
  async analyse(files) {
    return Promise.all(files.map(analyseOne));
  },
  countSyntaxErrors: async () => 0,
};

/** Files of one directory analysed together, as a Terraform module is. */
export const groupAnalyser: Analyser = {
  name: 'group',
  claims: (path) => path.endsWith('.grp'),
  mayMatter: (text) => text.includes('matters'),
  groupOf: (path) => path.slice(0, path.lastIndexOf('/')),
  async analyse(files) {
    return files.map(({ file }) => ({ file, findings: [finding(file, files.length)], syntaxProblems: [] }));
  },
  countSyntaxErrors: async () => 0,
};

let warmedUp = false;

/** One with a costly start: each finding says whether warmUp had run in its thread before. */
export const warmingAnalyser: Analyser = {
  name: 'warming',
  claims: (path) => path.endsWith('.warm'),
  mayMatter: () => true,
  async warmUp() {
    warmedUp = true;
  },
  async analyse(files) {
    return files.map(({ file }) => ({ file, findings: [{ ...finding(file, 1), message: warmedUp ? 'warmed up first' : 'cold start' }], syntaxProblems: [] }));
  },
  countSyntaxErrors: async () => 0,
};

export const ANALYSERS: readonly Analyser[] = [jobAnalyser, groupAnalyser, warmingAnalyser];
export const WRONG_ORDER: readonly Analyser[] = [groupAnalyser, jobAnalyser, warmingAnalyser];
