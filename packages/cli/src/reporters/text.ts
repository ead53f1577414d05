import { LineIndex, type Finding, type Severity } from '@imds-guard/core';
import { codeFrame } from './code-frame.js';
import type { Reporter, ReportInput } from './reporter.js';
import { ANSI, PLAIN, printable, type Palette } from './terminal-text.js';

/** For people at a terminal: one line per finding, a code frame under it, and a summary. */
export const textReporter: Reporter = {
  render(input) {
    const paint = input.color ? ANSI : PLAIN;
    const out: string[] = [];
    const texts = new Map(input.result.files.map((f) => [f.file, f.text]));
    for (const group of groupByFile(input.result.findings)) {
      const text = texts.get(group[0]!.file);
      const index = text === undefined ? undefined : new LineIndex(text);
      const where = group.map((f) => `${printable(f.file)}:${f.line}:${f.column}`);
      const whereWidth = Math.max(...where.map((w) => w.length));
      const severityWidth = Math.max(...group.map((f) => f.severity.length));
      group.forEach((f, i) => {
        const severity = colourSeverity(paint, f.severity, f.severity.padEnd(severityWidth));
        out.push(`${paint.bold(where[i]!.padEnd(whereWidth))}  ${severity}  ${printable(f.message)}  ${paint.dim(f.ruleId)}`);
        if (text !== undefined && index !== undefined) {
          const frame = codeFrame(text, index, f);
          const pad = ' '.repeat(frame.gutter.length);
          out.push(`  ${paint.dim(`${frame.gutter} |`)} ${frame.source}`);
          out.push(`  ${paint.dim(`${pad} |`)} ${colourSeverity(paint, f.severity, frame.carets)}`);
        }
      });
      out.push('');
    }
    if (input.result.errors.length > 0) {
      out.push(paint.bold('Files not analysed, or only in part:'));
      for (const e of input.result.errors) out.push(`  ${printable(e.file)}: ${printable(e.message)}`);
      out.push('');
    }
    out.push(...summary(input, paint));
    return `${out.join('\n')}\n`;
  },
};

function summary(input: ReportInput, paint: Palette): string[] {
  const { findings, errors } = input.result;
  const lines: string[] = [];
  if (input.fixed && input.fixed.fixes > 0) {
    lines.push(`Fixed ${plural(input.fixed.fixes, 'problem')} in ${plural(input.fixed.files, 'file')}.`);
  }
  if (findings.length === 0) {
    lines.push(errors.length === 0 ? 'No problems found.' : 'No problems found in the files that were analysed.');
  } else {
    const count = (s: Severity) => findings.filter((f) => f.severity === s).length;
    const fixable = findings.filter((f) => f.fix && (f.fix.safety === 'safe' || input.unsafeFixes)).length;
    const unsafeOnly = input.unsafeFixes ? 0 : findings.filter((f) => f.fix?.safety === 'unsafe').length;
    const hint = input.unsafeFixes ? '--fix --unsafe-fixes' : '--fix';
    let line =
      `${plural(findings.length, 'problem')} (${plural(count('error'), 'error')}, ` +
      `${plural(count('warning'), 'warning')}, ${plural(count('note'), 'note')}), ${fixable} fixable with ${hint}`;
    if (unsafeOnly > 0) line += ` (${unsafeOnly} more with --fix --unsafe-fixes)`;
    lines.push(count('error') > 0 ? paint.red(line) : paint.yellow(line));
  }
  const hidden = [
    input.baselined ? `${plural(input.baselined, 'finding')} in the baseline` : '',
    input.suppressed ? `${input.suppressed} suppressed by imds-guard-ignore comments` : '',
  ].filter(Boolean);
  if (hidden.length > 0) lines.push(paint.dim(`Not shown: ${hidden.join(', ')}.`));
  if (errors.length > 0) lines.push(paint.red(`${plural(errors.length, 'file error')}, listed above.`));
  return lines;
}

function colourSeverity(paint: Palette, severity: Severity, s: string): string {
  return severity === 'error' ? paint.red(s) : severity === 'warning' ? paint.yellow(s) : paint.cyan(s);
}

/** Findings arrive sorted by file, so a group is a run of equal `file`. */
function groupByFile(findings: readonly Finding[]): Finding[][] {
  const groups: Finding[][] = [];
  for (const f of findings) {
    const last = groups.at(-1);
    if (last && last[0]!.file === f.file) last.push(f);
    else groups.push([f]);
  }
  return groups;
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}
