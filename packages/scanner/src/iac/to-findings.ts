import { formatMessage, LineIndex, REQUIRE_TOKENS_FIX, type Finding, type IacFinding, type MessageId, type RuleId } from '@imds-guard/core';
import type { FileAnalysis, SourceFile, SyntaxProblem } from '../analyser.js';

/**
 * Turns the IaC findings of one configuration into per-file analyses. Every file of the group gets
 * an entry, so that syntax problems are reported even where nothing was found.
 */
export function toFileAnalyses(
  files: readonly SourceFile[],
  findings: readonly IacFinding[],
  syntaxProblems: ReadonlyMap<string, readonly SyntaxProblem[]> = new Map(),
): FileAnalysis[] {
  const lines = new Map(files.map((f) => [f.file, new LineIndex(f.text)]));
  const byFile = new Map<string, Finding[]>(files.map((f) => [f.file, []]));
  for (const f of findings) {
    const index = lines.get(f.span.file);
    const list = byFile.get(f.span.file);
    if (!index || !list) continue;
    const { message, severity } = formatMessage(f.ruleId as RuleId, f.messageId as MessageId<RuleId>, f.data);
    const fix = f.edits && f.edits.length > 0 ? { description: REQUIRE_TOKENS_FIX, safety: 'unsafe' as const, edits: f.edits } : undefined;
    list.push({
      ruleId: f.ruleId,
      messageId: f.messageId,
      severity,
      message,
      file: f.span.file,
      start: f.span.start,
      end: f.span.end,
      ...index.location(f.span.start, f.span.end),
      ...(fix ? { fix } : {}),
    });
  }
  return files.map((f) => ({ file: f.file, findings: byFile.get(f.file)!, syntaxProblems: syntaxProblems.get(f.file) ?? [] }));
}
