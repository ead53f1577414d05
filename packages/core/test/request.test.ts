import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { classifyHeader, judgeRequest, UNRESOLVED, type RequestModel } from '../src/index.ts';

const base: RequestModel = { client: 'curl', method: 'GET', url: 'http://169.254.169.254/latest/meta-data/instance-id', headers: [] };

describe('judgeRequest', () => {
  it('a GET without the token header is IMDSv1', () => {
    assert.deepEqual(judgeRequest(base), { kind: 'v1', messageId: 'missingToken' });
  });
  it('the token header in any case, with or without a space, makes it IMDSv2', () => {
    for (const h of ['X-aws-ec2-metadata-token: abc', 'x-aws-ec2-metadata-token:abc', 'X-AWS-EC2-METADATA-TOKEN: ' + UNRESOLVED]) {
      assert.deepEqual(judgeRequest({ ...base, headers: [h] }), { kind: 'v2' });
    }
  });
  it('HEAD needs the token too', () => {
    assert.equal(judgeRequest({ ...base, method: 'HEAD' }).kind, 'v1');
  });
  it('a misspelled header is named', () => {
    assert.deepEqual(judgeRequest({ ...base, headers: ['X-aws-metadata-token: t'] }), { kind: 'v1', messageId: 'misspelledToken', header: 'X-aws-metadata-token' });
  });
  it('the token PUT passes, and its mistakes are listed', () => {
    const put = { ...base, method: 'PUT' as const, url: 'http://169.254.169.254/latest/api/token' };
    assert.deepEqual(judgeRequest({ ...put, headers: ['X-aws-ec2-metadata-token-ttl-seconds: 21600'] }), { kind: 'token-fetch', problems: [] });
    assert.deepEqual(judgeRequest(put), { kind: 'token-fetch', problems: [{ problem: 'missingTtl' }] });
    assert.deepEqual(judgeRequest({ ...put, headers: ['X-aws-ec2-metadata-token-ttl-seconds: 21601'] }), { kind: 'token-fetch', problems: [{ problem: 'ttlOutOfRange', ttl: '21601' }] });
    assert.deepEqual(
      judgeRequest({ ...put, url: 'http://169.254.169.254/2021-03-23/api/token', headers: ['X-aws-ec2-metadata-token-ttl-seconds: 60'] }),
      { kind: 'token-fetch', problems: [{ problem: 'datedTokenPath' }] },
    );
  });
  it('a GET to the token path gets no token', () => {
    assert.deepEqual(judgeRequest({ ...base, url: 'http://169.254.169.254/latest/api/token' }), { kind: 'v1', messageId: 'tokenPathGet' });
  });
  it('a root probe is its own verdict', () => {
    assert.deepEqual(judgeRequest({ ...base, url: 'http://169.254.169.254/' }), { kind: 'v1', messageId: 'rootProbe' });
  });
  it('headers that cannot be resolved make the verdict uncertain, not v1', () => {
    assert.equal(judgeRequest({ ...base, unresolvedHeaders: 'from $OPTS' }).kind, 'cannot-determine');
    assert.equal(judgeRequest({ ...base, headers: [UNRESOLVED] }).kind, 'cannot-determine');
  });
  it('other clouds on the same address are not IMDS', () => {
    for (const h of ['Metadata-Flavor: Google', 'Metadata: true', 'Authorization: Bearer Oracle', 'X-aliyun-ecs-metadata-token: t']) {
      assert.equal(judgeRequest({ ...base, headers: [h] }).kind, 'not-imds', h);
    }
  });
  it('a request with an unknown host is left to the callers', () => {
    assert.deepEqual(judgeRequest({ ...base, url: `${UNRESOLVED}/latest/meta-data/` }), { kind: 'unknown-target' });
  });
});

describe('classifyHeader', () => {
  it('reads the TTL value', () => {
    assert.deepEqual(classifyHeader('x-aws-ec2-metadata-token-ttl-seconds:300'), { kind: 'ttl', value: '300' });
  });
  it('does not take unrelated headers for the token', () => {
    assert.deepEqual(classifyHeader('Accept: application/json'), { kind: 'other' });
  });
});
