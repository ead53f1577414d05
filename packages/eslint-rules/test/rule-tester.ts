/** @typescript-eslint/rule-tester bound to node:test, and helpers the rule tests share. */
import { after, describe, it } from 'node:test';
import { RuleTester } from '@typescript-eslint/rule-tester';

RuleTester.afterAll = after;
RuleTester.describe = describe;
RuleTester.it = it;
RuleTester.itOnly = it.only;

export { RuleTester };

/** The 1-based position of the first `snippet` in `code` (the `nth` one, from 1), as RuleTester wants it. */
export function at(code: string, snippet: string, nth = 1): { line: number; column: number; endLine: number; endColumn: number } {
  let index = -1;
  for (let i = 0; i < nth; i++) {
    index = code.indexOf(snippet, index + 1);
    if (index < 0) throw new Error(`"${snippet}" (#${nth}) is not in:\n${code}`);
  }
  const pos = (offset: number) => {
    const before = code.slice(0, offset).split('\n');
    return { line: before.length, column: before[before.length - 1]!.length + 1 };
  };
  const start = pos(index);
  const end = pos(index + snippet.length);
  return { line: start.line, column: start.column, endLine: end.line, endColumn: end.column };
}

/** The helper the token suggestion appends, as a user reads it (single quotes). */
export function tokenHelper(name = 'getImdsToken', host = '169.254.169.254', q = "'"): string {
  return [
    `/** Fetches an IMDSv2 session token: PUT /latest/api/token, valid for 6 hours. */`,
    `async function ${name}() {`,
    `  const response = await fetch(${q}http://${host}/latest/api/token${q}, {`,
    `    method: ${q}PUT${q},`,
    `    headers: { ${q}X-aws-ec2-metadata-token-ttl-seconds${q}: ${q}21600${q} },`,
    `  });`,
    '  if (!response.ok) throw new Error(`IMDSv2 token request failed: ${response.status}`);',
    `  return response.text();`,
    `}`,
  ].join('\n');
}

/** `code` with the token helper appended the way the suggestion appends it. */
export function withHelper(code: string, helper = tokenHelper()): string {
  return `${code}${code.endsWith('\n') ? '\n' : '\n\n'}${helper}\n`;
}
