/**
 * Turns the possible values of one argument (values.ts) into the shared model's `Setting`:
 * `set` with every possible value when they are known (or when a known one is already bad),
 * `unresolved` with the reason otherwise, `missing` when every possibility leaves it unset.
 */
import type { Setting, Span } from '@imds-guard/core';
import type { Node } from 'web-tree-sitter';
import type { TfFile } from './configuration.js';
import type { LiteralSite, Outcome, Val } from './values.js';

export interface SettingOptions {
  /** Where a finding about the value is reported: the argument (`http_tokens = …`). */
  readonly span: Span;
  /** The one value that is never a finding (`required`, `2`); the others are "bad". */
  readonly good: string;
  /**
   * What an unset (null, or no block in some branch) value means: a concrete default (`enabled`
   * for the endpoint, `1` for the hop limit) or, when absent, "unset" for the tokens, which the
   * judge treats as IMDSv1 unless `unsetCovered`.
   */
  readonly unsetMeans?: string;
  /** The account default or a v2.0 AMI makes unset tokens required for this resource. */
  readonly unsetCovered?: boolean;
  /** Name where a bad value came from (`optional (var.http_tokens, set in terraform.tfvars)`). */
  readonly describeOrigin?: boolean;
}

export function spanOf(file: TfFile, node: Node): Span {
  return { file: file.file, start: node.startIndex, end: node.endIndex };
}

interface Possible {
  readonly value: string;
  readonly via: readonly string[];
  readonly unset?: string;
}

export function toSetting(outcome: Outcome, options: SettingOptions): Setting {
  const possible: Possible[] = [];
  const reasons = [...outcome.unknown];
  for (const val of outcome.alternatives) {
    const scalar = scalarOf(val, options, reasons);
    if (scalar) possible.push(scalar);
  }
  const unset = possible.filter((p) => p.unset !== undefined);
  let values = possible;
  if (unset.length > 0) {
    if (unset.length === possible.length && reasons.length === 0) return { state: 'missing' };
    if (options.unsetCovered) values = possible.filter((p) => p.unset === undefined);
  }
  const bad = values.filter((p) => p.value !== options.good);
  const via = possible[0]?.via.join(' → ') || undefined;
  if (bad.length > 0 || (reasons.length === 0 && values.length > 0)) {
    const show = (p: Possible) =>
      p.unset !== undefined ? p.unset : options.describeOrigin && p.value !== options.good && p.via.length > 0 ? `${p.value} (${p.via.join(' → ')})` : p.value;
    return { state: 'set', values: dedupe(values.map(show)), span: options.span, ...(via ? { via } : {}) };
  }
  if (reasons.length > 0) {
    const more = reasons.length > 1 ? ` (and ${reasons.length - 1} more unknown value${reasons.length > 2 ? 's' : ''})` : '';
    return { state: 'unresolved', reason: `${reasons[0]}${more}`, span: options.span };
  }
  // Every possibility was unset and covered by a default.
  return { state: 'missing' };
}

function scalarOf(val: Val, options: SettingOptions, reasons: string[]): Possible | undefined {
  switch (val.kind) {
    case 'string':
    case 'number':
    case 'bool':
      return { value: val.value, via: val.via };
    case 'null':
      if (options.unsetMeans !== undefined) return { value: options.unsetMeans, via: val.via };
      return { value: 'unset', via: val.via, unset: val.note ? `unset (${val.note})` : 'unset' };
    case 'absent':
      reasons.push(val.reason);
      return undefined;
    default:
      reasons.push(`the value is ${val.kind === 'object' ? 'an object' : 'a list'}, not a string`);
      return undefined;
  }
}

function dedupe(values: readonly string[]): string[] {
  return [...new Set(values)];
}

/**
 * The literal that holds the value, when a fix can safely rewrite it: one possible value, no
 * condition or loop on the way, and written in `file` (a fix edits the file of its finding only).
 */
export function fixableLiteral(outcome: Outcome, file: TfFile): LiteralSite | undefined {
  if (outcome.branched || outcome.unknown.length > 0 || outcome.alternatives.length !== 1) return undefined;
  const only = outcome.alternatives[0]!;
  if (only.kind !== 'string' && only.kind !== 'number' && only.kind !== 'bool') return undefined;
  return only.site && only.site.file === file ? only.site : undefined;
}
