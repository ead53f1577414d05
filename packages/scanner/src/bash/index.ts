import { formatMessage, LineIndex, type Finding, type MessageId, type RuleId } from '@imds-guard/core';
import type { Node } from 'web-tree-sitter';
import { errorNodes, getBashParser } from '../tree-sitter.js';
import { ShellAnalysis as Analysis, type RawFinding } from './analyse.js';

import type { SyntaxProblem } from '../analyser.js';

export type { RawFinding, SyntaxProblem };

export interface ShellAnalysis {
  readonly findings: Finding[];
  /** Where tree-sitter had to insert ERROR or MISSING nodes; findings elsewhere are still reported. */
  readonly syntaxProblems: SyntaxProblem[];
}

const FIX_DESCRIPTIONS: Record<string, string> = {
  missingToken: 'Fetch an IMDSv2 token once and send it with this request',
  misspelledToken: 'Spell the header X-aws-ec2-metadata-token',
  tokenPathGet: 'Request the token with PUT and a TTL header',
  datedTokenPath: 'Request the token from /latest/api/token',
  missingTtl: 'Add the X-aws-ec2-metadata-token-ttl-seconds header',
  tokensOptional: 'Require IMDSv2 tokens',
  tokensMissing: 'Require IMDSv2 tokens',
  endpointWithoutTokens: 'Require IMDSv2 tokens',
};

export async function analyseShell(text: string, file: string): Promise<ShellAnalysis> {
  const parser = await getBashParser();
  const tree = parser.parse(text);
  if (!tree) throw new Error('tree-sitter returned no tree');
  try {
    const lines = new LineIndex(text);
    const findings = new Analysis(tree.rootNode, text, parser).run().map((f) => toFinding(f, file, lines));
    findings.sort((a, b) => a.start - b.start || a.ruleId.localeCompare(b.ruleId));
    return { findings, syntaxProblems: syntaxProblems(tree.rootNode, lines) };
  } finally {
    tree.delete();
  }
}

/** The raw findings of a shell text, offsets in that text (for shell embedded in other files). */
export async function rawShellFindings(text: string): Promise<RawFinding[]> {
  const parser = await getBashParser();
  const tree = parser.parse(text);
  if (!tree) throw new Error('tree-sitter returned no tree');
  try {
    return new Analysis(tree.rootNode, text, parser).run();
  } finally {
    tree.delete();
  }
}

/** Gives a raw finding its message, severity, position and fix; `context` is appended to the message. */
export function toFinding(f: RawFinding, file: string, lines: LineIndex, context?: string, fixOf = f.messageId): Finding {
  const { message, severity } = formatMessage(f.ruleId as RuleId, f.messageId as MessageId<RuleId>, f.data);
  const safety = f.ruleId === 'no-imdsv1-instance-config' ? 'unsafe' : 'safe';
  const fix = f.edits && f.edits.length > 0 ? { description: FIX_DESCRIPTIONS[fixOf] ?? 'Fix', safety, edits: f.edits } as const : undefined;
  return {
    ruleId: f.ruleId,
    messageId: f.messageId,
    severity,
    message: context ? `${message} (${context})` : message,
    file,
    start: f.start,
    end: f.end,
    ...lines.location(f.start, f.end),
    ...(fix ? { fix } : {}),
  };
}

function syntaxProblems(root: Node, lines: LineIndex): SyntaxProblem[] {
  return errorNodes(root).map((node) => lines.position(node.startIndex));
}
