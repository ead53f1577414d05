import { isResolved, type ArgItem } from '../evaluate.js';
import { asMethod, buildRequests, describeSpread, type ClientParser } from './request.js';
import type { Method } from '@imds-guard/core';

// curl's short options that take a value; every other letter is a flag and may be clustered.
const VALUED_SHORT = new Set('AbcCdDeEFHKmoPQrtTuUwxXyYz');
const VALUED_LONG = new Set([
  'abstract-unix-socket', 'alt-svc', 'aws-sigv4', 'cacert', 'capath', 'cert', 'cert-type', 'ciphers',
  'config', 'connect-timeout', 'connect-to', 'continue-at', 'cookie', 'cookie-jar', 'create-file-mode',
  'data', 'data-ascii', 'data-binary', 'data-raw', 'data-urlencode', 'dns-interface', 'dns-ipv4-addr',
  'dns-ipv6-addr', 'dns-servers', 'dump-header', 'etag-compare', 'etag-save', 'expect100-timeout',
  'form', 'form-string', 'happy-eyeballs-timeout-ms', 'header', 'hostpubmd5', 'interface', 'json',
  'keepalive-time', 'key', 'key-type', 'limit-rate', 'local-port', 'max-filesize', 'max-redirs',
  'max-time', 'netrc-file', 'noproxy', 'oauth2-bearer', 'output', 'output-dir', 'pass', 'pinnedpubkey',
  'preproxy', 'proto', 'proto-default', 'proto-redir', 'proxy', 'proxy-cacert', 'proxy-header',
  'proxy-user', 'quote', 'random-file', 'range', 'rate', 'referer', 'request', 'request-target',
  'resolve', 'retry', 'retry-delay', 'retry-max-time', 'speed-limit', 'speed-time', 'stderr',
  'time-cond', 'tls-max', 'trace', 'trace-ascii', 'unix-socket', 'upload-file', 'url', 'url-query',
  'user', 'user-agent', 'variable', 'write-out',
]);
const BODY_OPTIONS = new Set(['d', 'F', 'data', 'data-ascii', 'data-binary', 'data-raw', 'data-urlencode', 'form', 'form-string', 'json']);

/** Reads curl's argv the way curl does: clustered flags, values glued or separate, any order. */
export const parseCurl: ClientParser = (args) => {
  const urls: ArgItem[] = [];
  const headers: ArgItem[] = [];
  let method: Method | undefined;
  let implied: Method = 'GET';
  let unresolved: string | undefined;

  const option = (name: string, value: ArgItem | undefined) => {
    const text = value?.values[0] ?? '';
    switch (name) {
      case 'H':
      case 'header':
        if (!value) return;
        if (text.startsWith('@')) unresolved = 'the headers are read from a file';
        else if (value.spread) unresolved = describeSpread(value);
        else headers.push(value);
        return;
      case 'X':
      case 'request':
        method = value && isResolved(text) ? asMethod(text) : 'UNKNOWN';
        return;
      case 'I':
      case 'head':
        implied = 'HEAD';
        return;
      case 'G':
      case 'get':
        implied = 'GET';
        return;
      case 'T':
      case 'upload-file':
        implied = 'PUT';
        return;
      case 'url':
        if (value) urls.push(value);
        return;
      default:
        if (BODY_OPTIONS.has(name) && implied === 'GET') implied = 'POST';
    }
  };

  for (let i = 0; i < args.length; i++) {
    const item = args[i]!;
    const text = item.values[0] ?? '';
    if (item.spread) {
      unresolved ??= describeSpread(item);
      continue;
    }
    if (text.startsWith('--') && text.length > 2) {
      const name = text.slice(2);
      if (VALUED_LONG.has(name)) option(name, args[++i]);
      else option(name, undefined);
    } else if (text.startsWith('-') && text.length > 1) {
      for (let c = 1; c < text.length; c++) {
        const letter = text[c]!;
        if (!VALUED_SHORT.has(letter)) {
          option(letter, undefined);
          continue;
        }
        const glued = text.slice(c + 1);
        option(letter, glued ? { ...item, values: item.values.map((v) => v.slice(c + 1)) } : args[++i]);
        break;
      }
    } else {
      urls.push(item);
    }
  }
  return buildRequests('curl', method ?? implied, urls, headers, unresolved);
};
