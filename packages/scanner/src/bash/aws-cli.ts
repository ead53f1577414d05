import type { Edit } from '@imds-guard/core';
import { isResolved, type ArgItem } from './evaluate.js';

export type AwsCliMessageId = 'tokensOptional' | 'tokensMissing' | 'endpointWithoutTokens' | 'cannotDetermine';

export interface AwsCliProblem {
  readonly messageId: AwsCliMessageId;
  readonly command: string;
  readonly reason?: string;
  readonly value?: string;
  readonly edits?: readonly Edit[];
}

interface Option {
  readonly flag: ArgItem;
  /** The value word, or the flag itself for `--name=value`. */
  readonly valueItem?: ArgItem;
  readonly value?: string;
}

const GLOBAL_VALUED = new Set([
  '--region', '--profile', '--output', '--query', '--endpoint-url', '--color', '--ca-bundle',
  '--cli-read-timeout', '--cli-connect-timeout', '--cli-binary-format',
]);

/** `aws [global options] <service> <operation> [--option value …]` */
function parseAws(args: readonly ArgItem[]): { operation: string; options: Map<string, Option>; last?: ArgItem } | undefined {
  const positional: string[] = [];
  const options = new Map<string, Option>();
  let i = 0;
  for (; i < args.length && positional.length < 2; i++) {
    const text = args[i]!.values[0] ?? '';
    if (text.startsWith('--')) {
      if (GLOBAL_VALUED.has(text)) i++;
    } else positional.push(text);
  }
  if (positional.length < 2) return undefined;
  for (; i < args.length; i++) {
    const flag = args[i]!;
    const text = flag.values[0] ?? '';
    if (!text.startsWith('--')) continue;
    const eq = text.indexOf('=');
    if (eq > 0) {
      options.set(text.slice(2, eq), { flag, valueItem: flag, value: text.slice(eq + 1) });
      continue;
    }
    const next = args[i + 1];
    const nextText = next?.values[0];
    if (next && nextText !== undefined && !nextText.startsWith('--')) {
      options.set(text.slice(2), { flag, valueItem: next, value: next.spread ? '\u0000' : nextText });
      i++;
    } else options.set(text.slice(2), { flag });
  }
  return { operation: positional.join(' '), options, last: args[args.length - 1] };
}

/** Checks an `aws` CLI invocation that launches or configures instances. */
export function checkAwsCli(args: readonly ArgItem[], accountRequiresTokens: boolean): AwsCliProblem | undefined {
  const parsed = parseAws(args);
  if (!parsed) return undefined;
  const { operation, options, last } = parsed;
  const command = `aws ${operation}`;
  const appendOption = (text: string): Edit[] | undefined => (last?.node ? [{ start: last.node.endIndex, end: last.node.endIndex, text }] : undefined);

  switch (operation) {
    case 'ec2 modify-instance-metadata-options': {
      const tokens = options.get('http-tokens');
      if (tokens) return judgeTokenValue(command, tokens);
      if (options.get('http-endpoint')?.value === 'enabled') {
        return { messageId: 'endpointWithoutTokens', command, edits: appendOption(' --http-tokens required') };
      }
      return undefined;
    }
    case 'ec2 modify-instance-metadata-defaults': {
      const tokens = options.get('http-tokens');
      return tokens?.value === 'optional' || (tokens && !isResolved(tokens.value ?? '')) ? judgeTokenValue(command, tokens) : undefined;
    }
    case 'ec2 run-instances':
    case 'autoscaling create-launch-configuration': {
      const metadata = options.get('metadata-options');
      if (!metadata) {
        // A launch template or the account default decides instead.
        if (options.has('launch-template') || accountRequiresTokens) return undefined;
        return { messageId: 'tokensMissing', command, edits: appendOption(' --metadata-options HttpTokens=required,HttpEndpoint=enabled') };
      }
      return judgeMetadataOptions(command, metadata, 'shorthand');
    }
    case 'ec2 create-launch-template':
    case 'ec2 create-launch-template-version': {
      const data = options.get('launch-template-data');
      if (!data) return undefined;
      return judgeMetadataOptions(command, data, 'launch-template-data', options.has('source-version'));
    }
    default:
      return undefined;
  }
}

function judgeTokenValue(command: string, option: Option): AwsCliProblem | undefined {
  const value = option.value ?? '';
  if (!isResolved(value)) return { messageId: 'cannotDetermine', command, reason: `--http-tokens comes from ${option.valueItem?.node?.text ?? 'an expansion'}` };
  if (value !== 'optional') return undefined;
  return { messageId: 'tokensOptional', command, value, edits: replaceInItem(option.valueItem, 'optional', 'required') };
}

function judgeMetadataOptions(command: string, option: Option, shape: 'shorthand' | 'launch-template-data', inherits = false): AwsCliProblem | undefined {
  const value = option.value ?? '';
  const where = option.valueItem?.node?.text ?? 'an expansion';
  if (!isResolved(value)) return { messageId: 'cannotDetermine', command, reason: `the options come from ${where}` };
  if (/^(file|fileb|https?):\/\//.test(value)) return { messageId: 'cannotDetermine', command, reason: `the options are read from ${value}` };
  let metadata: Record<string, unknown> | undefined;
  if (value.trim().startsWith('{')) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(value);
    } catch {
      return { messageId: 'cannotDetermine', command, reason: 'the JSON value does not parse' };
    }
    const object = parsed as Record<string, unknown>;
    metadata = shape === 'launch-template-data' ? (object.MetadataOptions as Record<string, unknown> | undefined) : object;
  } else if (shape === 'shorthand') {
    metadata = Object.fromEntries(value.split(',').map((pair) => pair.split('=', 2).map((s) => s.trim())));
  } else {
    return { messageId: 'cannotDetermine', command, reason: 'the launch template data is not JSON' };
  }
  if (!metadata) {
    if (inherits) return { messageId: 'cannotDetermine', command, reason: 'MetadataOptions are inherited from --source-version' };
    return { messageId: 'tokensMissing', command };
  }
  if (metadata.HttpEndpoint === 'disabled' || metadata.HttpTokens === 'required') return undefined;
  if (metadata.HttpTokens === undefined) return { messageId: 'tokensMissing', command };
  return { messageId: 'tokensOptional', command, value: String(metadata.HttpTokens), edits: replaceInItem(option.valueItem, String(metadata.HttpTokens), 'required', 'HttpTokens') };
}

/** An edit replacing `from` (after `anchor`) inside a literal word, when the word maps 1:1 onto the source. */
function replaceInItem(item: ArgItem | undefined, from: string, to: string, anchor = ''): Edit[] | undefined {
  const node = item?.node;
  if (!node || !['word', 'raw_string', 'string'].includes(node.type)) return undefined;
  if (node.type === 'string' && node.namedChildren.some((c) => c?.type !== 'string_content')) return undefined;
  const text = node.text;
  const at = text.indexOf(from, anchor ? text.indexOf(anchor) : 0);
  if (at < 0 || (anchor && text.indexOf(anchor) < 0)) return undefined;
  return [{ start: node.startIndex + at, end: node.startIndex + at + from.length, text: to }];
}
