/**
 * From what a metadata options block says (metadata-block.ts) to the shared model's
 * `MetadataOptions`, and the fix that makes tokens required for it.
 */
import type { Edit, MetadataOptions, Setting } from '@imds-guard/core';
import { MISSING } from '@imds-guard/core';
import type { TfFile } from './configuration.js';
import { insertAttribute, insertObjectElement, replaceLiteral } from './edits.js';
import type { ArgumentRead, BlockRead } from './metadata-block.js';
import { fixableLiteral, spanOf, toSetting } from './settings.js';
import { nullValue, union, known } from './values.js';

export interface MetadataFields {
  readonly tokens: string;
  readonly endpoint?: string;
  readonly hopLimit?: string;
  /** The value that passes (`required`; `2` for SageMaker's minimum version). */
  readonly good: string;
}

export const EC2_FIELDS: MetadataFields = { tokens: 'http_tokens', endpoint: 'http_endpoint', hopLimit: 'http_put_response_hop_limit', good: 'required' };

/** The argument's possible values, with "unset" added when the whole block can be absent. */
function argumentOutcome(read: BlockRead, name: string) {
  const arg = read.arguments.get(name);
  if (!arg) return undefined;
  if (!read.mayBeAbsent) return arg.outcome;
  return union([arg.outcome, known(nullValue(read.mayBeAbsent))], true);
}

export function settingOf(file: TfFile, read: BlockRead, name: string | undefined, options: { good: string; unsetMeans?: string; unsetCovered?: boolean; describeOrigin?: boolean }): Setting {
  if (!name) return MISSING;
  const arg: ArgumentRead | undefined = read.arguments.get(name);
  const outcome = argumentOutcome(read, name);
  if (!arg || !outcome) return MISSING;
  return toSetting(outcome, { span: spanOf(file, arg.node), ...options });
}

export function metadataOptionsOf(file: TfFile, read: BlockRead, fields: MetadataFields, unsetCovered: boolean): MetadataOptions {
  return {
    span: spanOf(file, read.node),
    httpTokens: settingOf(file, read, fields.tokens, { good: fields.good, unsetCovered, describeOrigin: true }),
    httpEndpoint: settingOf(file, read, fields.endpoint, { good: 'disabled', unsetMeans: 'enabled' }),
    hopLimit: settingOf(file, read, fields.hopLimit, { good: '1', unsetMeans: '1' }),
  };
}

/**
 * The edits that make the tokens (or SageMaker's minimum version) pass, when a safe one exists:
 * rewrite the literal that holds the value (in the resource, or in a variable default or local
 * of the same file), or add the argument to a plain block or an object written in place. No fix
 * for values from conditions, loops, other files or dynamic blocks.
 */
export function fixForRead(file: TfFile, read: BlockRead, fields: MetadataFields, good: string): Edit[] | undefined {
  const arg = read.arguments.get(fields.tokens);
  if (read.form === 'dynamic') return undefined;
  if (arg) {
    // A value that is written (even `null`, or a reference) is rewritten only where it is a literal.
    const literal = fixableLiteral(arg.outcome, file);
    return literal ? [replaceLiteral(literal, good)] : undefined;
  }
  if (read.form === 'static' && read.block) return insertAttribute(file.text, read.block, fields.tokens, `"${good}"`);
  if (read.form === 'object' && read.objectNode) return insertObjectElement(file.text, read.objectNode, fields.tokens, `"${good}"`);
  return undefined;
}
