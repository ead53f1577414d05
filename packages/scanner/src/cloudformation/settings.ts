import { MISSING, type Setting, type Span } from '@imds-guard/core';
import { possibilities, type ParameterInfo, type TemplateScope } from './resolve.js';
import type { Entry, ScalarNode } from './template-node.js';

/** A setting of the shared model, with what a fix would have to change to alter it. */
export interface ResolvedSetting {
  readonly setting: Setting;
  /** The one scalar that decides the value (a literal, or a parameter's Default). */
  readonly source?: ScalarNode;
  /** Set when `source` is a parameter's Default. */
  readonly parameter?: ParameterInfo;
}

/** The value text for a branch that leaves the property out. */
export const NO_VALUE = 'AWS::NoValue';

/**
 * Turns one property of a template into a model setting. Its span is the whole `Key: value` pair,
 * so a finding starts at the key. A value known only at deploy time makes the setting unresolved,
 * unless another possible value is already `bad`: `!If [C, optional, !ImportValue X]` allows
 * IMDSv1 whatever the import says.
 */
export function settingOf(e: Entry | undefined, scope: TemplateScope, file: string, bad: (value: string) => boolean): ResolvedSetting {
  if (!e) return { setting: MISSING };
  const span: Span = { file, start: e.keyStart, end: e.value?.end ?? e.keyEnd };
  const all = possibilities(e.value, scope, e.key);
  if (all.every((p) => p.kind === 'unset')) return { setting: MISSING };
  const values: string[] = [];
  const vias: string[] = [];
  let unknown: string | undefined;
  for (const p of all) {
    if (p.kind === 'unknown') unknown ??= p.reason;
    else {
      values.push(p.kind === 'value' ? p.value : NO_VALUE);
      if (p.via) vias.push(p.via);
    }
  }
  if (unknown !== undefined && !values.some(bad)) return { setting: { state: 'unresolved', reason: unknown, span } };
  const distinct = [...new Set(values)];
  const via = [...new Set(vias)].join('; ') || undefined;
  const only = all.length === 1 && all[0]!.kind === 'value' ? all[0]! : undefined;
  return {
    setting: { state: 'set', values: distinct, span, ...(via ? { via } : {}) },
    source: only?.source,
    parameter: only?.parameter,
  };
}
