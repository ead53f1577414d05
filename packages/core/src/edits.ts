import type { Edit, Fix } from './finding.js';

/**
 * Applies the edits of several fixes to one text. Identical edits (the same token fetch offered by
 * two findings) are applied once; a fix whose edits overlap an already accepted one is skipped
 * whole, so a fix is never half-applied.
 */
export function applyFixes(text: string, fixes: readonly Fix[]): { text: string; applied: number; skipped: number } {
  const accepted: Edit[] = [];
  const key = (e: Edit) => `${e.start}:${e.end}:${e.text}`;
  const seen = new Set<string>();
  let applied = 0;
  let skipped = 0;
  for (const fix of fixes) {
    const fresh = fix.edits.filter((e) => !seen.has(key(e)));
    const clashes = fresh.some((e) => accepted.some((a) => overlaps(a, e)));
    if (clashes) {
      skipped++;
      continue;
    }
    for (const e of fresh) {
      accepted.push(e);
      seen.add(key(e));
    }
    applied++;
  }
  accepted.sort((a, b) => b.start - a.start || b.end - a.end);
  let out = text;
  for (const e of accepted) out = out.slice(0, e.start) + e.text + out.slice(e.end);
  return { text: out, applied, skipped };
}

function overlaps(a: Edit, b: Edit): boolean {
  // Two insertions at one point would be applied in an arbitrary order; treat them as a clash.
  if (a.start === a.end && b.start === b.end) return a.start === b.start;
  return a.start < b.end && b.start < a.end;
}
