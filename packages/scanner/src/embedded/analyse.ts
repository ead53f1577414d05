import { LineIndex, type Edit, type Finding } from '@imds-guard/core';
import { rawShellFindings, toFinding, type RawFinding } from '../bash/index.js';
import { rawPowerShellFindings } from '../powershell/index.js';
import type { EmbeddedShell } from './shell-text.js';

/** Analyses a piece's text in its own language; offsets are in the piece's text. */
export type RawAnalyser = (text: string) => Promise<RawFinding[]>;

const analysers: ReadonlyMap<NonNullable<EmbeddedShell['language']>, RawAnalyser> = new Map<NonNullable<EmbeddedShell['language']>, RawAnalyser>([['sh', rawShellFindings], ['powershell', rawPowerShellFindings]]);

/**
 * Runs the shell analyser on code embedded in a host file and reports its findings at the host's
 * lines and columns. An edit is kept only when every character it replaces came verbatim from the
 * host and the host can hold the new text; otherwise the finding is reported without a fix.
 */
export async function analyseEmbeddedShell(host: string, file: string, pieces: readonly EmbeddedShell[]): Promise<Finding[]> {
  const lines = new LineIndex(host);
  const findings: Finding[] = [];
  for (const piece of pieces) {
    const analyse = analysers.get(piece.language ?? 'sh');
    if (!analyse) continue;
    for (const raw of await analyse(piece.text)) {
      const start = piece.toHost(raw.start);
      const end = Math.max(start, piece.toHostEnd(raw.end));
      const edits = raw.edits && hostEdits(host, piece, raw.edits);
      const breaks = piece.requiredBy !== undefined && TOKENLESS.has(`${raw.ruleId}/${raw.messageId}`);
      const judged = breaks ? { ...raw, messageId: 'breaksAtBoot', data: { ...raw.data, resource: piece.requiredBy! } } : raw;
      findings.push(toFinding({ ...judged, start, end, edits }, file, lines, piece.context, raw.messageId));
    }
  }
  return findings.sort((a, b) => a.start - b.start || a.ruleId.localeCompare(b.ruleId));
}

/** Findings that are requests which fail once tokens are required (the "breaks at boot" ones). */
export function isTokenlessRequest(f: Finding): boolean {
  return TOKENLESS.has(`${f.ruleId}/${f.messageId}`) || (f.ruleId === 'no-imdsv1-request' && f.messageId === 'breaksAtBoot');
}

const TOKENLESS = new Set(['missingToken', 'misspelledToken', 'tokenPathGet', 'dotNetClient'].map((m) => `no-imdsv1-request/${m}`));

/** Edits of `piece.text` as edits of its host; undefined when one replaces text not written verbatim, falls inside an escape or cannot be escaped. */
export function hostEdits(host: string, piece: EmbeddedShell, edits: readonly Edit[]): Edit[] | undefined {
  const out: Edit[] = [];
  for (const e of edits) {
    const start = piece.toHost(e.start);
    // An insertion inside an escape or a placeholder has no place in the host.
    if (e.end === e.start && piece.toHostEnd(e.start) > start) return undefined;
    const end = e.end === e.start ? start : piece.toHostEnd(e.end);
    if (host.slice(start, end) !== piece.text.slice(e.start, e.end)) return undefined;
    const text = piece.escape?.(e.text, start);
    if (text === undefined) return undefined;
    out.push({ start, end, text });
  }
  return out;
}
