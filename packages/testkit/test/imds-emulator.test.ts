// Tests for the loopback IMDS emulator, the curl/wget PATH shims and runScript.
//
// SAFETY: every request in this file goes to 127.0.0.1 (or another 127/8
// loopback address). Scripts that mention IMDS addresses only run through the
// shims; the refusal tests for non-loopback hosts use a FAKE "real" binary, so
// even a broken safety check could not send a packet anywhere.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { access, chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  DEFAULT_IMDS_DATA,
  SHIM_REFUSED_EXIT,
  createImdsShims,
  findShimBypasses,
  runScript,
  startImdsEmulator,
  startImdsV1Emulator,
  type ImdsEmulator,
  type ImdsShims,
} from '../src/index.js';

interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** HTTP request to 127.0.0.1:<port> only. */
function send(port: number, method: string, path: string, headers: Record<string, string> = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, method, path, headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }),
      );
    });
    req.on('error', reject);
    req.end();
  });
}

const TTL = 'X-aws-ec2-metadata-token-ttl-seconds';
const TOKEN = 'X-aws-ec2-metadata-token';

async function getToken(port: number, ttl = '21600'): Promise<string> {
  const res = await send(port, 'PUT', '/latest/api/token', { [TTL]: ttl });
  assert.equal(res.status, 200, res.body);
  return res.body;
}

let work: string;
before(async () => {
  work = await mkdtemp(join(tmpdir(), 'imds-testkit-'));
});
after(async () => {
  await rm(work, { recursive: true, force: true });
});

async function writeScript(name: string, body: string): Promise<string> {
  const file = join(work, name);
  await writeFile(file, `#!/bin/bash\n${body}\n`);
  return file;
}

describe('IMDS emulator (HttpTokens=required)', () => {
  let emu: ImdsEmulator;
  before(async () => {
    emu = await startImdsEmulator();
  });
  after(() => emu.close());

  it('listens on 127.0.0.1 with an ephemeral port', () => {
    assert.ok(emu.port > 0);
    assert.equal(emu.url, `http://127.0.0.1:${emu.port}`);
    assert.equal(emu.tokens, 'required');
  });

  it('answers 401 to a GET without a token', async () => {
    const res = await send(emu.port, 'GET', '/latest/meta-data/instance-id');
    assert.equal(res.status, 401);
    assert.doesNotMatch(res.body, /i-0123456789abcdef0/);
  });

  it('answers 401 to an unknown token', async () => {
    const res = await send(emu.port, 'GET', '/latest/meta-data/instance-id', { [TOKEN]: 'not-a-token' });
    assert.equal(res.status, 401);
  });

  it('issues a token and serves metadata with it', async () => {
    const put = await send(emu.port, 'PUT', '/latest/api/token', { [TTL]: '21600' });
    assert.equal(put.status, 200);
    assert.match(put.body, /^[A-Za-z0-9+/=]{20,}$/);
    assert.equal(put.headers['x-aws-ec2-metadata-token-ttl-seconds'], '21600');
    const token = put.body;
    const get = (path: string) => send(emu.port, 'GET', path, { [TOKEN]: token });

    assert.deepEqual(
      { ...(await get('/latest/meta-data/instance-id')), headers: undefined },
      { status: 200, body: 'i-0123456789abcdef0', headers: undefined },
    );
    assert.equal((await get('/latest/meta-data/placement/region')).body, 'eu-west-1');
    assert.equal((await get('/latest/meta-data/placement/availability-zone')).body, 'eu-west-1a');
    assert.equal((await get('/latest/meta-data/local-ipv4')).body, '10.0.1.23');
    assert.equal((await get('/latest/meta-data/iam/security-credentials/')).body, 'app-role');
    const creds = JSON.parse((await get('/latest/meta-data/iam/security-credentials/app-role')).body);
    assert.equal(creds.Code, 'Success');
    assert.match(creds.AccessKeyId, /^ASIA/);
    assert.ok(creds.SecretAccessKey && creds.Token);
    const doc = JSON.parse((await get('/latest/dynamic/instance-identity/document')).body);
    assert.equal(doc.region, 'eu-west-1');
    assert.equal(doc.instanceId, 'i-0123456789abcdef0');
    assert.equal(doc.accountId, '123456789012');
    assert.match((await get('/latest/user-data')).body, /^#!\/bin\/bash\n/);
    const listing = (await get('/latest/meta-data/')).body.split('\n');
    assert.ok(listing.includes('instance-id') && listing.includes('placement/'), listing.join(','));
    assert.equal((await get('/latest/meta-data')).body, (await get('/latest/meta-data/')).body);
    assert.equal((await get('/latest/meta-data/placement/')).body, 'availability-zone\nregion');
  });

  it('maps dated version prefixes onto the same data', async () => {
    const token = await getToken(emu.port);
    for (const path of ['/2009-04-04/meta-data/instance-id', '/1.0/meta-data/instance-id', '/2021-03-23/meta-data/instance-id']) {
      const res = await send(emu.port, 'GET', path, { [TOKEN]: token });
      assert.equal(res.status, 200, path);
      assert.equal(res.body, 'i-0123456789abcdef0', path);
    }
  });

  it('answers 404 for unknown paths (with a valid token)', async () => {
    const token = await getToken(emu.port);
    assert.equal((await send(emu.port, 'GET', '/latest/meta-data/no-such-key', { [TOKEN]: token })).status, 404);
    assert.equal((await send(emu.port, 'GET', '/nonsense/meta-data/instance-id', { [TOKEN]: token })).status, 404);
  });

  it('accepts the TTL header in any case, and TTLs 1 and 21600', async () => {
    for (const [name, value] of [
      ['x-aws-ec2-metadata-token-ttl-seconds', '1'],
      ['X-AWS-EC2-METADATA-TOKEN-TTL-SECONDS', '21600'],
      ['X-Aws-Ec2-Metadata-Token-Ttl-Seconds', '300'],
    ] as const) {
      const res = await send(emu.port, 'PUT', '/latest/api/token', { [name]: value });
      assert.equal(res.status, 200, `${name}: ${value}`);
      assert.equal(res.headers['x-aws-ec2-metadata-token-ttl-seconds'], value);
    }
  });

  it('answers 400 to a missing, invalid or out-of-range TTL', async () => {
    assert.equal((await send(emu.port, 'PUT', '/latest/api/token')).status, 400);
    for (const ttl of ['0', '21601', '-1', 'abc', '1.5', '', '99999999']) {
      assert.equal((await send(emu.port, 'PUT', '/latest/api/token', { [TTL]: ttl })).status, 400, `ttl ${JSON.stringify(ttl)}`);
    }
  });

  it('answers 403 to a token PUT on a dated path', async () => {
    const res = await send(emu.port, 'PUT', '/2021-03-23/api/token', { [TTL]: '21600' });
    assert.equal(res.status, 403);
  });

  it('answers 405 to GET on the token path', async () => {
    const res = await send(emu.port, 'GET', '/latest/api/token', { [TTL]: '21600' });
    assert.equal(res.status, 405);
  });

  it('answers 403 to a token request carrying X-Forwarded-For', async () => {
    const res = await send(emu.port, 'PUT', '/latest/api/token', { [TTL]: '21600', 'X-Forwarded-For': '203.0.113.7' });
    assert.equal(res.status, 403);
  });

  it('answers 405 to other methods on metadata paths', async () => {
    const token = await getToken(emu.port);
    assert.equal((await send(emu.port, 'POST', '/latest/meta-data/instance-id', { [TOKEN]: token })).status, 405);
    assert.equal((await send(emu.port, 'PUT', '/latest/meta-data/instance-id', { [TOKEN]: token })).status, 405);
  });

  it('supports HEAD with a token (headers, no body) and rejects it without', async () => {
    const token = await getToken(emu.port);
    const head = await send(emu.port, 'HEAD', '/latest/meta-data/instance-id', { [TOKEN]: token });
    assert.equal(head.status, 200);
    assert.equal(head.body, '');
    assert.equal(head.headers['content-length'], String('i-0123456789abcdef0'.length));
    assert.equal((await send(emu.port, 'HEAD', '/latest/meta-data/instance-id')).status, 401);
  });

  it('records every request with method, path and headers', async () => {
    const start = emu.requests.length;
    await send(emu.port, 'GET', '/latest/meta-data/local-ipv4?x=1', { 'X-Test-Marker': 'abc' });
    const rec = emu.requests.slice(start);
    assert.equal(rec.length, 1);
    assert.equal(rec[0]!.method, 'GET');
    assert.equal(rec[0]!.path, '/latest/meta-data/local-ipv4?x=1');
    assert.equal(rec[0]!.headers['x-test-marker'], 'abc');
    assert.equal(rec[0]!.status, 401);
    assert.equal(rec[0]!.proxied, false);
  });

  it('answers 502 to proxy-form requests and records them as proxied', async () => {
    // Only the request-line text names the IMDS address; the connection is to 127.0.0.1.
    const res = await send(emu.port, 'GET', 'http://169.254.169.254/latest/meta-data/instance-id');
    assert.equal(res.status, 502);
    const last = emu.requests.at(-1)!;
    assert.equal(last.proxied, true);
    assert.equal(last.path, 'http://169.254.169.254/latest/meta-data/instance-id');
  });
});

describe('IMDS emulator token expiry (injected clock)', () => {
  it('expires a token after its TTL', async () => {
    let now = 1_000_000;
    const emu = await startImdsEmulator({ now: () => now });
    try {
      const token = await getToken(emu.port, '1');
      const get = () => send(emu.port, 'GET', '/latest/meta-data/instance-id', { [TOKEN]: token });
      assert.equal((await get()).status, 200);
      now += 999;
      const almost = await get();
      assert.equal(almost.status, 200);
      assert.equal(almost.headers['x-aws-ec2-metadata-token-ttl-seconds'], '1');
      now += 1;
      assert.equal((await get()).status, 401);
      now -= 500; // an expired token stays dead
      assert.equal((await get()).status, 401);
    } finally {
      await emu.close();
    }
  });
});

describe('IMDS emulator (HttpTokens=optional)', () => {
  it('serves tokenless GETs, still issues tokens, and rejects bad tokens', async () => {
    const emu = await startImdsV1Emulator();
    try {
      assert.equal(emu.tokens, 'optional');
      const v1 = await send(emu.port, 'GET', '/latest/meta-data/instance-id');
      assert.equal(v1.status, 200);
      assert.equal(v1.body, 'i-0123456789abcdef0');
      const token = await getToken(emu.port);
      assert.equal((await send(emu.port, 'GET', '/latest/meta-data/local-ipv4', { [TOKEN]: token })).body, '10.0.1.23');
      assert.equal((await send(emu.port, 'GET', '/latest/meta-data/local-ipv4', { [TOKEN]: 'bogus' })).status, 401);
      assert.equal((await send(emu.port, 'PUT', '/latest/api/token', { [TTL]: '0' })).status, 400);
    } finally {
      await emu.close();
    }
  });

  it('startImdsEmulator({ tokens: "optional" }) is the same thing', async () => {
    const emu = await startImdsEmulator({ tokens: 'optional' });
    try {
      assert.equal((await send(emu.port, 'GET', '/latest/meta-data/placement/region')).body, 'eu-west-1');
    } finally {
      await emu.close();
    }
  });
});

describe('IMDS emulator custom data', () => {
  it('serves the given data set and derives listings', async () => {
    const emu = await startImdsEmulator({
      data: { ...DEFAULT_IMDS_DATA, '/latest/meta-data/tags/instance/Name': 'web-1', '/latest/meta-data/tags/instance/Env': 'prod' },
    });
    try {
      const token = await getToken(emu.port);
      assert.equal((await send(emu.port, 'GET', '/latest/meta-data/tags/instance/Name', { [TOKEN]: token })).body, 'web-1');
      assert.equal((await send(emu.port, 'GET', '/latest/meta-data/tags/instance', { [TOKEN]: token })).body, 'Env\nName');
      assert.equal((await send(emu.port, 'GET', '/latest/meta-data/tags/', { [TOKEN]: token })).body, 'instance/');
    } finally {
      await emu.close();
    }
  });
});

describe('curl/wget shims against the tokens-required emulator', () => {
  let emu: ImdsEmulator;
  let shims: ImdsShims;
  before(async () => {
    emu = await startImdsEmulator();
    shims = await createImdsShims(emu.port);
  });
  after(async () => {
    await shims.cleanup();
    await emu.close();
  });

  const run = async (name: string, body: string) => {
    const start = emu.requests.length;
    const result = await runScript(await writeScript(name, body), { env: shims.env(), cwd: work });
    return { ...result, requests: emu.requests.slice(start) };
  };

  it('resolved the real clients to absolute paths outside the shim dir', () => {
    assert.ok(shims.real.curl?.startsWith('/') && !shims.real.curl.startsWith(shims.binDir), shims.real.curl);
    assert.ok(shims.real.wget?.startsWith('/') && !shims.real.wget.startsWith(shims.binDir), shims.real.wget);
  });

  it('env() puts the shims first on PATH and traps/removes proxies', async () => {
    const env = shims.env({ EXTRA: '1' });
    assert.equal(env.PATH!.split(':')[0], shims.binDir);
    assert.equal(env.EXTRA, '1');
    assert.equal(env.no_proxy, undefined);
    assert.equal(env.NO_PROXY, undefined);
    for (const name of ['http_proxy', 'https_proxy', 'HTTP_PROXY', 'HTTPS_PROXY']) {
      assert.equal(env[name], `http://127.0.0.1:${emu.port}`, name);
    }
    const plain = await createImdsShims(emu.port, { proxyTrap: false });
    try {
      const env2 = plain.env();
      for (const name of ['http_proxy', 'https_proxy', 'HTTP_PROXY', 'HTTPS_PROXY', 'no_proxy']) {
        assert.equal(env2[name], undefined, name);
      }
    } finally {
      await plain.cleanup();
    }
  });

  it('curl: the AWS-documented IMDSv2 flow reaches the emulator', async () => {
    const r = await run(
      'curl-v2.sh',
      `TOKEN=$(curl -sX PUT http://169.254.169.254/latest/api/token -H "X-aws-ec2-metadata-token-ttl-seconds: 21600")
curl -s -H "X-aws-ec2-metadata-token: $TOKEN" http://169.254.169.254/latest/meta-data/instance-id`,
    );
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, 'i-0123456789abcdef0');
    assert.deepEqual(
      r.requests.map((q) => [q.method, q.path, q.status]),
      [
        ['PUT', '/latest/api/token', 200],
        ['GET', '/latest/meta-data/instance-id', 200],
      ],
    );
    assert.equal(r.requests[0]!.headers['x-aws-ec2-metadata-token-ttl-seconds'], '21600');
    assert.match(String(r.requests[1]!.headers['x-aws-ec2-metadata-token']), /^[A-Za-z0-9+/=]{20,}$/);
    assert.equal(r.requests[1]!.headers.host, `127.0.0.1:${emu.port}`);
    assert.match(String(r.requests[1]!.headers['user-agent']), /^curl\//);
  });

  it('wget: the IMDSv2 flow reaches the emulator', async () => {
    const r = await run(
      'wget-v2.sh',
      `TOKEN=$(wget -qO- --method=PUT --header="X-aws-ec2-metadata-token-ttl-seconds: 21600" http://169.254.169.254/latest/api/token)
wget -qO- --header="X-aws-ec2-metadata-token: $TOKEN" http://169.254.169.254/latest/meta-data/instance-id`,
    );
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, 'i-0123456789abcdef0');
    assert.deepEqual(
      r.requests.map((q) => [q.method, q.path, q.status]),
      [
        ['PUT', '/latest/api/token', 200],
        ['GET', '/latest/meta-data/instance-id', 200],
      ],
    );
    assert.match(String(r.requests[1]!.headers['user-agent']), /^Wget\//i);
  });

  it('curl: a tokenless request gets 401 (curl -f exits 22)', async () => {
    const r = await run('curl-v1.sh', 'curl -sf http://169.254.169.254/latest/meta-data/instance-id');
    assert.equal(r.code, 22, r.stderr);
    assert.equal(r.stdout, '');
    assert.deepEqual(r.requests.map((q) => [q.method, q.path, q.status]), [['GET', '/latest/meta-data/instance-id', 401]]);
  });

  it('wget: a tokenless request gets 401 (wget exits 6)', async () => {
    const r = await run('wget-v1.sh', 'wget -qO- http://169.254.169.254/latest/meta-data/instance-id');
    assert.equal(r.code, 6, r.stderr);
    assert.deepEqual(r.requests.map((q) => q.status), [401]);
  });

  it('rewrites the other IMDS spellings, scheme-less URLs and :80', async () => {
    const r = await run(
      'spellings.sh',
      `set -e
TOKEN=$(curl -sS -X PUT "http://[fd00:ec2::254]/latest/api/token" -H "X-aws-ec2-metadata-token-ttl-seconds: 60")
h="X-aws-ec2-metadata-token: $TOKEN"
curl -sS -H "$h" http://instance-data/latest/meta-data/placement/region; echo
curl -sS -H "$h" http://instance-data.ec2.internal:80/2009-04-04/meta-data/local-ipv4; echo
curl -sS -H "$h" 169.254.169.254/latest/meta-data/placement/availability-zone; echo
curl -sS -H "$h" --url http://169.254.169.254:80/latest/meta-data/iam/security-credentials/; echo
wget -q -O - --header "$h" instance-data.ec2.internal/latest/meta-data/instance-id; echo
wget -nv -O out.txt --header "$h" "http://[FD00:EC2::254]/latest/meta-data/instance-id"; cat out.txt; echo`,
    );
    assert.equal(r.code, 0, r.stderr);
    assert.equal(
      r.stdout,
      'eu-west-1\n10.0.1.23\neu-west-1a\napp-role\ni-0123456789abcdef0\ni-0123456789abcdef0\n',
    );
    assert.ok(r.requests.length === 7 && r.requests.every((q) => q.status === 200 && !q.proxied));
  });

  it('curl: HEAD (-I) with a token works through the shim', async () => {
    const r = await run(
      'curl-head.sh',
      `TOKEN=$(curl -sX PUT http://169.254.169.254/latest/api/token -H "X-aws-ec2-metadata-token-ttl-seconds: 60")
curl -sfI -H "X-aws-ec2-metadata-token: $TOKEN" http://169.254.169.254/latest/meta-data/instance-id | head -1`,
    );
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^HTTP\/1\.1 200/);
    assert.equal(r.requests.at(-1)!.method, 'HEAD');
  });

  it('refuses an IMDS host with a non-80 port (exit 97)', async () => {
    const r = await run('port.sh', 'curl -s http://169.254.169.254:8080/latest/meta-data/');
    assert.equal(r.code, SHIM_REFUSED_EXIT);
    assert.match(r.stderr, /refusing/);
    assert.equal(r.requests.length, 0);
  });

  it('proxy trap: a client that bypasses the shims lands on the emulator (502, proxied)', async () => {
    // 127.0.0.2 is loopback: even without the trap this could not leave the host.
    const file = await writeScript(
      'trap.sh',
      `${shims.real.curl} -s -o /dev/null -w '%{http_code}' http://127.0.0.2:9/trap`,
    );
    const start = emu.requests.length;
    const r = await runScript(file, { env: shims.env(), cwd: work, allowUnshimmed: true });
    assert.equal(r.stdout, '502');
    const rec = emu.requests.slice(start);
    assert.equal(rec.length, 1);
    assert.equal(rec[0]!.proxied, true);
    assert.equal(rec[0]!.path, 'http://127.0.0.2:9/trap');
  });
});

describe('shim safety checks (fake real binaries: nothing can reach the network)', () => {
  let shims: ImdsShims;
  let sentinel: string;
  before(async () => {
    sentinel = join(work, 'fake-ran');
    const fake = join(work, 'fake-client');
    await writeFile(fake, `#!/bin/bash\nprintf '%s\\n' "$@" >> ${JSON.stringify(sentinel)}\n`);
    await chmod(fake, 0o755);
    shims = await createImdsShims(40000, { curl: fake, wget: fake });
  });
  after(() => shims.cleanup());

  const attempt = async (name: string, body: string) => {
    await rm(sentinel, { force: true });
    const r = await runScript(await writeScript(name, body), { env: shims.env(), cwd: work });
    const ran = await access(sentinel).then(
      () => true,
      () => false,
    );
    return { ...r, ran };
  };

  for (const [label, command] of [
    ['curl http://10.1.2.3/', 'curl http://10.1.2.3/'],
    ['curl http://example.com', 'curl http://example.com'],
    ['curl example.com (scheme-less)', 'curl -s example.com/latest'],
    ['curl --url http://example.com', 'curl -s --url http://example.com'],
    ['a non-loopback URL inside a header', 'curl -H "Referer: http://example.com/" http://169.254.169.254/'],
    ['curl -K config', 'curl -K /dev/null http://169.254.169.254/'],
    ['curl --next', 'curl http://169.254.169.254/ --next http://169.254.169.254/'],
    ['curl -x proxy', 'curl -sx http://127.0.0.1:1 http://169.254.169.254/'],
    ['curl --connect-to', 'curl --connect-to ::127.0.0.1:1 http://169.254.169.254/'],
    ['another link-local address', 'curl http://169.254.170.2/v2/credentials'],
    ['an unbracketed fd00:ec2 address', 'curl -g http://fd00:ec2::254/latest/'],
    ['wget example.com', 'wget -qO- example.com'],
    ['wget -e', 'wget -qO- -e use_proxy=on http://169.254.169.254/'],
    ['wget -i', 'wget -i /dev/null'],
    ['wget --span-hosts', 'wget -r --span-hosts http://169.254.169.254/'],
  ] as const) {
    it(`refuses ${label} with exit 97 without running the client`, async () => {
      const r = await attempt('refuse.sh', command);
      assert.equal(r.code, SHIM_REFUSED_EXIT, `${r.stdout}${r.stderr}`);
      assert.match(r.stderr, /imds-guard (curl|wget) shim: refusing/);
      assert.equal(r.ran, false);
    });
  }

  it('execs the client with proxies disabled and the rewritten arguments', async () => {
    const r = await attempt(
      'args.sh',
      `curl -sX PUT http://169.254.169.254/latest/api/token --max-time 2 --retry 3 -o out.txt -H "X-aws-ec2-metadata-token-ttl-seconds: 21600"
wget -nv -O out.json --header "X-aws-ec2-metadata-token: t" 169.254.169.254/latest/meta-data/`,
    );
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.ran, true);
    assert.deepEqual((await readFile(sentinel, 'utf8')).trimEnd().split('\n'), [
      '-q',
      '--noproxy',
      '*',
      '--connect-to',
      '::127.0.0.1:40000',
      '-sX',
      'PUT',
      'http://127.0.0.1:40000/latest/api/token',
      '--max-time',
      '2',
      '--retry',
      '3',
      '-o',
      'out.txt',
      '-H',
      'X-aws-ec2-metadata-token-ttl-seconds: 21600',
      '--no-config',
      '--no-proxy',
      '-nv',
      '-O',
      'out.json',
      '--header',
      'X-aws-ec2-metadata-token: t',
      '127.0.0.1:40000/latest/meta-data/',
    ]);
  });
});

describe('runScript', () => {
  it('kills a script that exceeds its timeout', async () => {
    const file = await writeScript('slow.sh', 'echo started; sleep 30; echo never');
    const t0 = Date.now();
    const r = await runScript(file, { timeoutMs: 300, allowUnshimmed: true });
    assert.equal(r.timedOut, true);
    assert.equal(r.code, null);
    assert.equal(r.stdout, 'started\n');
    assert.ok(Date.now() - t0 < 5000);
  });

  it('returns exit code, stdout and stderr, and honours cwd', async () => {
    const file = await writeScript('plain.sh', 'pwd; echo oops >&2; exit 3');
    const r = await runScript(file, { cwd: work, allowUnshimmed: true });
    assert.deepEqual({ code: r.code, stdout: r.stdout, stderr: r.stderr }, { code: 3, stdout: `${work}\n`, stderr: 'oops\n' });
  });

  it('gives the script real files for /dev/stdout, /dev/stderr and /dev/stdin', async () => {
    const file = await writeScript('devfd.sh', 'echo out >> /dev/stdout; echo err > /dev/stderr; cat /dev/stdin');
    const r = await runScript(file, { allowUnshimmed: true, stdin: 'in\n', args: [] });
    assert.deepEqual({ code: r.code, stdout: r.stdout, stderr: r.stderr }, { code: 0, stdout: 'out\nin\n', stderr: 'err\n' });
  });

  it('passes arguments and kills background leftovers when bash exits', async () => {
    const pidFile = join(work, 'bg.pid');
    const file = await writeScript('bg.sh', `sleep 30 & echo $! > ${JSON.stringify(pidFile)}; echo "$1-$2"`);
    const r = await runScript(file, { allowUnshimmed: true, args: ['a', 'b'] });
    assert.equal(r.stdout, 'a-b\n');
    const pid = Number((await readFile(pidFile, 'utf8')).trim());
    // Gone, or a zombie waiting for init to reap it.
    const alive = async () => {
      const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => '');
      return stat !== '' && !/^\d+ \(.*\) Z /.test(stat);
    };
    for (let i = 0; i < 40 && (await alive()); i++) await new Promise((resolve) => setTimeout(resolve, 50));
    assert.equal(await alive(), false, `background sleep ${pid} still running`);
  });

  it('refuses to run without the shim environment', async () => {
    const file = await writeScript('noshim.sh', 'echo hi');
    await assert.rejects(runScript(file), /does not put the IMDS shims first on PATH/);
  });

  it('refuses scripts that bypass PATH lookup of curl/wget', async () => {
    const emu = await startImdsEmulator();
    const shims = await createImdsShims(emu.port);
    try {
      // Loopback URL on purpose: the refusal happens before anything runs anyway.
      const file = await writeScript('abs.sh', 'TOKEN=$(/usr/bin/curl -s http://127.0.0.1:9/)');
      await assert.rejects(runScript(file, { env: shims.env() }), /bypass the IMDS shims[\s\S]*line 2/);
      assert.equal(emu.requests.length, 0);
    } finally {
      await shims.cleanup();
      await emu.close();
    }
  });

  it('findShimBypasses flags the usual ways around PATH', () => {
    const src = [
      '#!/bin/bash',
      'curl -s http://169.254.169.254/latest/meta-data/   # fine',
      '/usr/bin/curl -s http://x',
      'CURL=/usr/local/bin/curl',
      'exec 3<>/dev/tcp/169.254.169.254/80',
      'export PATH=/usr/bin:/bin',
      'export PATH="$PATH:/opt/bin"',
      'sudo wget -q http://x',
      'command -p curl http://x',
      'env -i curl http://x',
      '# /usr/bin/curl in a comment is fine',
      'wget -qO- "$URL"',
    ].join('\n');
    assert.deepEqual(
      findShimBypasses(src).map((b) => b.line),
      [3, 4, 5, 6, 8, 9, 10],
    );
  });
});
