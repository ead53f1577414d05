/** The RuleTester cases of no-imdsv1-request; the compile test type-checks their outputs too. */
import type { InvalidTestCase, ValidTestCase } from '@typescript-eslint/rule-tester';
import type { MessageIds, Options } from '../../src/rules/no-imdsv1-request.ts';
import { at, withHelper, tokenHelper } from '../rule-tester.ts';

const MISSING = 'missingToken' as const;

/** An invalid case with one missingToken finding at `snippet` and no suggestion. */
function missing(code: string, snippet: string, filename = 'file.ts') {
  return { code, filename, errors: [{ messageId: MISSING, ...at(code, snippet), suggestions: [] }] };
}

// Each case is a module of its own; most wrap the call in an async function, as real code does.
const asyncFn = (body: string) => `export async function read() {\n  ${body}\n}\n`;

export const cases: { valid: (string | ValidTestCase<Options>)[]; invalid: InvalidTestCase<MessageIds, Options>[] } = {
  valid: [
    // v2: the token header, in every spelling and place the analysis follows
    `await fetch('http://169.254.169.254/latest/meta-data/instance-id', { headers: { 'X-aws-ec2-metadata-token': token } });`,
    `await fetch('http://169.254.169.254/latest/meta-data/instance-id', { headers: { 'x-aws-ec2-metadata-token': token } });`,
    `const TOKEN_HEADER = 'X-aws-ec2-metadata-token';\nawait fetch('http://169.254.169.254/latest/meta-data/', { headers: { [TOKEN_HEADER]: token } });`,
    `const headers = { 'X-aws-ec2-metadata-token': token };\nawait fetch('http://169.254.169.254/latest/meta-data/', { headers });`,
    `const base = { 'X-aws-ec2-metadata-token': token };\nawait fetch('http://169.254.169.254/latest/meta-data/', { headers: { ...base, Accept: 'text/plain' } });`,
    `const h = new Headers();\nh.append('X-Aws-Ec2-Metadata-Token', token);\nawait fetch('http://169.254.169.254/latest/meta-data/', { headers: h });`,
    `await fetch('http://169.254.169.254/latest/meta-data/', { headers: new Headers({ 'x-aws-ec2-metadata-token': token }) });`,
    `await fetch('http://169.254.169.254/latest/meta-data/', { headers: [['x-aws-ec2-metadata-token', token]] });`,
    // a header set only when a token was obtained counts as sent (the primary path sends it)
    `const headers: Record<string, string> = {};\nif (token) headers['X-aws-ec2-metadata-token'] = token;\nawait fetch('http://169.254.169.254/latest/meta-data/', { headers });`,
    `await fetch('http://169.254.169.254/latest/meta-data/', { headers: token ? { 'X-aws-ec2-metadata-token': token } : {} });`,
    `import axios from 'axios';\nawait axios.get('http://169.254.169.254/latest/meta-data/ami-id', { headers: { 'X-aws-ec2-metadata-token': token } });`,
    `import axios from 'axios';\nconst imds = axios.create({ baseURL: 'http://169.254.169.254/latest', headers: { 'X-aws-ec2-metadata-token': token } });\nawait imds.get('/meta-data/ami-id');`,
    `import axios from 'axios';\nconst imds = axios.create({ baseURL: 'http://169.254.169.254/latest' });\nimds.defaults.headers.common['X-aws-ec2-metadata-token'] = token;\nawait imds.get('/meta-data/ami-id');`,
    `import axios from 'axios';\nconst imds = axios.create({ baseURL: 'http://169.254.169.254/latest' });\nimds.interceptors.request.use((config) => { config.headers['X-aws-ec2-metadata-token'] = token; return config; });\nawait imds.get('/meta-data/ami-id');`,
    `import got from 'got';\nconst imds = got.extend({ prefixUrl: 'http://169.254.169.254/latest', headers: { 'x-aws-ec2-metadata-token': token } });\nawait imds('meta-data/mac').text();`,
    `import ky from 'ky';\nawait ky.get('http://169.254.169.254/latest/meta-data/mac', { headers: { 'x-aws-ec2-metadata-token': token } }).text();`,
    `import superagent from 'superagent';\nawait superagent.get('http://169.254.169.254/latest/meta-data/mac').set('X-aws-ec2-metadata-token', token);`,
    `import superagent from 'superagent';\nawait superagent.get('http://169.254.169.254/latest/meta-data/mac').set({ 'X-aws-ec2-metadata-token': token });`,
    `import needle from 'needle';\nneedle.get('http://169.254.169.254/latest/meta-data/mac', { headers: { 'X-aws-ec2-metadata-token': token } }, done);`,
    `const rp = require('request-promise');\nrp({ uri: 'http://169.254.169.254/latest/meta-data/mac', headers: { 'X-aws-ec2-metadata-token': token } });`,
    `import { request } from 'undici';\nawait request('http://169.254.169.254/latest/meta-data/mac', { headers: { 'x-aws-ec2-metadata-token': token } });`,
    `import { Client } from 'undici';\nconst imds = new Client('http://169.254.169.254');\nawait imds.request({ path: '/latest/meta-data/mac', method: 'GET', headers: { 'x-aws-ec2-metadata-token': token } });`,
    `import http from 'node:http';\nhttp.get({ host: '169.254.169.254', path: '/latest/meta-data/', headers: { 'X-aws-ec2-metadata-token': token } }, onResponse);`,
    `import http from 'node:http';\nconst req = http.request('http://169.254.169.254/latest/meta-data/');\nreq.setHeader('X-aws-ec2-metadata-token', token);\nreq.end();`,
    `const xhr = new XMLHttpRequest();\nxhr.open('GET', 'http://169.254.169.254/latest/meta-data/');\nxhr.setRequestHeader('X-aws-ec2-metadata-token', token);\nxhr.send();`,
    `import AWS from 'aws-sdk';\nnew AWS.MetadataService().request('/latest/meta-data/instance-id', { headers: { 'x-aws-ec2-metadata-token': token } }, done);`,
    // the v3 MetadataService fetches the token itself
    `import { MetadataService } from '@aws-sdk/ec2-metadata-service';\nawait new MetadataService().request('/latest/meta-data/instance-id', {});`,
    // token-fetch: the PUT itself is how IMDSv2 starts
    `await fetch('http://169.254.169.254/latest/api/token', { method: 'PUT', headers: { 'X-aws-ec2-metadata-token-ttl-seconds': '21600' } });`,
    `import axios from 'axios';\nawait axios.put('http://169.254.169.254/latest/api/token', null, { headers: { 'X-aws-ec2-metadata-token-ttl-seconds': '21600' } });`,
    // look-alikes: other AWS link-local services and other clouds
    `await fetch('http://169.254.170.2' + process.env.AWS_CONTAINER_CREDENTIALS_RELATIVE_URI);`,
    `await fetch('http://169.254.170.23/v1/credentials');`,
    `await fetch('http://[fd00:ec2::23]/v1/credentials');`,
    `await fetch('http://169.254.169.254/computeMetadata/v1/instance/zone', { headers: { 'Metadata-Flavor': 'Google' } });`,
    `await fetch('http://metadata.google.internal/computeMetadata/v1/project/project-id');`,
    `await fetch('http://169.254.169.254/metadata/instance?api-version=2021-02-01', { headers: { Metadata: 'true' } });`,
    `await fetch('http://169.254.169.254/opc/v2/instance/', { headers: { Authorization: 'Bearer Oracle' } });`,
    `await fetch('http://169.254.169.254/openstack/latest/meta_data.json');`,
    `await fetch('http://100.100.100.200/latest/meta-data/instance-id');`,
    `await fetch('https://169.254.169.254/latest/meta-data/');`,
    // not requests: strings in logs, comments, docs, validators
    `console.log('IMDS lives at http://169.254.169.254/latest/meta-data/');`,
    `// fetch('http://169.254.169.254/latest/meta-data/instance-id')\nexport {};`,
    `const DENY = ['169.254.169.254', 'fd00:ec2::254'];\nexport const blocked = (host: string) => DENY.includes(host);`,
    // the URL cannot be resolved here: an imported constant, a parameter
    `import { IMDS_URL } from './config';\nawait fetch(IMDS_URL + '/meta-data/instance-id');`,
    `export const read = (url: string) => fetch(url);`,
    // other fetch-like functions of this file are not HTTP clients
    `function fetch(url: string) { return url; }\nfetch('http://169.254.169.254/latest/meta-data/');`,
    // reportUncertain: false drops cannotDetermine
    {
      code: `export const read = (headers: Record<string, string>) => fetch('http://169.254.169.254/latest/meta-data/', { headers });`,
      options: [{ reportUncertain: false }],
    },
  ],
  invalid: [
    // --- URL values ------------------------------------------------------------------------
    (() => {
      const code = asyncFn(`return fetch('http://169.254.169.254/latest/meta-data/instance-id');`);
      return {
        code,
        errors: [
          {
            messageId: MISSING,
            ...at(code, `fetch('http://169.254.169.254/latest/meta-data/instance-id')`),
            data: { client: 'fetch', url: 'http://169.254.169.254/latest/meta-data/instance-id' },
            suggestions: [
              {
                messageId: 'suggestTokenHeader' as const,
                output: withHelper(asyncFn(`return fetch('http://169.254.169.254/latest/meta-data/instance-id', { headers: { 'X-aws-ec2-metadata-token': await getImdsToken() } });`)),
              },
            ],
          },
        ],
        output: null,
      };
    })(),
    (() => {
      const code = `const IMDS = 'http://169.254.169.254';\nconst BASE = \`\${IMDS}/latest\`;\n${asyncFn('const res = await fetch(`${BASE}/meta-data/placement/region`);\n  return res.text();')}`;
      return missingWithToken(code, 'fetch(`${BASE}/meta-data/placement/region`)', 'fetch(`${BASE}/meta-data/placement/region`, { headers: { \'X-aws-ec2-metadata-token\': await getImdsToken() } })');
    })(),
    (() => {
      const code = `const HOST = '169.254.169.254';\n${asyncFn("return (await fetch('http://' + HOST + '/latest/meta-data/mac')).text();")}`;
      return {
        code,
        errors: [
          {
            messageId: MISSING,
            ...at(code, `fetch('http://' + HOST + '/latest/meta-data/mac')`),
            suggestions: [
              {
                messageId: 'suggestTokenHeader' as const,
                output: withHelper(code.replace(`'/latest/meta-data/mac')`, `'/latest/meta-data/mac', { headers: { 'X-aws-ec2-metadata-token': await getImdsToken() } })`)),
              },
              {
                messageId: 'suggestMetadataService' as const,
                output: `import { MetadataService } from '@aws-sdk/ec2-metadata-service';\n${code.replace(`(await fetch('http://' + HOST + '/latest/meta-data/mac')).text()`, `new MetadataService().request('/latest/meta-data/mac', {})`)}`,
              },
            ],
          },
        ],
      };
    })(),
    (() => {
      const code = `const IMDS = 'http://169.254.169.254';\n${asyncFn("return fetch(new URL('/latest/meta-data/instance-type', IMDS));")}`;
      return missingWithToken(code, `fetch(new URL('/latest/meta-data/instance-type', IMDS))`, `fetch(new URL('/latest/meta-data/instance-type', IMDS), { headers: { 'X-aws-ec2-metadata-token': await getImdsToken() } })`);
    })(),
    (() => {
      const code = `const config = { imds: { base: 'http://169.254.169.254/latest' } };\n${asyncFn("return fetch(config.imds.base + '/meta-data/local-ipv4');")}`;
      return missingWithToken(code, `fetch(config.imds.base + '/meta-data/local-ipv4')`, `fetch(config.imds.base + '/meta-data/local-ipv4', { headers: { 'X-aws-ec2-metadata-token': await getImdsToken() } })`);
    })(),
    (() => {
      const code = `class Imds {\n  static readonly BASE = 'http://169.254.169.254/latest';\n  private readonly path = '/meta-data/instance-id';\n  async id() {\n    return fetch(Imds.BASE + this.path);\n  }\n}\nexport { Imds };\n`;
      return missingWithToken(code, `fetch(Imds.BASE + this.path)`, `fetch(Imds.BASE + this.path, { headers: { 'X-aws-ec2-metadata-token': await getImdsToken() } })`);
    })(),
    (() => {
      const code = `const { IMDS_BASE = 'http://169.254.169.254/latest' } = {};\nexport const url = IMDS_BASE;\nconst imds = { host: '169.254.169.254' };\nconst { host } = imds;\n${asyncFn("return fetch(`http://${host}/latest/user-data`);")}`;
      return missingWithToken(code, 'fetch(`http://${host}/latest/user-data`)', 'fetch(`http://${host}/latest/user-data`, { headers: { \'X-aws-ec2-metadata-token\': await getImdsToken() } })');
    })(),
    // other spellings of the address, and the IPv6 endpoint (its token comes from the same address)
    missing(`void fetch('http://2852039166/latest/meta-data/');`, `fetch('http://2852039166/latest/meta-data/')`),
    missing(`void fetch('http://instance-data.ec2.internal/latest/meta-data/');`, `fetch('http://instance-data.ec2.internal/latest/meta-data/')`),
    (() => {
      const code = asyncFn(`return fetch('http://[fd00:ec2::254]/latest/meta-data/');`);
      return {
        code,
        errors: [
          {
            messageId: MISSING,
            ...at(code, `fetch('http://[fd00:ec2::254]/latest/meta-data/')`),
            suggestions: [
              {
                messageId: 'suggestTokenHeader' as const,
                output: withHelper(asyncFn(`return fetch('http://[fd00:ec2::254]/latest/meta-data/', { headers: { 'X-aws-ec2-metadata-token': await getImdsTokenIpv6() } });`), tokenHelper('getImdsTokenIpv6', '[fd00:ec2::254]')),
              },
            ],
          },
        ],
      };
    })(),
    // --- clients ----------------------------------------------------------------------------
    (() => {
      const code = `import fetch from 'node-fetch';\n${asyncFn("return fetch('http://169.254.169.254/latest/meta-data/ami-id');")}`;
      return missingWithToken(code, `fetch('http://169.254.169.254/latest/meta-data/ami-id')`, `fetch('http://169.254.169.254/latest/meta-data/ami-id', { headers: { 'X-aws-ec2-metadata-token': await getImdsToken() } })`);
    })(),
    (() => {
      const code = `import { fetch, request } from 'undici';\n${asyncFn("await fetch('http://169.254.169.254/latest/meta-data/ami-id');\n  return request('http://169.254.169.254/latest/meta-data/mac', { method: 'GET' });")}`;
      return {
        code,
        errors: [
          { messageId: MISSING, ...at(code, `fetch('http://169.254.169.254/latest/meta-data/ami-id')`), suggestions: [{ messageId: 'suggestTokenHeader' as const, output: withHelper(code.replace(`ami-id')`, `ami-id', { headers: { 'X-aws-ec2-metadata-token': await getImdsToken() } })`)) }] },
          { messageId: MISSING, ...at(code, `request('http://169.254.169.254/latest/meta-data/mac', { method: 'GET' })`), suggestions: [{ messageId: 'suggestTokenHeader' as const, output: withHelper(code.replace(`{ method: 'GET' }`, `{ method: 'GET', headers: { 'X-aws-ec2-metadata-token': await getImdsToken() } }`)) }] },
        ],
      };
    })(),
    (() => {
      const code = `import { Pool } from 'undici';\nconst imds = new Pool('http://169.254.169.254');\n${asyncFn("return imds.request({ path: '/latest/meta-data/mac', method: 'GET' });")}`;
      return missingWithToken(code, `imds.request({ path: '/latest/meta-data/mac', method: 'GET' })`, `imds.request({ path: '/latest/meta-data/mac', method: 'GET', headers: { 'X-aws-ec2-metadata-token': await getImdsToken() } })`);
    })(),
    (() => {
      const code = `import axios from 'axios';\n${asyncFn("const { data } = await axios.get('http://169.254.169.254/latest/meta-data/instance-id');\n  return data;")}`;
      return missingWithToken(code, `axios.get('http://169.254.169.254/latest/meta-data/instance-id')`, `axios.get('http://169.254.169.254/latest/meta-data/instance-id', { headers: { 'X-aws-ec2-metadata-token': await getImdsToken() } })`);
    })(),
    (() => {
      // a commented-out header line leaves the config empty
      const code = `import axios from 'axios';\n${asyncFn("return axios.head('http://169.254.169.254/latest/meta-data/', {\n    // headers: { 'X-aws-ec2-metadata-token': token },\n    timeout: 500,\n  });")}`;
      return {
        code,
        errors: [
          {
            messageId: MISSING,
            ...at(code, `axios.head('http://169.254.169.254/latest/meta-data/', {\n    // headers: { 'X-aws-ec2-metadata-token': token },\n    timeout: 500,\n  })`),
            suggestions: [{ messageId: 'suggestTokenHeader' as const, output: withHelper(code.replace('timeout: 500,', "timeout: 500,\n    headers: { 'X-aws-ec2-metadata-token': await getImdsToken() },")) }],
          },
        ],
      };
    })(),
    (() => {
      const code = `import axios from 'axios';\n${asyncFn("return axios({ url: 'http://169.254.169.254/latest/meta-data/iam/info' });")}`;
      return missingWithToken(code, `axios({ url: 'http://169.254.169.254/latest/meta-data/iam/info' })`, `axios({ url: 'http://169.254.169.254/latest/meta-data/iam/info', headers: { 'X-aws-ec2-metadata-token': await getImdsToken() } })`);
    })(),
    (() => {
      const code = `import axios from 'axios';\nconst imds = axios.create({ baseURL: 'http://169.254.169.254/latest/', timeout: 1000 });\n${asyncFn("return imds.get('meta-data/hostname');")}`;
      return missingWithToken(code, `imds.get('meta-data/hostname')`, `imds.get('meta-data/hostname', { headers: { 'X-aws-ec2-metadata-token': await getImdsToken() } })`);
    })(),
    (() => {
      const code = `const axios = require('axios').default;\n${asyncFn("return axios.request({ method: 'GET', url: 'http://169.254.169.254/latest/user-data' });")}`;
      return missingWithToken(code, `axios.request({ method: 'GET', url: 'http://169.254.169.254/latest/user-data' })`, `axios.request({ method: 'GET', url: 'http://169.254.169.254/latest/user-data', headers: { 'X-aws-ec2-metadata-token': await getImdsToken() } })`, 'file.js');
    })(),
    (() => {
      const code = `import got from 'got';\nconst imds = got.extend({ prefixUrl: 'http://169.254.169.254/latest', timeout: { request: 1000 } });\n${asyncFn("return imds('meta-data/mac').text();")}`;
      return {
        code,
        errors: [
          {
            messageId: MISSING,
            ...at(code, `imds('meta-data/mac')`),
            suggestions: [
              { messageId: 'suggestTokenHeader' as const, output: withHelper(code.replace(`imds('meta-data/mac')`, `imds('meta-data/mac', { headers: { 'X-aws-ec2-metadata-token': await getImdsToken() } })`)) },
              { messageId: 'suggestMetadataService' as const, output: `${code.replace(`import got from 'got';`, `import got from 'got';\nimport { MetadataService } from '@aws-sdk/ec2-metadata-service';`).replace(`imds('meta-data/mac').text()`, `new MetadataService().request('/latest/meta-data/mac', {})`)}` },
            ],
          },
        ],
      };
    })(),
    (() => {
      const code = `import ky from 'ky';\n${asyncFn("return ky('latest/meta-data/mac', { prefixUrl: 'http://169.254.169.254' }).json();")}`;
      return missingWithToken(code, `ky('latest/meta-data/mac', { prefixUrl: 'http://169.254.169.254' })`, `ky('latest/meta-data/mac', { prefixUrl: 'http://169.254.169.254', headers: { 'X-aws-ec2-metadata-token': await getImdsToken() } })`);
    })(),
    (() => {
      const code = `import superagent from 'superagent';\n${asyncFn("const res = await superagent.get('http://169.254.169.254/latest/meta-data/mac').timeout(500);\n  return res.text;")}`;
      return missingWithToken(code, `superagent.get('http://169.254.169.254/latest/meta-data/mac')`, `superagent.get('http://169.254.169.254/latest/meta-data/mac').set('X-aws-ec2-metadata-token', await getImdsToken())`);
    })(),
    (() => {
      const code = `import needle from 'needle';\n${asyncFn("needle.get('http://169.254.169.254/latest/meta-data/mac', (err, res) => console.log(err, res));")}`;
      return missingWithToken(code, `needle.get('http://169.254.169.254/latest/meta-data/mac', (err, res) => console.log(err, res))`, `needle.get('http://169.254.169.254/latest/meta-data/mac', { headers: { 'X-aws-ec2-metadata-token': await getImdsToken() } }, (err, res) => console.log(err, res))`);
    })(),
    (() => {
      const code = `const request = require('request');\nrequest('http://169.254.169.254/latest/meta-data/instance-id', (err, res, body) => console.log(body));\n`;
      return missing(code, `request('http://169.254.169.254/latest/meta-data/instance-id', (err, res, body) => console.log(body))`, 'file.js');
    })(),
    (() => {
      const code = `const rp = require('request-promise');\nconst imds = rp.defaults({ baseUrl: 'http://169.254.169.254/latest' });\nmodule.exports = () => imds({ uri: '/meta-data/mac' });\n`;
      return missing(code, `imds({ uri: '/meta-data/mac' })`, 'file.js');
    })(),
    (() => {
      const code = `import https from 'node:https';\nimport http from 'node:http';\nhttp.get('http://169.254.169.254/latest/meta-data/instance-id', (res) => res.pipe(process.stdout));\nhttps.get('https://example.com/');\n`;
      return missing(code, `http.get('http://169.254.169.254/latest/meta-data/instance-id', (res) => res.pipe(process.stdout))`);
    })(),
    (() => {
      const code = `import { request } from 'http';\nconst IMDS_URL = new URL('http://169.254.169.254/latest/meta-data/public-keys/');\nrequest(IMDS_URL, (res) => res.resume()).end();\n`;
      return missing(code, `request(IMDS_URL, (res) => res.resume())`);
    })(),
    (() => {
      const code = `import * as http from 'http';\nconst options = { hostname: '169.254.169.254', port: 80, path: '/latest/meta-data/instance-id', method: 'GET' };\n${asyncFn('http.request(options, (res) => res.resume()).end();')}`;
      return missing(code, `http.request(options, (res) => res.resume())`);
    })(),
    (() => {
      const code = asyncFn("const xhr = new XMLHttpRequest();\n  xhr.open('GET', 'http://169.254.169.254/latest/meta-data/local-ipv4');\n  xhr.send();");
      return missingWithToken(code, `xhr.open('GET', 'http://169.254.169.254/latest/meta-data/local-ipv4')`, `xhr.open('GET', 'http://169.254.169.254/latest/meta-data/local-ipv4');\n  xhr.setRequestHeader('X-aws-ec2-metadata-token', await getImdsToken());`, 'file.ts', `xhr.open('GET', 'http://169.254.169.254/latest/meta-data/local-ipv4');`);
    })(),
    (() => {
      // SDK v2's MetadataService#request sends no token by itself; the path may lack its slash
      const code = `const AWS = require('aws-sdk');\nconst metadata = new AWS.MetadataService({ httpOptions: { timeout: 1000 } });\nmetadata.request('latest/meta-data/placement/availability-zone', (err, zone) => console.log(err, zone));\n`;
      return {
        code,
        filename: 'file.js',
        errors: [
          {
            messageId: MISSING,
            ...at(code, `metadata.request('latest/meta-data/placement/availability-zone', (err, zone) => console.log(err, zone))`),
            data: { client: 'metadata.request', url: 'http://169.254.169.254/latest/meta-data/placement/availability-zone' },
            suggestions: [],
          },
        ],
      };
    })(),
    (() => {
      const code = `import { MetadataService } from 'aws-sdk';\n${asyncFn("new MetadataService().request('/latest/meta-data/instance-id', {}, done);")}`;
      return missingWithToken(code, `new MetadataService().request('/latest/meta-data/instance-id', {}, done)`, `new MetadataService().request('/latest/meta-data/instance-id', { headers: { 'X-aws-ec2-metadata-token': await getImdsToken() } }, done)`);
    })(),
    (() => {
      const code = `import { MetadataService } from '@aws-sdk/ec2-metadata-service';\nexport const id = () => new MetadataService({ disableFetchToken: true }).request('/latest/meta-data/instance-id', {});\n`;
      return missing(code, `new MetadataService({ disableFetchToken: true }).request('/latest/meta-data/instance-id', {})`);
    })(),
    (() => {
      const code = `import { HttpClient } from '@actions/http-client';\nconst client = new HttpClient('runner');\n${asyncFn("return client.get('http://169.254.169.254/latest/meta-data/instance-id');")}`;
      return missingWithToken(code, `client.get('http://169.254.169.254/latest/meta-data/instance-id')`, `client.get('http://169.254.169.254/latest/meta-data/instance-id', { 'X-aws-ec2-metadata-token': await getImdsToken() })`);
    })(),
    // --- the v1-only library --------------------------------------------------------------
    (() => {
      const code = `import metadata from 'node-ec2-metadata';\nexport const id = () => metadata.getMetadataForInstance('instance-id');\n`;
      return { code, errors: [{ messageId: 'v1OnlyLibrary' as const, ...at(code, `import metadata from 'node-ec2-metadata';`), data: { library: 'node-ec2-metadata' } }] };
    })(),
    // --- other verdicts --------------------------------------------------------------------
    (() => {
      const code = `export const t = () => fetch('http://169.254.169.254/latest/api/token');\n`;
      return { code, errors: [{ messageId: 'tokenPathGet' as const, ...at(code, `fetch('http://169.254.169.254/latest/api/token')`) }] };
    })(),
    (() => {
      const code = `export const read = (token: string) => fetch('http://169.254.169.254/latest/meta-data/', { headers: { 'X-aws-metadata-token': token } });\n`;
      return {
        code,
        errors: [{ messageId: 'misspelledToken' as const, ...at(code, `fetch('http://169.254.169.254/latest/meta-data/', { headers: { 'X-aws-metadata-token': token } })`), data: { client: 'fetch', url: 'http://169.254.169.254/latest/meta-data/', header: 'X-aws-metadata-token' } }],
        output: code.replace(`'X-aws-metadata-token'`, `'X-aws-ec2-metadata-token'`),
      };
    })(),
    (() => {
      const code = `export const read = (headers: Record<string, string>) => fetch('http://169.254.169.254/latest/meta-data/', { headers });\n`;
      return {
        code,
        errors: [{ messageId: 'cannotDetermine' as const, ...at(code, `fetch('http://169.254.169.254/latest/meta-data/', { headers })`), data: { client: 'fetch', url: 'http://169.254.169.254/latest/meta-data/', reason: 'the headers are the parameter headers' } }],
      };
    })(),
    (() => {
      // a separate request in the catch block, after the token fetch failed, is IMDSv1
      const code = asyncFn("try {\n    const token = await (await fetch('http://169.254.169.254/latest/api/token', { method: 'PUT', headers: { 'X-aws-ec2-metadata-token-ttl-seconds': '60' } })).text();\n    return fetch('http://169.254.169.254/latest/meta-data/', { headers: { 'X-aws-ec2-metadata-token': token } });\n  } catch {\n    return fetch('http://169.254.169.254/latest/meta-data/');\n  }");
      return missingWithToken(code, `fetch('http://169.254.169.254/latest/meta-data/')`, `fetch('http://169.254.169.254/latest/meta-data/', { headers: { 'X-aws-ec2-metadata-token': await getImdsToken() } })`, 'file.ts', undefined, MISSING);
    })(),
    // --- suggestions outside async functions ----------------------------------------------
    (() => {
      const code = `export function zone() {\n  return fetch('http://169.254.169.254/latest/meta-data/placement/availability-zone').then((res) => res.text());\n}\n`;
      return {
        code,
        errors: [
          {
            messageId: MISSING,
            ...at(code, `fetch('http://169.254.169.254/latest/meta-data/placement/availability-zone')`),
            suggestions: [
              {
                messageId: 'suggestTokenHeader' as const,
                output: withHelper(code.replace(`fetch('http://169.254.169.254/latest/meta-data/placement/availability-zone')`, `getImdsToken().then((imdsToken) => fetch('http://169.254.169.254/latest/meta-data/placement/availability-zone', { headers: { 'X-aws-ec2-metadata-token': imdsToken } }))`)),
              },
              {
                messageId: 'suggestMetadataService' as const,
                output: `import { MetadataService } from '@aws-sdk/ec2-metadata-service';\n${code.replace(`fetch('http://169.254.169.254/latest/meta-data/placement/availability-zone').then((res) => res.text())`, `new MetadataService().request('/latest/meta-data/placement/availability-zone', {})`)}`,
              },
            ],
          },
        ],
      };
    })(),
    (() => {
      // CommonJS: the MetadataService suggestion requires instead of importing
      const code = `'use strict';\nconst got = require('got');\nmodule.exports.region = () => got('http://169.254.169.254/latest/meta-data/placement/region').text();\n`;
      return {
        code,
        filename: 'file.cjs',
        errors: [
          {
            messageId: MISSING,
            ...at(code, `got('http://169.254.169.254/latest/meta-data/placement/region')`),
            suggestions: [
              {
                messageId: 'suggestMetadataService' as const,
                output: code
                  .replace(`const got = require('got');`, `const got = require('got');\nconst { MetadataService } = require('@aws-sdk/ec2-metadata-service');`)
                  .replace(`got('http://169.254.169.254/latest/meta-data/placement/region').text()`, `new MetadataService().request('/latest/meta-data/placement/region', {})`),
              },
            ],
          },
        ],
      };
    })(),
    (() => {
      // a second suggestion in the same file reuses the helper an earlier one wrote
      const code = withHelper(asyncFn(`return fetch('http://169.254.169.254/latest/meta-data/mac');`));
      return missingWithToken(code, `fetch('http://169.254.169.254/latest/meta-data/mac')`, `fetch('http://169.254.169.254/latest/meta-data/mac', { headers: { 'X-aws-ec2-metadata-token': await getImdsToken() } })`, 'file.ts', undefined, MISSING, false);
    })(),
    (() => {
      // JSX in a .tsx file
      const code = `export async function Badge() {\n  const id = await (await fetch('http://169.254.169.254/latest/meta-data/instance-id')).text();\n  return <span>{id}</span>;\n}\n`;
      return {
        code,
        filename: 'file.tsx',
        errors: [
          {
            messageId: MISSING,
            ...at(code, `fetch('http://169.254.169.254/latest/meta-data/instance-id')`),
            suggestions: [
              { messageId: 'suggestTokenHeader' as const, output: withHelper(code.replace(`instance-id')`, `instance-id', { headers: { 'X-aws-ec2-metadata-token': await getImdsToken() } })`)) },
              { messageId: 'suggestMetadataService' as const, output: `import { MetadataService } from '@aws-sdk/ec2-metadata-service';\n${code.replace(`(await fetch('http://169.254.169.254/latest/meta-data/instance-id')).text()`, `new MetadataService().request('/latest/meta-data/instance-id', {})`)}` },
            ],
          },
        ],
      };
    })(),
  ],
};

/**
 * One finding at `snippet` whose only suggestion adds the token header: `replaced` (default
 * `snippet`) becomes `fixed`, and the token helper is appended unless `appendsHelper` is false.
 */
function missingWithToken(code: string, snippet: string, fixed: string, filename = 'file.ts', replaced = snippet, messageId: 'missingToken' | 'rootProbe' = MISSING, appendsHelper = true) {
  const output = code.replace(replaced, fixed);
  return {
    code,
    filename,
    errors: [{ messageId, ...at(code, snippet), suggestions: [{ messageId: 'suggestTokenHeader' as const, output: appendsHelper ? withHelper(output) : output }] }],
    output: null,
  };
}
