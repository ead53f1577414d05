import { applyFixes, LineIndex, type Edit, type Finding } from '@imds-guard/core';
import { rawShellFindings, toFinding, type RawFinding } from '../bash/index.js';
import { analyseEmbeddedShell, hostEdits, type EmbeddedShell } from '../embedded/index.js';
import { rawPowerShellFindings } from '../powershell/index.js';
import { mayMentionImds } from '../prefilter.js';
import type { CommandPiece } from './command-tasks.js';
import { literalBlock } from './scalar-text.js';
import type { YamlFile } from './yaml.js';

const RAW: Record<NonNullable<EmbeddedShell['language']>, (text: string) => Promise<RawFinding[]>> = {
  sh: rawShellFindings,
  powershell: rawPowerShellFindings,
};

/**
 * Findings of the shell (or PowerShell) analyser in a file's command tasks, at the file's
 * positions. A script written as one scalar gets its fix written in the scalar's own style when it can hold
 * it (lines added to a `|` block, a header option in a quoted string); otherwise, e.g. a token
 * fetch added to a one-line `shell: curl …`, the scalar is rewritten as a literal block scalar
 * holding the fixed script, one edit shared by every fix in that script.
 */
export async function commandTaskFindings(file: YamlFile, pieces: readonly CommandPiece[]): Promise<Finding[]> {
  const host = file.source.text;
  const lines = new LineIndex(host);
  const findings: Finding[] = [];
  for (const entry of pieces) {
    const { piece, scalar } = entry;
    // A script that names no metadata address (after Jinja) has nothing to report: not parsed.
    if (!mayMentionImds(piece.text)) continue;
    if (!scalar) {
      findings.push(...(await analyseEmbeddedShell(host, file.source.file, [piece])));
      continue;
    }
    const raws = await RAW[piece.language ?? 'sh'](piece.text);
    const direct = raws.map((r) => (r.edits && r.edits.length > 0 ? hostEdits(host, piece, r.edits) : undefined));
    // A quoted one-liner could hold added lines as `\n` escapes, but nobody could read the result.
    const addsLines = scalar.node.type !== 'BLOCK_LITERAL' && scalar.node.type !== 'BLOCK_FOLDED' && raws.some((r) => r.edits?.some((e) => e.text.includes('\n')));
    const needsRewrite = addsLines || raws.some((r, i) => r.edits && r.edits.length > 0 && !direct[i]);
    const rewrite = needsRewrite ? rewriteScalar(file, scalar, raws.map((r) => r.edits ?? [])) : undefined;
    raws.forEach((raw, i) => {
      const start = piece.toHost(raw.start);
      const end = Math.max(start, piece.toHostEnd(raw.end));
      const fixable = raw.edits !== undefined && raw.edits.length > 0;
      const edits = !fixable ? undefined : rewrite ? [rewrite] : direct[i];
      findings.push(toFinding({ ...raw, start, end, edits }, file.source.file, lines, piece.context));
    });
  }
  return findings;
}

/** One edit that replaces the scalar (to the end of its line) by a literal block holding the fixed value. */
function rewriteScalar(file: YamlFile, scalar: NonNullable<CommandPiece['scalar']>, editSets: readonly (readonly Edit[])[]): Edit | undefined {
  const host = file.source.text;
  const { node, key, jinja, value, flowParent } = scalar;
  const [start, end] = node.range ?? [];
  const keyStart = key.range?.[0];
  if (flowParent || start === undefined || end === undefined || keyStart === undefined) return undefined;
  const keyLineStart = host.lastIndexOf('\n', keyStart - 1) + 1;
  // The block header goes where the scalar starts, so that must be on the key's line.
  if (host.slice(keyLineStart, start).includes('\n')) return undefined;
  if (!/^[ ]*(- +)*$/.test(host.slice(keyLineStart, keyStart))) return undefined;
  let lineEnd = host.indexOf('\n', end);
  if (lineEnd < 0) lineEnd = host.length;
  if (host[lineEnd - 1] === '\r') lineEnd--;
  const rest = host.slice(end, lineEnd).trim();
  if (rest !== '' && !rest.startsWith('#')) return undefined;
  const valueEdits = editSets.map((edits) => hostEdits(value, jinja, edits));
  if (valueEdits.some((e) => e === undefined)) return undefined;
  const fixed = applyFixes(value, valueEdits.map((edits) => ({ description: '', safety: 'safe', edits: edits! })));
  if (fixed.skipped > 0) return undefined;
  const block = literalBlock(fixed.text, keyStart - keyLineStart, file.eol, rest);
  return block === undefined ? undefined : { start, end: lineEnd, text: block };
}
