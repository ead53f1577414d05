/**
 * Inline suppressions: `imds-guard-ignore <rules> -- <reason>` on the line of a finding, or
 * `imds-guard-ignore-next-line <rules> -- <reason>` on the line before it, written in the file's
 * own comment syntax. The rules are named by id (with or without `imds-guard/`), code or alias,
 * several separated by commas.
 *
 * This is a directive syntax, not code: comments are found per line by their leader (`#`, `//`,
 * `/*`), the way `# shellcheck disable=…` and `# noqa` are, so a directive inside a string literal
 * counts too. It runs after analysis, over the findings of every analyser, which keeps the
 * analysers free of it.
 *
 * A directive without a reason, naming no known rule, or suppressing nothing is reported as a
 * finding of `no-invalid-suppression` (IMDS005), as ESLint's `--report-unused-disable-directives`
 * and Ruff's RUF100 do; an unused one gets a safe fix that removes it.
 */
import { extname } from 'node:path';
import { formatMessage, LineIndex, type Edit, type Finding, type Severity } from '@imds-guard/core';
import { findRule, knownRuleNames } from './rule-names.js';

export const SUPPRESSION_RULE = 'no-invalid-suppression';
export const DIRECTIVE = 'imds-guard-ignore';

/** Severity overrides by rule id; 'off' drops the rule's findings. Keys are canonical rule ids. */
export type RuleSettings = Readonly<Record<string, Severity | 'off'>>;

export interface TextFile {
  readonly file: string;
  readonly path: string;
  readonly text: string;
}

type Leader = '#' | '//' | '/*';

/** Which comment leaders a file's language has. */
export function commentLeaders(path: string, text: string): readonly Leader[] {
  const lower = path.toLowerCase();
  const ext = extname(lower);
  if (ext === '.tf' || ext === '.tfvars' || ext === '.hcl') return ['#', '//', '/*'];
  if (ext === '.json' || ext === '.jsonc' || ext === '.json5') return ['//', '/*'];
  // JavaScript and TypeScript, as the scan's ESLint-based analyser reads them.
  if (/^\.[cm]?[jt]sx?$/.test(ext)) return ['//', '/*'];
  // A CloudFormation `.template` is JSON or YAML.
  if (ext === '.template' && /^\s*[[{]/.test(text)) return ['//', '/*'];
  return ['#'];
}

export interface Directive {
  readonly nextLine: boolean;
  /** 1-based line of the comment. */
  readonly line: number;
  /** The line the directive is about. */
  readonly target: number;
  /** The names as written, and what they resolve to (undefined: unknown). */
  readonly names: readonly { readonly name: string; readonly ruleId: string | undefined }[];
  readonly reason: string;
  /** The comment's span, from its leader to its end, as UTF-16 offsets into the text. */
  readonly start: number;
  readonly end: number;
  /** The comment is alone on its line (apart from indentation). */
  readonly ownLine: boolean;
}

const DIRECTIVE_RE = /(^|\s)(#|\/\/|\/\*)[ \t]*imds-guard-ignore(-next-line)?(?=$|[\s,]|\*\/)/g;

/** Every directive in a text. Cheap when there is none: one indexOf. */
export function parseDirectives(path: string, text: string): Directive[] {
  if (!text.includes(DIRECTIVE)) return [];
  const leaders = commentLeaders(path, text);
  const found: Omit<Directive, 'target'>[] = [];
  let lineStart = 0;
  for (let line = 1; lineStart <= text.length; line++) {
    let lineEnd = text.indexOf('\n', lineStart);
    if (lineEnd < 0) lineEnd = text.length;
    const contentEnd = text[lineEnd - 1] === '\r' ? lineEnd - 1 : lineEnd;
    const content = text.slice(lineStart, contentEnd);
    if (content.includes(DIRECTIVE)) {
      const parsed = parseLine(content, leaders);
      if (parsed) {
        found.push({
          ...parsed,
          line,
          start: lineStart + parsed.from,
          end: lineStart + parsed.to,
          ownLine: content.slice(0, parsed.from).trim() === '',
        });
      }
    }
    if (lineEnd >= text.length) break;
    lineStart = lineEnd + 1;
  }
  // A -next-line directive is about the next line that is not itself a directive comment, so that
  // several can be stacked above one line.
  const directiveOnly = new Set(found.filter((d) => d.ownLine).map((d) => d.line));
  return found.map((d) => {
    if (!d.nextLine) return { ...d, target: d.line };
    let target = d.line + 1;
    while (directiveOnly.has(target)) target++;
    return { ...d, target };
  });
}

function parseLine(content: string, leaders: readonly Leader[]) {
  DIRECTIVE_RE.lastIndex = 0;
  for (let m = DIRECTIVE_RE.exec(content); m; m = DIRECTIVE_RE.exec(content)) {
    const leader = m[2] as Leader;
    if (!leaders.includes(leader)) continue;
    const from = m.index + m[1]!.length;
    let to = content.length;
    let body = content.slice(m.index + m[0].length);
    if (leader === '/*') {
      const close = body.indexOf('*/');
      if (close >= 0) {
        to = m.index + m[0].length + close + 2;
        body = body.slice(0, close);
      }
    }
    const dash = body.search(/(^|\s)--(\s|$)/);
    const list = dash < 0 ? body : body.slice(0, dash);
    const reason = dash < 0 ? '' : body.slice(dash).replace(/^\s*--/, '').trim();
    const names = list
      .split(/[\s,]+/)
      .filter((n) => n !== '')
      .map((name) => ({ name, ruleId: findRule(name)?.id }));
    return { nextLine: m[3] !== undefined, names, reason, from, to };
  }
  return undefined;
}

export interface Settled {
  readonly findings: Finding[];
  /** Findings an inline directive suppressed. */
  readonly suppressed: Finding[];
}

/**
 * Applies rule settings (off, severity) and then the files' inline directives to the findings of
 * a scan, and adds the `no-invalid-suppression` findings. `files` are the analysed files; findings
 * in other files are only subject to the settings.
 */
export function settleFindings(findings: readonly Finding[], files: readonly TextFile[], rules: RuleSettings = {}): Settled {
  const configured = (f: Finding): Finding | undefined => {
    const setting = rules[f.ruleId];
    if (setting === 'off') return undefined;
    return setting && setting !== f.severity ? { ...f, severity: setting } : f;
  };
  const kept = findings.map(configured).filter((f): f is Finding => f !== undefined);
  const byFile = new Map<string, Finding[]>();
  for (const f of kept) {
    const list = byFile.get(f.file) ?? [];
    list.push(f);
    byFile.set(f.file, list);
  }

  const out: Finding[] = [];
  const suppressed: Finding[] = [];
  const seen = new Set<string>();
  for (const file of files) {
    if (seen.has(file.file)) continue;
    seen.add(file.file);
    const own = byFile.get(file.file) ?? [];
    byFile.delete(file.file);
    const directives = parseDirectives(file.path, file.text);
    if (directives.length === 0) {
      out.push(...own);
      continue;
    }
    const first = suppress(own, directives, (id) => id !== SUPPRESSION_RULE, false);
    suppressed.push(...first.suppressed);
    const problems = directiveProblems(file, directives, first.used, rules)
      .map(configured)
      .filter((f): f is Finding => f !== undefined);
    // A directive may name no-invalid-suppression itself, to silence a report about another one,
    // which is then on the very next line even when that line is a directive.
    const second = suppress(problems, directives, (id) => id === SUPPRESSION_RULE, true);
    suppressed.push(...second.suppressed);
    out.push(...first.kept, ...second.kept);
  }
  for (const rest of byFile.values()) out.push(...rest);
  return { findings: out, suppressed };
}

function suppress(findings: readonly Finding[], directives: readonly Directive[], eligible: (ruleId: string) => boolean, aboutDirectives: boolean) {
  const used = new Set<string>();
  const kept: Finding[] = [];
  const suppressed: Finding[] = [];
  for (const f of findings) {
    let hit = false;
    for (const [i, d] of directives.entries()) {
      const applies = d.nextLine
        ? f.line === d.target || (aboutDirectives && f.line === d.line + 1)
        : f.line === d.target || f.endLine === d.target;
      if (!applies) continue;
      for (const n of d.names) {
        if (n.ruleId === f.ruleId && eligible(n.ruleId)) {
          used.add(`${i}\0${n.ruleId}`);
          hit = true;
        }
      }
    }
    (hit ? suppressed : kept).push(f);
  }
  return { kept, suppressed, used };
}

function directiveProblems(file: TextFile, directives: readonly Directive[], used: ReadonlySet<string>, rules: RuleSettings): Finding[] {
  const lines = new LineIndex(file.text);
  const out: Finding[] = [];
  const report = (d: Directive, messageId: string, data: Record<string, string>, edits?: readonly Edit[]) => {
    const { message, severity } = formatMessage(SUPPRESSION_RULE, messageId as 'unused', data as never);
    out.push({
      ruleId: SUPPRESSION_RULE,
      messageId,
      severity,
      message,
      file: file.file,
      start: d.start,
      end: d.end,
      ...lines.location(d.start, d.end),
      ...(edits ? { fix: { description: 'Remove the unused imds-guard-ignore comment', safety: 'safe', edits } } : {}),
    });
  };
  for (const [i, d] of directives.entries()) {
    const directive = d.nextLine ? `${DIRECTIVE}-next-line` : DIRECTIVE;
    const known = d.names.filter((n) => n.ruleId !== undefined);
    const rulesText = d.names.map((n) => n.name).join(', ');
    if (d.names.length === 0) {
      report(d, 'missingRule', { directive });
      continue;
    }
    for (const n of d.names) if (n.ruleId === undefined) report(d, 'unknownRule', { directive, rule: n.name, known: knownRuleNames() });
    if (d.reason === '') report(d, 'missingReason', { directive, rules: rulesText });
    // A rule switched off in the configuration has nothing to find, and the directive may be
    // there for a configuration that enables it; suppressing a report about a directive (IMDS005
    // itself) is judged only once those reports exist, so neither is called unused.
    const unused = known.filter((n) => rules[n.ruleId!] !== 'off' && n.ruleId !== SUPPRESSION_RULE && !used.has(`${i}\0${n.ruleId}`));
    if (unused.length === 0) continue;
    const all = unused.length === d.names.length;
    const where = d.nextLine ? `line ${d.target}` : 'this line';
    report(d, 'unused', { directive, rules: unused.map((n) => n.name).join(', '), where }, all ? [removal(file.text, d)] : undefined);
  }
  return out;
}

/** Deletes the comment: the whole line when it stands alone, else the comment and the blanks before it. */
function removal(text: string, d: Directive): Edit {
  if (d.ownLine) {
    const start = text.lastIndexOf('\n', d.start - 1) + 1;
    const nl = text.indexOf('\n', d.end);
    // The last line of a file without a final newline: take the line break before it instead.
    if (nl < 0) return { start: start > 0 ? start - (text[start - 2] === '\r' ? 2 : 1) : 0, end: text.length, text: '' };
    // A `/* … */` followed by code on the same line keeps the code.
    const rest = text.slice(d.end, nl).replace(/\r$/, '');
    if (rest.trim() !== '') return { start: d.start, end: d.end + (rest.length - rest.trimStart().length), text: '' };
    return { start, end: nl + 1, text: '' };
  }
  let start = d.start;
  while (start > 0 && (text[start - 1] === ' ' || text[start - 1] === '\t')) start--;
  return { start, end: d.end, text: '' };
}
