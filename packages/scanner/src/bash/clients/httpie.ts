import type { Method } from '@imds-guard/core';
import type { ArgItem } from '../evaluate.js';
import { asMethod, buildRequests, describeSpread, type ClientParser } from './request.js';

const VALUED = new Set([
  '-a', '--auth', '-A', '--auth-type', '-p', '--print', '-o', '--output', '--timeout', '--verify',
  '--cert', '--cert-key', '--proxy', '--session', '--session-read-only', '--pretty', '-s', '--style',
  '--format-options', '--max-redirects', '--boundary', '--raw', '--default-scheme', '-P',
]);

/** HTTPie: `http [flags] [METHOD] URL [Header:value | field=value | param==value …]`. */
export const parseHttpie: ClientParser = (args) => {
  const positional: ArgItem[] = [];
  let unresolved: string | undefined;
  for (let i = 0; i < args.length; i++) {
    const item = args[i]!;
    const text = item.values[0] ?? '';
    if (item.spread) unresolved ??= describeSpread(item);
    else if (text.startsWith('-') && text.length > 1 && !text.includes(':')) {
      if (VALUED.has(text)) i++;
    } else positional.push(item);
  }
  let method: Method | undefined;
  if (/^[A-Z]+$/.test(positional[0]?.values[0] ?? '')) {
    method = asMethod(positional.shift()!.values[0]!);
  }
  const url = positional.shift();
  if (!url) return [];
  const headers: ArgItem[] = [];
  let hasBody = false;
  for (const item of positional) {
    const text = item.values[0] ?? '';
    const sep = /:=@|:=|==|=@|=|@|:/.exec(text);
    if (sep?.[0] === ':') headers.push(item);
    else if (sep && sep[0] !== '==') hasBody = true;
  }
  return buildRequests('http', method ?? (hasBody ? 'POST' : 'GET'), [url], headers, unresolved);
};
