import { isResolved, type ArgItem } from '../evaluate.js';
import { asMethod, buildRequests, describeSpread, type ClientParser } from './request.js';
import type { Method } from '@imds-guard/core';

const VALUED_SHORT = new Set('OoaetTwPUQliBDARIX');
const VALUED_LONG = new Set([
  'output-document', 'output-file', 'append-output', 'execute', 'tries', 'timeout', 'dns-timeout',
  'connect-timeout', 'read-timeout', 'wait', 'waitretry', 'user-agent', 'user', 'password',
  'http-user', 'http-password', 'directory-prefix', 'quota', 'level', 'input-file', 'base',
  'post-data', 'post-file', 'body-data', 'body-file', 'referer', 'load-cookies', 'save-cookies',
  'limit-rate', 'bind-address', 'ca-certificate', 'ca-directory', 'certificate', 'private-key',
  'retry-on-http-error', 'header', 'method', 'domains', 'exclude-domains', 'accept', 'reject',
  'include-directories', 'exclude-directories', 'progress', 'local-encoding', 'remote-encoding',
  'restrict-file-names', 'secure-protocol', 'ciphers', 'use-askpass', 'proxy-user', 'proxy-password',
]);

/** Reads wget's argv: `--name=value` or `--name value`, clustered short flags such as `-qO-`. */
export const parseWget: ClientParser = (args) => {
  const urls: ArgItem[] = [];
  const headers: ArgItem[] = [];
  let method: Method | undefined;
  let implied: Method = 'GET';
  let unresolved: string | undefined;

  const option = (name: string, value: ArgItem | undefined) => {
    if (name === 'header' && value) {
      if (value.spread) unresolved = describeSpread(value);
      else headers.push(value);
    } else if (name === 'method') {
      const text = value?.values[0] ?? '';
      method = value && isResolved(text) ? asMethod(text) : 'UNKNOWN';
    } else if (name === 'spider') implied = 'HEAD';
    else if (name === 'post-data' || name === 'post-file') implied = 'POST';
  };

  for (let i = 0; i < args.length; i++) {
    const item = args[i]!;
    const text = item.values[0] ?? '';
    if (item.spread) {
      unresolved ??= describeSpread(item);
      continue;
    }
    if (text.startsWith('--') && text.length > 2) {
      const eq = text.indexOf('=');
      if (eq > 0) {
        const cut = eq + 1;
        option(text.slice(2, eq), { ...item, values: item.values.map((v) => v.slice(cut)) });
      } else {
        const name = text.slice(2);
        option(name, VALUED_LONG.has(name) ? args[++i] : undefined);
      }
    } else if (text.startsWith('-') && text.length > 1) {
      for (let c = 1; c < text.length; c++) {
        if (!VALUED_SHORT.has(text[c]!)) continue;
        if (c + 1 >= text.length) i++;
        break;
      }
    } else {
      urls.push(item);
    }
  }
  return buildRequests('wget', method ?? implied, urls, headers, unresolved);
};
