import { UNRESOLVED } from './endpoint.js';

export const TOKEN_HEADER = 'X-aws-ec2-metadata-token';
export const TTL_HEADER = 'X-aws-ec2-metadata-token-ttl-seconds';
export const MAX_TOKEN_TTL = 21600;

export type HeaderKind =
  | { readonly kind: 'token' }
  | { readonly kind: 'ttl'; readonly value: string }
  | { readonly kind: 'misspelled-token'; readonly name: string }
  | { readonly kind: 'other-cloud'; readonly cloud: string }
  | { readonly kind: 'other' }
  | { readonly kind: 'unknown' };

/** Classifies one `Name: value` header line; names compare case-insensitively. */
export function classifyHeader(line: string): HeaderKind {
  const colon = line.indexOf(':');
  const rawName = (colon < 0 ? line : line.slice(0, colon)).trim();
  const value = colon < 0 ? '' : line.slice(colon + 1).trim();
  if (rawName.includes(UNRESOLVED)) return { kind: 'unknown' };
  const name = rawName.toLowerCase();
  if (name === TOKEN_HEADER.toLowerCase()) return { kind: 'token' };
  if (name === TTL_HEADER.toLowerCase()) return { kind: 'ttl', value };
  if (name === 'metadata-flavor') return { kind: 'other-cloud', cloud: 'Google Compute Engine' };
  if (name === 'metadata' && value.toLowerCase() === 'true') return { kind: 'other-cloud', cloud: 'Azure' };
  if (name === 'authorization' && /bearer\s+oracle/i.test(value)) return { kind: 'other-cloud', cloud: 'Oracle Cloud' };
  if (name === 'metadata-token' || name === 'metadata-token-expiry-seconds') return { kind: 'other-cloud', cloud: 'Akamai' };
  if (name.startsWith('x-aliyun-ecs-metadata-token')) return { kind: 'other-cloud', cloud: 'Alibaba Cloud' };
  if (/aws/.test(name) && /meta-?data/.test(name) && /token/.test(name) && !/ttl/.test(name)) {
    return { kind: 'misspelled-token', name: rawName };
  }
  return { kind: 'other' };
}
