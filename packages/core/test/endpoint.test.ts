import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { classifyImdsPath, classifyUrl, display, UNRESOLVED } from '../src/index.ts';

describe('classifyUrl', () => {
  const imds = [
    'http://169.254.169.254/latest/meta-data/',
    '169.254.169.254/latest/meta-data/instance-id',
    'HTTP://169.254.169.254:80/latest/user-data',
    'http://[fd00:ec2::254]/latest/meta-data/',
    'http://instance-data/latest/meta-data/',
    'http://instance-data.ec2.internal/latest/meta-data/',
    'http://instance-data.eu-west-1.compute.internal/latest/meta-data/',
    'http://2852039166/latest/meta-data/',
    'http://0xA9FEA9FE/latest/meta-data/',
    'http://0xa9.0xfe.0xa9.0xfe/latest/meta-data/',
    'http://0251.0376.0251.0376/latest/meta-data/',
    'http://169.254.43518/latest/meta-data/',
    'http://[::ffff:169.254.169.254]/latest/meta-data/',
    'http://[::ffff:a9fe:a9fe]/latest/meta-data/',
    'http://[64:ff9b::a9fe:a9fe]/',
    `http://169.254.169.254/latest/meta-data/${UNRESOLVED}`,
  ];
  for (const url of imds) it(`${display(url)} is IMDS`, () => assert.equal(classifyUrl(url).kind, 'imds'));

  const lookalikes = [
    'http://169.254.170.2/v2/credentials/abc',
    'http://169.254.170.23/v1/credentials',
    'http://[fd00:ec2::23]/v1/credentials',
    'http://169.254.169.123/',
    'http://169.254.169.253/',
    'http://metadata.google.internal/computeMetadata/v1/',
    'http://169.254.169.254/computeMetadata/v1/instance/id',
    'http://169.254.169.254/metadata/instance?api-version=2021-02-01',
    'http://169.254.169.254/opc/v2/instance/',
    'http://169.254.169.254/openstack/latest/meta_data.json',
    'http://169.254.169.254/hetzner/v1/metadata',
    'http://100.100.100.200/latest/meta-data/',
    'https://169.254.169.254/latest/meta-data/',
  ];
  for (const url of lookalikes) it(`${url} is not IMDS`, () => assert.equal(classifyUrl(url).kind, 'not-imds'));

  const unknown = ['http://example.com/latest/meta-data/', `http://${UNRESOLVED}/latest/meta-data/`, 'http://[fd00:c1::a9fe:a9fe]/opc/v2/', '/tmp/file', ''];
  for (const url of unknown) it(`${JSON.stringify(display(url))} is not known to be IMDS`, () => assert.equal(classifyUrl(url).kind, 'unknown'));
});

describe('classifyImdsPath', () => {
  it('tells the token path, dated token paths, the root and data apart', () => {
    assert.equal(classifyImdsPath('/latest/api/token'), 'token');
    assert.equal(classifyImdsPath('/2021-03-23/api/token'), 'dated-token');
    assert.equal(classifyImdsPath('/'), 'root');
    assert.equal(classifyImdsPath(''), 'root');
    assert.equal(classifyImdsPath('/latest/meta-data//ami-id'), 'data');
    assert.equal(classifyImdsPath('/2009-04-04/meta-data/instance-id'), 'data');
  });
});
