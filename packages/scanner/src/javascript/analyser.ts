/**
 * JavaScript and TypeScript: the ESLint plugin's own rules, run through ESLint's `Linter` with the
 * plugin's recommended config and nothing else, so `imds-guard scan` and `eslint` report the same
 * findings. Safe ESLint fixes become safe fixes; the suggestions of a rule whose fix safety is
 * unsafe (requiring tokens) become unsafe fixes; other suggestions (which restructure async code)
 * stay editor-only.
 */
import { extname } from 'node:path';
import type { Linter } from 'eslint';
import { getRule, LineIndex, REQUIRE_TOKENS_FIX, type Finding, type Fix } from '@imds-guard/core';
// Only the needles are loaded up front: ESLint and the rules are loaded when a file needs them,
// so a scan of a repository without JavaScript pays nothing for them.
import { LAUNCH_NEEDLES, mayConfigureInstances, mayMakeImdsRequests, REQUEST_NEEDLES } from '@imds-guard/eslint-rules/prefilter';
import type { Analyser, FileAnalysis, SourceFile, SyntaxProblem } from '../analyser.js';

const EXTENSIONS = new Set(['.js', '.mjs', '.cjs', '.jsx', '.ts', '.tsx', '.mts', '.cts']);

/** What a safe ESLint fix does, for reports (ESLint fixes carry no description of their own). */
const FIX_DESCRIPTIONS: Record<string, string> = {
  misspelledToken: 'Correct the token header name to X-aws-ec2-metadata-token',
  datedTokenPath: 'Request the token from /latest/api/token',
  missingTtl: 'Add the X-aws-ec2-metadata-token-ttl-seconds header (21600 seconds)',
};

interface Loaded {
  readonly linter: Linter;
  readonly config: Linter.Config[];
  readonly namespace: string;
}

let loaded: Promise<Loaded> | undefined;

function load(): Promise<Loaded> {
  loaded ??= (async () => {
    const [{ Linter }, plugin] = await Promise.all([import('eslint'), import('@imds-guard/eslint-rules')]);
    return { linter: new Linter({ configType: 'flat' }), config: plugin.default.configs.recommended, namespace: plugin.NAMESPACE };
  })();
  return loaded;
}

export function isJavaScriptFile(path: string): boolean {
  return EXTENSIONS.has(extname(path).toLowerCase());
}

/** The file name ESLint sees: only the extension matters to the config (parser, JSX). */
function lintName(path: string): string {
  return `source${extname(path).toLowerCase()}`;
}

export async function analyseJavaScript(source: SourceFile): Promise<FileAnalysis> {
  const { linter, config, namespace } = await load();
  const messages = linter.verify(source.text, config, { filename: lintName(source.path) });
  const index = new LineIndex(source.text);
  const offset = (line: number, column: number) => index.lineStart(line) + column - 1;
  const findings: Finding[] = [];
  const syntaxProblems: SyntaxProblem[] = [];
  for (const m of messages) {
    if (m.fatal || !m.ruleId) {
      syntaxProblems.push({ line: m.line, column: m.column });
      continue;
    }
    const ruleId = m.ruleId.startsWith(`${namespace}/`) ? m.ruleId.slice(namespace.length + 1) : m.ruleId;
    const rule = getRule(ruleId);
    if (!rule || !m.messageId) continue;
    const start = offset(m.line, m.column);
    const endLine = m.endLine ?? m.line;
    const endColumn = m.endColumn ?? m.column;
    const fix = toFix(m, rule.fix.safety);
    findings.push({
      ruleId,
      messageId: m.messageId,
      severity: rule.messages[m.messageId]?.severity ?? rule.severity,
      message: m.message,
      file: source.file,
      start,
      end: offset(endLine, endColumn),
      line: m.line,
      column: m.column,
      endLine,
      endColumn,
      ...(fix ? { fix } : {}),
    });
  }
  return { file: source.file, findings, syntaxProblems };
}

function toFix(m: Linter.LintMessage, safety: 'safe' | 'unsafe'): Fix | undefined {
  if (m.fix) {
    return { description: FIX_DESCRIPTIONS[m.messageId ?? ''] ?? 'Apply the fix', safety: 'safe', edits: [{ start: m.fix.range[0], end: m.fix.range[1], text: m.fix.text }] };
  }
  const suggestion = safety === 'unsafe' ? m.suggestions?.[0] : undefined;
  if (!suggestion) return undefined;
  return { description: `${REQUIRE_TOKENS_FIX} (${suggestion.desc})`, safety: 'unsafe', edits: [{ start: suggestion.fix.range[0], end: suggestion.fix.range[1], text: suggestion.fix.text }] };
}

export function javascriptAnalyser(): Analyser {
  return {
    name: 'javascript',
    claims: (path) => isJavaScriptFile(path),
    mayMatter: (text) => mayMakeImdsRequests(text) || mayConfigureInstances(text),
    needles: [...REQUEST_NEEDLES, ...LAUNCH_NEEDLES],
    async warmUp() {
      const { linter, config } = await load();
      linter.verify('export const warm = 1;\n', config, { filename: 'warm-up.ts' });
    },
    async analyse(files) {
      return Promise.all(files.map(analyseJavaScript));
    },
    async countSyntaxErrors(text, path) {
      const { linter, config } = await load();
      const parseOnly = config.map((c) => ({ ...c, rules: {} }));
      return linter.verify(text, parseOnly, { filename: lintName(path) }).filter((m) => m.fatal).length;
    },
  };
}
