import { LineIndex, type Finding } from '@imds-guard/core';
import type { Node, Tree } from 'web-tree-sitter';
import type { SyntaxProblem } from '../analyser.js';
import { ancestors } from '../bash/ancestors.js';
import { toFinding, type RawFinding } from '../bash/index.js';
import { mayMentionImds, PREFILTER_NEEDLES } from '../prefilter.js';
import { errorNodes, withTree } from '../tree-sitter.js';
import { PowerShellAnalysis } from './analyse.js';

export interface PowerShellFileAnalysis {
  readonly findings: Finding[];
  /** Where tree-sitter-powershell had to recover; requests elsewhere are still analysed. */
  readonly syntaxProblems: SyntaxProblem[];
}

/** Analyses a `.ps1`/`.psm1` file. */
export async function analysePowerShell(text: string, file: string): Promise<PowerShellFileAnalysis> {
  return withTree('powershell', text, (tree) => {
    const lines = new LineIndex(text);
    const findings = rawFindings(tree, text).map((f) => toFinding(f, file, lines));
    findings.sort((a, b) => a.start - b.start || a.ruleId.localeCompare(b.ruleId));
    return { findings, syntaxProblems: errorNodes(tree.rootNode).map((n) => lines.position(n.startIndex)) };
  });
}

/** The raw findings of a PowerShell text (a file, or a `<powershell>` block of user data). */
export function rawPowerShellFindings(text: string): Promise<RawFinding[]> {
  return withTree('powershell', text, (tree) => rawFindings(tree, text));
}

function rawFindings(tree: Tree, text: string): RawFinding[] {
  const findings = new PowerShellAnalysis(tree.rootNode, text).run();
  return [...findings, ...unparsedRequests(tree.rootNode, text, findings)];
}

/**
 * Where the grammar had to recover, the rest of the statement is not read as written (a command
 * after a bad line can become arguments of the one before), so a request to IMDS there may go
 * unreported. When that part mentions the metadata service and nothing was reported in it, say
 * so: a warning that names the reason, rather than silence.
 */
function unparsedRequests(root: Node, text: string, findings: readonly RawFinding[]): RawFinding[] {
  const out: RawFinding[] = [];
  for (const error of errorNodes(root)) {
    const statement = enclosingStatement(error);
    const end = Math.max(statement.endIndex, error.endIndex);
    const mention = firstMention(text, error.startIndex, end);
    if (mention === undefined) continue;
    if (findings.some((f) => f.start < end && f.end > error.startIndex)) continue;
    // Point at the line that mentions IMDS: the recovery may have begun lines above it.
    const lineStart = Math.max(error.startIndex, text.lastIndexOf('\n', mention) + 1);
    const start = lineStart + (/^[ \t]*/.exec(text.slice(lineStart))?.[0].length ?? 0);
    const lineEnd = text.slice(start).search(/\r?\n/);
    out.push({
      ruleId: 'no-imdsv1-request',
      messageId: 'cannotDetermine',
      data: {
        client: 'this PowerShell code',
        url: 'the metadata service',
        reason: 'tree-sitter-powershell could not parse this part of the script, so the requests in it were not analysed',
      },
      start,
      end: lineEnd < 0 ? text.length : start + lineEnd,
    });
  }
  return out;
}

/** The statement (a child of a statement list) that holds `node`, or the script. */
function enclosingStatement(node: Node): Node {
  const path = [...ancestors(node), node];
  for (let i = 1; i < path.length; i++) {
    if (path[i - 1]!.type === 'statement_list') return path[i]!;
  }
  return path[0]!;
}

/** Where the first of the prefilter's needles (an IMDS address or name) is in `text[from, to)`. */
function firstMention(text: string, from: number, to: number): number | undefined {
  const slice = text.slice(from, to);
  if (!mayMentionImds(slice)) return undefined;
  const lower = slice.toLowerCase();
  const found = PREFILTER_NEEDLES.map((n) => lower.indexOf(n.toLowerCase())).filter((i) => i >= 0);
  return from + Math.min(...found);
}
