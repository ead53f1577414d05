import type { Edit, Finding } from '@imds-guard/core';
import type { Region } from './mapped-text.js';

/**
 * A fix that puts `: `, ` #` or a line break into a plain YAML scalar (`- curl -s http://…` in an
 * SSM `runCommand` list, a cfn-init `command:`) would end or fold the scalar there. Such a fix
 * instead rewrites the scalar, with all of the fix's edits inside it, as one double-quoted scalar
 * (JSON's escapes are YAML's too). An insertion at the scalar's start that its escape did not let
 * through raw (a new list item before it) stays outside the quotes.
 */
export function requoted(host: string, finding: Finding, regions: readonly Region[]): Finding {
  const fix = finding.fix;
  if (!fix) return finding;
  const key = (e: Edit) => `${e.start}\u0000${e.text}`;
  let edits: readonly Edit[] = fix.edits;
  for (const region of regions) {
    const unquoted = region.unquoted;
    if (!unquoted || !edits.some((e) => e.start >= region.start && e.end <= region.end && unquoted.has(key(e)))) continue;
    const inside = (e: Edit) => e.start >= region.start && e.end <= region.end && !(e.start === region.start && e.end === e.start && !unquoted.has(key(e)));
    const mine = edits.filter(inside).sort((a, b) => b.start - a.start);
    let text = host.slice(region.start, region.end);
    for (const e of mine) text = text.slice(0, e.start - region.start) + e.text + text.slice(e.end - region.start);
    edits = [...edits.filter((e) => !inside(e)), { start: region.start, end: region.end, text: JSON.stringify(text) }];
  }
  return edits === fix.edits ? finding : { ...finding, fix: { ...fix, edits } };
}
