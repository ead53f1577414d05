/**
 * Loopback-only emulator of the EC2 Instance Metadata Service (IMDS).
 *
 * It listens on 127.0.0.1 (never any other address) on an ephemeral port and
 * behaves like IMDS with `HttpTokens=required` (IMDSv2 only), or, with
 * `tokens: 'optional'`, like an instance that still accepts IMDSv1 requests.
 *
 * It never opens an outbound connection. Requests that arrive in proxy form
 * (absolute URL in the request line, or CONNECT) come from a client that
 * bypassed the PATH shims and followed the proxy trap set up by
 * `createImdsShims().env()`; they are recorded with `proxied: true` and answered
 * with 502.
 */
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import { randomBytes } from 'node:crypto';
import type { AddressInfo, Socket } from 'node:net';

export const IMDS_TOKEN_PATH = '/latest/api/token';
export const IMDS_TTL_HEADER = 'x-aws-ec2-metadata-token-ttl-seconds';
export const IMDS_TOKEN_HEADER = 'x-aws-ec2-metadata-token';
export const IMDS_MAX_TTL_SECONDS = 21600;

export type TokenMode = 'required' | 'optional';

export interface RecordedRequest {
  /** HTTP method as sent (`GET`, `PUT`, `HEAD`, `CONNECT`, ...). */
  method: string;
  /** Request target as sent, including any query string (absolute URL for proxied requests). */
  path: string;
  /** Request headers, lower-cased names (Node's `IncomingHttpHeaders`). */
  headers: IncomingHttpHeaders;
  /** Status code the emulator answered with. */
  status: number;
  /** True when the request arrived in proxy form, i.e. from a client that bypassed the shims. */
  proxied: boolean;
  /** Emulator clock (ms) when the request was handled. */
  time: number;
}

export interface ImdsEmulatorOptions {
  /**
   * Metadata served, keyed by path under `/latest` (e.g. `/latest/meta-data/instance-id`).
   * Replaces the default data set entirely; spread `DEFAULT_IMDS_DATA` to extend it.
   * Directory listings are derived automatically for paths that are prefixes of keys.
   */
  data?: Record<string, string>;
  /** `'required'` (default): IMDSv2 only. `'optional'`: tokenless GET/HEAD also succeed. */
  tokens?: TokenMode;
  /** Clock in milliseconds used for token expiry (default `Date.now`). Inject to test expiry without sleeping. */
  now?: () => number;
}

export interface ImdsEmulator {
  port: number;
  /** Base URL, `http://127.0.0.1:<port>`. */
  url: string;
  /** Every request handled so far, in order. The array is live: it grows as requests arrive. */
  requests: RecordedRequest[];
  tokens: TokenMode;
  close(): Promise<void>;
}

const FAKE_CREDENTIALS = JSON.stringify(
  {
    Code: 'Success',
    LastUpdated: '2026-01-01T00:00:00Z',
    Type: 'AWS-HMAC',
    AccessKeyId: 'ASIAFAKEFAKEFAKEFAKE',
    SecretAccessKey: 'fakeSecretAccessKey/ThisIsNotARealKey0000000',
    Token: 'FakeSessionTokenForImdsEmulatorTestsOnly==',
    Expiration: '2099-01-01T00:00:00Z',
  },
  null,
  2,
);

const FAKE_IDENTITY_DOCUMENT = JSON.stringify(
  {
    accountId: '123456789012',
    architecture: 'x86_64',
    availabilityZone: 'eu-west-1a',
    imageId: 'ami-0123456789abcdef0',
    instanceId: 'i-0123456789abcdef0',
    instanceType: 't3.micro',
    privateIp: '10.0.1.23',
    region: 'eu-west-1',
    version: '2017-09-30',
  },
  null,
  2,
);

/** The default metadata set (all keys under `/latest`). */
export const DEFAULT_IMDS_DATA: Readonly<Record<string, string>> = Object.freeze({
  '/latest/meta-data/': [
    'ami-id',
    'hostname',
    'iam/',
    'instance-id',
    'instance-type',
    'local-hostname',
    'local-ipv4',
    'placement/',
  ].join('\n'),
  '/latest/meta-data/ami-id': 'ami-0123456789abcdef0',
  '/latest/meta-data/hostname': 'ip-10-0-1-23.eu-west-1.compute.internal',
  '/latest/meta-data/local-hostname': 'ip-10-0-1-23.eu-west-1.compute.internal',
  '/latest/meta-data/instance-id': 'i-0123456789abcdef0',
  '/latest/meta-data/instance-type': 't3.micro',
  '/latest/meta-data/local-ipv4': '10.0.1.23',
  '/latest/meta-data/placement/region': 'eu-west-1',
  '/latest/meta-data/placement/availability-zone': 'eu-west-1a',
  '/latest/meta-data/iam/security-credentials/': 'app-role',
  '/latest/meta-data/iam/security-credentials/app-role': FAKE_CREDENTIALS,
  '/latest/dynamic/instance-identity/document': FAKE_IDENTITY_DOCUMENT,
  '/latest/user-data': '#!/bin/bash\necho "hello from user-data"\n',
});

const DATED_PREFIX = /^\/(?:\d{4}-\d{2}-\d{2}|1\.0)(?=\/|$)/;
const VERSIONS_LISTING = ['1.0', '2009-04-04', '2016-09-02', '2021-03-23', 'latest'].join('\n');

/** Maps `/2009-04-04/meta-data/x` to `/latest/meta-data/x`; `/latest/...` unchanged. */
function normalisePath(pathname: string): string {
  return pathname.replace(DATED_PREFIX, '/latest');
}

function lookup(data: Record<string, string>, path: string): string | undefined {
  if (path === '/') return VERSIONS_LISTING;
  if (Object.hasOwn(data, path)) return data[path];
  // `/latest/meta-data` answers like `/latest/meta-data/`.
  const dir = path.endsWith('/') ? path : `${path}/`;
  if (!path.endsWith('/') && Object.hasOwn(data, dir)) return data[dir];
  // Derive a listing from the keys below this directory.
  const children = new Set<string>();
  for (const key of Object.keys(data)) {
    if (!key.startsWith(dir) || key === dir) continue;
    const rest = key.slice(dir.length);
    const slash = rest.indexOf('/');
    children.add(slash === -1 ? rest : rest.slice(0, slash + 1));
  }
  children.delete('');
  return children.size > 0 ? [...children].sort().join('\n') : undefined;
}

function parseTtl(raw: string | string[] | undefined): number | undefined {
  if (typeof raw !== 'string') return undefined; // missing, or sent more than once
  const text = raw.trim();
  if (!/^\d{1,6}$/.test(text)) return undefined;
  const ttl = Number(text);
  return ttl >= 1 && ttl <= IMDS_MAX_TTL_SECONDS ? ttl : undefined;
}

function errorBody(status: number, reason: string): string {
  // Same shape as IMDS error pages, minus the DOCTYPE/xmlns URLs: the emulator
  // never serves a page containing a link to a non-loopback host.
  return (
    '<?xml version="1.0" encoding="iso-8859-1"?>\n' +
    '<html lang="en">\n' +
    ` <head>\n  <title>${status} - ${reason}</title>\n </head>\n` +
    ` <body>\n  <h1>${status} - ${reason}</h1>\n </body>\n</html>\n`
  );
}

const REASONS: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  502: 'Bad Gateway',
};

/** Starts the emulator on 127.0.0.1 with an ephemeral port. */
export async function startImdsEmulator(options: ImdsEmulatorOptions = {}): Promise<ImdsEmulator> {
  const data: Record<string, string> = { ...(options.data ?? DEFAULT_IMDS_DATA) };
  const mode: TokenMode = options.tokens ?? 'required';
  const now = options.now ?? Date.now;
  const tokens = new Map<string, number>(); // token -> expiry (ms, exclusive)
  const requests: RecordedRequest[] = [];

  const handle = (req: IncomingMessage, res: ServerResponse): void => {
    req.resume(); // drain any body
    const method = req.method ?? 'GET';
    const target = req.url ?? '/';
    const record: RecordedRequest = {
      method,
      path: target,
      headers: { ...req.headers },
      status: 0,
      proxied: false,
      time: now(),
    };
    requests.push(record);

    const send = (status: number, body = '', headers: Record<string, string> = {}): void => {
      record.status = status;
      const text = status >= 400 && body === '' ? errorBody(status, REASONS[status] ?? 'Error') : body;
      res.writeHead(status, {
        'Content-Type': status >= 400 ? 'text/html' : 'text/plain',
        'Content-Length': String(Buffer.byteLength(text)),
        Server: 'EC2ws',
        ...headers,
      });
      res.end(method === 'HEAD' ? undefined : text);
    };

    if (!target.startsWith('/')) {
      // Absolute-form request: a client used the proxy trap instead of the shims.
      record.proxied = true;
      send(502, 'imds-emulator: request arrived through the proxy trap; the client bypassed the curl/wget PATH shims\n');
      return;
    }

    const rawPath = target.split(/[?#]/, 1)[0] ?? '/';
    const path = normalisePath(rawPath);
    const isTokenPath = path === IMDS_TOKEN_PATH;

    if (isTokenPath) {
      if (method !== 'PUT') {
        send(405, '', { Allow: 'PUT' });
        return;
      }
      if (rawPath !== IMDS_TOKEN_PATH) {
        // Tokens are only issued on /latest/api/token, never on a dated version path.
        send(403);
        return;
      }
      if (req.headers['x-forwarded-for'] !== undefined) {
        send(403);
        return;
      }
      const ttl = parseTtl(req.headers[IMDS_TTL_HEADER]);
      if (ttl === undefined) {
        send(400);
        return;
      }
      const token = randomBytes(42).toString('base64');
      tokens.set(token, now() + ttl * 1000);
      send(200, token, { 'X-Aws-Ec2-Metadata-Token-Ttl-Seconds': String(ttl) });
      return;
    }

    if (method !== 'GET' && method !== 'HEAD') {
      send(405, '', { Allow: 'GET, HEAD' });
      return;
    }

    const presented = req.headers[IMDS_TOKEN_HEADER];
    let remainingTtl: number | undefined;
    if (presented !== undefined) {
      const expiry = typeof presented === 'string' ? tokens.get(presented) : undefined;
      if (expiry === undefined || now() >= expiry) {
        if (expiry !== undefined) tokens.delete(presented as string);
        // Invalid or expired tokens are rejected in both modes, as on real IMDS.
        send(401);
        return;
      }
      remainingTtl = Math.max(1, Math.ceil((expiry - now()) / 1000));
    } else if (mode === 'required') {
      send(401);
      return;
    }

    const body = lookup(data, path);
    if (body === undefined) {
      send(404);
      return;
    }
    send(200, body, remainingTtl === undefined ? {} : { 'X-Aws-Ec2-Metadata-Token-Ttl-Seconds': String(remainingTtl) });
  };

  const server = createServer(handle);
  server.keepAliveTimeout = 1000;
  server.on('connect', (req: IncomingMessage, socket: Socket) => {
    requests.push({
      method: req.method ?? 'CONNECT',
      path: req.url ?? '',
      headers: { ...req.headers },
      status: 502,
      proxied: true,
      time: now(),
    });
    socket.on('error', () => {});
    socket.end('HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\nConnection: close\r\n\r\n');
  });
  server.on('clientError', (_err, socket: Socket) => {
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n');
    else socket.destroy();
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host: '127.0.0.1', port: 0, exclusive: true }, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;

  let closing: Promise<void> | undefined;
  return {
    port,
    url: `http://127.0.0.1:${port}`,
    requests,
    tokens: mode,
    close() {
      closing ??= new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()));
        server.closeAllConnections();
      });
      return closing;
    },
  };
}

/** An emulator of an instance with `HttpTokens=optional`: tokenless (IMDSv1) requests succeed. */
export function startImdsV1Emulator(options: Omit<ImdsEmulatorOptions, 'tokens'> = {}): Promise<ImdsEmulator> {
  return startImdsEmulator({ ...options, tokens: 'optional' });
}
