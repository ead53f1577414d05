/** The RuleTester cases of no-invalid-imds-token-request; the compile test type-checks their outputs. */
import type { InvalidTestCase, ValidTestCase } from '@typescript-eslint/rule-tester';
import type { MessageIds, Options } from '../../src/rules/no-invalid-imds-token-request.ts';
import { at } from '../rule-tester.ts';

const TTL = `'X-aws-ec2-metadata-token-ttl-seconds': '21600'`;

export const cases: { valid: (string | ValidTestCase<Options>)[]; invalid: InvalidTestCase<MessageIds, Options>[] } = {
  valid: [
    `await fetch('http://169.254.169.254/latest/api/token', { method: 'PUT', headers: { ${TTL} } });`,
    `import axios from 'axios';\nawait axios.put('http://169.254.169.254/latest/api/token', undefined, { headers: { 'x-aws-ec2-metadata-token-ttl-seconds': 60 } });`,
    // headers that cannot be resolved may carry the TTL
    `export const token = (headers: Record<string, string>) => fetch('http://169.254.169.254/latest/api/token', { method: 'PUT', headers });`,
    // a GET to the token path is no-imdsv1-request's tokenPathGet, not a token request
    `await fetch('http://169.254.169.254/latest/api/token');`,
    // IBM Cloud's token endpoint is not IMDS
    `await fetch('http://169.254.169.254/instance_identity/v1/token?version=2022-03-01', { method: 'PUT' });`,
  ],
  invalid: [
    (() => {
      const code = `export const token = () => fetch('http://169.254.169.254/latest/api/token', { method: 'PUT' });\n`;
      return {
        code,
        errors: [{ messageId: 'missingTtl', ...at(code, `fetch('http://169.254.169.254/latest/api/token', { method: 'PUT' })`) }],
        output: code.replace(`{ method: 'PUT' }`, `{ method: 'PUT', headers: { ${TTL} } }`),
      };
    })(),
    (() => {
      const code = `import axios from 'axios';\nexport const token = () =>\n  axios.put('http://169.254.169.254/latest/api/token', null, {\n    headers: {\n      Accept: 'text/plain',\n    },\n  });\n`;
      return {
        code,
        errors: [{ messageId: 'missingTtl', ...at(code, `axios.put('http://169.254.169.254/latest/api/token', null, {\n    headers: {\n      Accept: 'text/plain',\n    },\n  })`) }],
        output: code.replace(`Accept: 'text/plain',`, `Accept: 'text/plain',\n      ${TTL},`),
      };
    })(),
    (() => {
      const code = `import axios from 'axios';\nexport const token = () => axios.put("http://169.254.169.254/latest/api/token");\n`;
      return {
        code,
        errors: [{ messageId: 'missingTtl', ...at(code, `axios.put("http://169.254.169.254/latest/api/token")`) }],
        // the file's quotes are single quotes (its first string decides)
        output: code.replace(`api/token")`, `api/token", undefined, { headers: { ${TTL} } })`),
      };
    })(),
    (() => {
      const code = `const IMDS = 'http://169.254.169.254/2021-03-23';\nexport const token = () => fetch(\`\${IMDS}/api/token\`, { method: 'PUT', headers: { ${TTL} } });\n`;
      return {
        code,
        errors: [{ messageId: 'datedTokenPath', ...at(code, 'fetch(`${IMDS}/api/token`, ' + `{ method: 'PUT', headers: { ${TTL} } })`), data: { client: 'fetch', url: 'http://169.254.169.254/2021-03-23/api/token' } }],
        // the date and "/api/token" are in different literals: no fix
        output: null,
      };
    })(),
    (() => {
      const code = `export const token = () => fetch('http://169.254.169.254/2021-03-23/api/token', { method: 'PUT', headers: { ${TTL} } });\n`;
      return {
        code,
        errors: [{ messageId: 'datedTokenPath', ...at(code, `fetch('http://169.254.169.254/2021-03-23/api/token', { method: 'PUT', headers: { ${TTL} } })`) }],
        output: code.replace('2021-03-23', 'latest'),
      };
    })(),
    (() => {
      const code = `import http from 'node:http';\nhttp.request({ host: '169.254.169.254', path: '/latest/api/token', method: 'PUT', headers: { 'X-aws-ec2-metadata-token-ttl-seconds': 86400 } }).end();\n`;
      return {
        code,
        errors: [{ messageId: 'ttlOutOfRange', ...at(code, `http.request({ host: '169.254.169.254', path: '/latest/api/token', method: 'PUT', headers: { 'X-aws-ec2-metadata-token-ttl-seconds': 86400 } })`), data: { client: 'http.request', url: 'http://169.254.169.254/latest/api/token', ttl: '86400' } }],
        output: null,
      };
    })(),
  ],
};
