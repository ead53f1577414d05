import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { UNRESOLVED } from '@imds-guard/core';
import { checkAwsCli } from '../src/bash/aws-cli.ts';
import { parseCurl } from '../src/bash/clients/curl.ts';
import { parseHttpie } from '../src/bash/clients/httpie.ts';
import { parseWget } from '../src/bash/clients/wget.ts';
import type { ArgItem } from '../src/bash/evaluate.ts';

const words = (...w: string[]): ArgItem[] => w.map((v) => ({ values: [v], spread: false }));
const IMDS = 'http://169.254.169.254/latest/meta-data/instance-id';

describe('curl options', () => {
  it('clustered flags ending in a valued option take the next word', () => {
    const [r] = parseCurl(words('-sSX', 'PUT', 'http://169.254.169.254/latest/api/token'));
    assert.equal(r!.method, 'PUT');
    assert.equal(r!.url, 'http://169.254.169.254/latest/api/token');
  });
  it('a value glued to its option (-XPUT, -HName:v)', () => {
    const [r] = parseCurl(words('-XPUT', '-HX-aws-ec2-metadata-token-ttl-seconds:60', 'http://169.254.169.254/latest/api/token'));
    assert.equal(r!.method, 'PUT');
    assert.deepEqual(r!.headers, ['X-aws-ec2-metadata-token-ttl-seconds:60']);
  });
  it('headers before or after the URL, long or short', () => {
    const [a] = parseCurl(words(IMDS, '--header', 'X-aws-ec2-metadata-token: t'));
    const [b] = parseCurl(words('-sH', 'X-aws-ec2-metadata-token: t', IMDS));
    assert.deepEqual(a!.headers, ['X-aws-ec2-metadata-token: t']);
    assert.deepEqual(b!.headers, ['X-aws-ec2-metadata-token: t']);
  });
  it('values of other options are not URLs', () => {
    const requests = parseCurl(words('-o', '/tmp/id', '--max-time', '2', '-w', '%{http_code}', '--retry', '3', IMDS));
    assert.deepEqual(requests.map((r) => r.url), [IMDS]);
  });
  it('--url, -I, --request and -d set the URL and method', () => {
    assert.equal(parseCurl(words('--url', IMDS))[0]!.url, IMDS);
    assert.equal(parseCurl(words('-I', IMDS))[0]!.method, 'HEAD');
    assert.equal(parseCurl(words('--request', 'put', IMDS))[0]!.method, 'PUT');
    assert.equal(parseCurl(words('-d', 'x=1', IMDS))[0]!.method, 'POST');
    assert.equal(parseCurl(words('-X', UNRESOLVED, IMDS))[0]!.method, 'UNKNOWN');
  });
  it('headers from a file or unknown words make the headers unresolved', () => {
    assert.match(parseCurl(words('-H', '@/etc/imds-headers', IMDS))[0]!.unresolvedHeaders!, /file/);
    const spread: ArgItem = { values: [UNRESOLVED], spread: true };
    assert.ok(parseCurl([spread, ...words(IMDS)])[0]!.unresolvedHeaders);
  });
  it('curl does not read --header=value (that is wget syntax)', () => {
    assert.deepEqual(parseCurl(words('--header=X-aws-ec2-metadata-token: t', IMDS))[0]!.headers, []);
  });
});

describe('wget options', () => {
  it('-qO- and -O - do not swallow the URL', () => {
    assert.deepEqual(parseWget(words('-qO-', IMDS)).map((r) => r.url), [IMDS]);
    assert.deepEqual(parseWget(words('-q', '-O', '-', IMDS)).map((r) => r.url), [IMDS]);
  });
  it('--header=… and --header …, --method=PUT and --method PUT', () => {
    const [a] = parseWget(words('--method=PUT', '--header=X-aws-ec2-metadata-token-ttl-seconds: 60', IMDS));
    const [b] = parseWget(words('--method', 'PUT', '--header', 'X-aws-ec2-metadata-token-ttl-seconds: 60', IMDS));
    for (const r of [a!, b!]) {
      assert.equal(r.method, 'PUT');
      assert.deepEqual(r.headers, ['X-aws-ec2-metadata-token-ttl-seconds: 60']);
    }
  });
});

describe('HTTPie', () => {
  it('reads the method, the URL and Header:value items', () => {
    const [r] = parseHttpie(words('--timeout', '2', 'GET', IMDS, 'X-aws-ec2-metadata-token:t', 'q==1'));
    assert.equal(r!.method, 'GET');
    assert.equal(r!.url, IMDS);
    assert.deepEqual(r!.headers, ['X-aws-ec2-metadata-token:t']);
  });
  it('data items make it a POST', () => {
    assert.equal(parseHttpie(words(IMDS, 'a=b'))[0]!.method, 'POST');
  });
});

describe('aws CLI', () => {
  const check = (...w: string[]) => checkAwsCli(words(...w), false)?.messageId;
  it('modify-instance-metadata-options', () => {
    assert.equal(check('ec2', 'modify-instance-metadata-options', '--instance-id', 'i-1', '--http-tokens', 'optional'), 'tokensOptional');
    assert.equal(check('ec2', 'modify-instance-metadata-options', '--instance-id', 'i-1', '--http-tokens=optional'), 'tokensOptional');
    assert.equal(check('ec2', 'modify-instance-metadata-options', '--instance-id', 'i-1', '--http-endpoint', 'enabled'), 'endpointWithoutTokens');
    assert.equal(check('ec2', 'modify-instance-metadata-options', '--instance-id', 'i-1', '--http-tokens', 'required'), undefined);
  });
  it('run-instances, with global options before the service', () => {
    assert.equal(check('--region', 'eu-west-1', 'ec2', 'run-instances', '--image-id', 'ami-1'), 'tokensMissing');
    assert.equal(check('ec2', 'run-instances', '--metadata-options', 'HttpTokens=optional,HttpEndpoint=enabled'), 'tokensOptional');
    assert.equal(check('ec2', 'run-instances', '--metadata-options', 'HttpTokens=required'), undefined);
    assert.equal(check('ec2', 'run-instances', '--metadata-options', '{"HttpTokens":"required"}'), undefined);
    assert.equal(check('ec2', 'run-instances', '--metadata-options', 'HttpEndpoint=disabled'), undefined);
    assert.equal(check('ec2', 'run-instances', '--launch-template', 'LaunchTemplateName=web'), undefined);
    assert.equal(checkAwsCli(words('ec2', 'run-instances', '--image-id', 'ami-1'), true), undefined);
  });
  it('launch template data', () => {
    assert.equal(check('ec2', 'create-launch-template', '--launch-template-data', '{"MetadataOptions":{"HttpTokens":"optional"}}'), 'tokensOptional');
    assert.equal(check('ec2', 'create-launch-template', '--launch-template-data', '{"ImageId":"ami-1"}'), 'tokensMissing');
    assert.equal(check('ec2', 'create-launch-template', '--launch-template-data', 'file://lt.json'), 'cannotDetermine');
    assert.equal(check('ec2', 'create-launch-template-version', '--source-version', '1', '--launch-template-data', '{"ImageId":"ami-2"}'), 'cannotDetermine');
  });
  it('account defaults and launch configurations', () => {
    assert.equal(check('ec2', 'modify-instance-metadata-defaults', '--http-tokens', 'optional'), 'tokensOptional');
    assert.equal(check('ec2', 'modify-instance-metadata-defaults', '--http-tokens', 'no-preference'), undefined);
    assert.equal(check('autoscaling', 'create-launch-configuration', '--launch-configuration-name', 'lc'), 'tokensMissing');
  });
  it('other commands are not its business', () => {
    assert.equal(check('s3', 'cp', 'a', 'b'), undefined);
  });
});
