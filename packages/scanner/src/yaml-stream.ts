import { LineCounter, parseAllDocuments, type DocumentOptions, type Document, type ParseOptions, type SchemaOptions } from 'yaml';
import type { SyntaxProblem } from './analyser.js';

export interface YamlStream {
  readonly docs: readonly Document.Parsed[];
  /** The first ten parse errors, by line and column. */
  readonly syntaxProblems: readonly SyntaxProblem[];
}

/** Every document of a YAML text, with where the parser had to recover. */
export function parseYamlStream(text: string, options: ParseOptions & DocumentOptions & SchemaOptions): YamlStream {
  const lineCounter = new LineCounter();
  const docs = parseAllDocuments(text, { ...options, lineCounter });
  const list = Array.isArray(docs) ? docs : [];
  const syntaxProblems = list
    .flatMap((d) => d.errors)
    .slice(0, 10)
    .map((e) => {
      const { line, col } = lineCounter.linePos(e.pos[0]);
      return { line, column: col };
    });
  return { docs: list, syntaxProblems };
}

/** How many parse errors the documents of a YAML text have. */
export function countYamlStreamErrors(text: string, options: ParseOptions & DocumentOptions & SchemaOptions): number {
  const docs = parseAllDocuments(text, options);
  return Array.isArray(docs) ? docs.reduce((n, d) => n + d.errors.length, 0) : 1;
}
