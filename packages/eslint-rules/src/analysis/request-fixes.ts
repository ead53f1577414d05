/**
 * Edits for request findings: adding a header to a call (the token header in a suggestion, the
 * TTL header in a fix), fetching a token first, and replacing a hand-rolled call with
 * `@aws-sdk/ec2-metadata-service`. Every edit is plain source text the tests parse and type-check.
 */
import { AST_NODE_TYPES as T, type TSESLint, type TSESTree } from '@typescript-eslint/utils';
import { TOKEN_HEADER, TTL_HEADER, UNRESOLVED } from '@imds-guard/core';
import { appendArgument, applyWithin, findProperty, insertArgumentBefore, insertProperty, literalObject, propertyKey, quote, type TextEdit } from './edits.js';
import type { HeaderInsertion, RequestExtractor, RequestSite } from './requests.js';
import { apiKey, unwrap, type Node } from './values.js';

type SourceCode = Readonly<TSESLint.SourceCode>;

const IPV6_HOST = '[fd00:ec2::254]';

/** Edits that make a request send `name: valueText`, or undefined when no edit is safe to write. */
export function headerEdits(sourceCode: SourceCode, insertion: HeaderInsertion | undefined, name: string, valueText: string): TextEdit[] | undefined {
  if (!insertion) return undefined;
  const pair = `${propertyKey(sourceCode, name)}: ${valueText}`;
  switch (insertion.kind) {
    case 'options': {
      const { call, index } = insertion;
      const arg = call.arguments[index];
      if (!arg) {
        const edit = appendArgument(sourceCode, call, index, `{ headers: { ${pair} } }`);
        return edit && [edit];
      }
      if (arg.type === T.SpreadElement) return undefined;
      const inner = unwrap(arg);
      if (inner.type === T.ArrowFunctionExpression || inner.type === T.FunctionExpression) return [insertArgumentBefore(call, index, `{ headers: { ${pair} } }`)];
      const options = literalObject(arg);
      if (!options) return undefined;
      const headers = findProperty(options, 'headers');
      if (headers) {
        const literal = literalObject(headers.value as Node);
        return literal ? [insertProperty(sourceCode, literal, pair)] : undefined;
      }
      if (options.properties.some((p) => p.type === T.SpreadElement)) return undefined;
      return [insertProperty(sourceCode, options, `headers: { ${pair} }`)];
    }
    case 'headers-arg': {
      const { call, index } = insertion;
      const arg = call.arguments[index];
      if (!arg) {
        const edit = appendArgument(sourceCode, call, index, `{ ${pair} }`);
        return edit && [edit];
      }
      const literal = arg.type === T.SpreadElement ? undefined : literalObject(arg);
      return literal ? [insertProperty(sourceCode, literal, pair)] : undefined;
    }
    case 'chain':
      return [{ range: [insertion.after.range[1], insertion.after.range[1]], text: `.set(${quote(sourceCode, name)}, ${valueText})` }];
    case 'statement': {
      const { statement, receiver } = insertion;
      const indent = /^\s*/.exec(sourceCode.lines[statement.loc.start.line - 1] ?? '')![0];
      return [{ range: [statement.range[1], statement.range[1]], text: `\n${indent}${receiver}.setRequestHeader(${quote(sourceCode, name)}, ${valueText});` }];
    }
  }
}

/** The TTL header on a token PUT that lacks it. */
export function ttlEdits(sourceCode: SourceCode, site: RequestSite): TextEdit[] | undefined {
  return headerEdits(sourceCode, site.insertion, TTL_HEADER, quote(sourceCode, '21600'));
}

/** `/2021-03-23/api/token` → `/latest/api/token`, inside the literal that spells it. */
export function datedPathEdits(sourceCode: SourceCode, site: RequestSite): TextEdit[] | undefined {
  for (const node of site.urlSources) {
    const raw = sourceCode.text.slice(node.range[0], node.range[1]);
    const m = /\/([^/'"`\s$]+)\/api\/token/.exec(raw);
    if (!m || m[1] === 'latest') continue;
    const start = node.range[0] + m.index + 1;
    return [{ range: [start, start + m[1]!.length], text: 'latest' }];
  }
  return undefined;
}

/** The name and declaration of the token helper the suggestions call, shared by all of them. */
function tokenHelper(sourceCode: SourceCode, host: string): { name: string; edits: TextEdit[] } {
  const v6 = host === IPV6_HOST;
  const base = v6 ? 'getImdsTokenIpv6' : 'getImdsToken';
  const scope = sourceCode.scopeManager?.globalScope;
  const moduleScope = scope?.childScopes.find((s) => s.type === 'module') ?? scope;
  let name = base;
  for (let i = 2; ; i++) {
    const existing = moduleScope?.set.get(name) ?? scope?.set.get(name);
    if (!existing) break;
    // A helper of this name that an earlier suggestion wrote is reused.
    if (existing.defs[0]?.type === 'FunctionName' && sourceCode.getText(existing.defs[0].node).includes('/latest/api/token')) return { name, edits: [] };
    name = `${base}${i}`;
  }
  const q = (s: string) => quote(sourceCode, s);
  const code = [
    `/** Fetches an IMDSv2 session token: PUT /latest/api/token, valid for 6 hours. */`,
    `async function ${name}() {`,
    `  const response = await fetch(${q(`http://${v6 ? IPV6_HOST : '169.254.169.254'}/latest/api/token`)}, {`,
    `    method: ${q('PUT')},`,
    `    headers: { ${q(TTL_HEADER)}: ${q('21600')} },`,
    `  });`,
    `  if (!response.ok) throw new Error(\`IMDSv2 token request failed: \${response.status}\`);`,
    `  return response.text();`,
    `}`,
  ].join('\n');
  const text = sourceCode.text;
  const end = text.length;
  return { name, edits: [{ range: [end, end], text: `${text.endsWith('\n') ? '\n' : '\n\n'}${code}\n` }] };
}

function enclosingFunction(node: Node): TSESTree.FunctionLike | undefined {
  for (let n = node.parent; n; n = n.parent) {
    if (n.type === T.FunctionDeclaration || n.type === T.FunctionExpression || n.type === T.ArrowFunctionExpression) return n;
  }
  return undefined;
}

/** The call's value is only used as a promise, so wrapping it in `.then()` keeps the code's types. */
function usedAsPromise(node: Node): boolean {
  const parent = node.parent;
  if (!parent) return false;
  if (parent.type === T.AwaitExpression || parent.type === T.ReturnStatement) return true;
  if (parent.type === T.ArrowFunctionExpression && parent.body === node) return true;
  if (parent.type === T.MemberExpression && parent.object === node) {
    const name = parent.property.type === T.Identifier ? parent.property.name : undefined;
    return name === 'then' || name === 'catch' || name === 'finally';
  }
  return false;
}

/**
 * Suggestion: fetch a token, then send it. Inside an async function the header gets
 * `await getImdsToken()`; elsewhere a promise-returning call becomes
 * `getImdsToken().then((imdsToken) => call)`, which has the same type.
 */
export function tokenHeaderSuggestion(sourceCode: SourceCode, site: RequestSite, host: string): TextEdit[] | undefined {
  const helper = tokenHelper(sourceCode, host);
  const call = site.node;
  if (enclosingFunction(call)?.async) {
    const edits = headerEdits(sourceCode, site.insertion, TOKEN_HEADER, `await ${helper.name}()`);
    return edits && [...edits, ...helper.edits];
  }
  if (!site.promise || !usedAsPromise(call) || (site.insertion?.kind !== 'options' && site.insertion?.kind !== 'headers-arg')) return undefined;
  const edits = headerEdits(sourceCode, site.insertion, TOKEN_HEADER, 'imdsToken');
  if (!edits) return undefined;
  const text = applyWithin(sourceCode, call.range, edits);
  return [{ range: call.range, text: `${helper.name}().then((imdsToken) => ${text})` }, ...helper.edits];
}

/** The expression that turns the call's response into its body text, if the code reads it so. */
function textExpression(call: TSESTree.CallExpression): Node | undefined {
  const parent = call.parent;
  const isTextCall = (member: Node | undefined): member is TSESTree.MemberExpression =>
    member?.type === T.MemberExpression && !member.computed && member.property.type === T.Identifier && member.property.name === 'text' && member.parent?.type === T.CallExpression && member.parent.callee === member && member.parent.arguments.length === 0;
  // got(url).text(), ky.get(url).text()
  if (isTextCall(parent) && parent.object === call) return parent.parent;
  // (await fetch(url)).text()
  if (parent?.type === T.AwaitExpression && isTextCall(parent.parent) && parent.parent.object === parent) return parent.parent.parent;
  // fetch(url).then((res) => res.text())
  if (parent?.type === T.MemberExpression && parent.object === call && !parent.computed && parent.property.type === T.Identifier && parent.property.name === 'then') {
    const then = parent.parent;
    const fn = then?.type === T.CallExpression && then.callee === parent && then.arguments.length === 1 ? then.arguments[0] : undefined;
    if (fn?.type === T.ArrowFunctionExpression && fn.params.length === 1 && fn.params[0]!.type === T.Identifier && fn.body.type === T.CallExpression) {
      const body = fn.body;
      const param = (fn.params[0] as TSESTree.Identifier).name;
      if (body.arguments.length === 0 && body.callee.type === T.MemberExpression && body.callee.object.type === T.Identifier && body.callee.object.name === param && !body.callee.computed && body.callee.property.type === T.Identifier && body.callee.property.name === 'text') return then;
    }
  }
  return undefined;
}

/**
 * Suggestion: replace a call whose body text is read with `@aws-sdk/ec2-metadata-service`'s
 * `MetadataService#request`, which fetches and sends the token itself.
 */
export function metadataServiceSuggestion(sourceCode: SourceCode, extractor: RequestExtractor, site: RequestSite, host: string, path: string): TextEdit[] | undefined {
  if (!site.textBody || path.includes(UNRESOLVED) || site.node.type !== T.CallExpression) return undefined;
  const target = textExpression(site.node);
  if (!target) return undefined;
  const { local, edits } = importMetadataService(sourceCode, extractor);
  const q = (s: string) => quote(sourceCode, s);
  const options = host === IPV6_HOST ? `{ endpoint: ${q(`http://${IPV6_HOST}`)} }` : '';
  return [...edits, { range: target.range, text: `new ${local}(${options}).request(${q(path || '/')}, {})` }];
}

function importMetadataService(sourceCode: SourceCode, extractor: RequestExtractor): { local: string; edits: TextEdit[] } {
  const program = sourceCode.ast;
  const scope = sourceCode.scopeManager?.globalScope;
  const moduleScope = scope?.childScopes.find((s) => s.type === 'module') ?? scope;
  for (const variable of moduleScope?.variables ?? []) {
    const id = variable.identifiers[0];
    if (id && apiKey(extractor.ref(id)) === '@aws-sdk/ec2-metadata-service:MetadataService') return { local: variable.name, edits: [] };
  }
  const imports = program.body.filter((s): s is TSESTree.ImportDeclaration => s.type === T.ImportDeclaration);
  const requires = program.body.filter((s) => s.type === T.VariableDeclaration && s.declarations.some((d) => d.init && isRequire(d.init)));
  const useRequire = imports.length === 0 && (requires.length > 0 || program.sourceType === 'script' || (program.sourceType as string) === 'commonjs');
  const q = (s: string) => quote(sourceCode, s);
  const line = useRequire ? `const { MetadataService } = require(${q('@aws-sdk/ec2-metadata-service')});` : `import { MetadataService } from ${q('@aws-sdk/ec2-metadata-service')};`;
  const anchor = useRequire ? requires[requires.length - 1] : imports[imports.length - 1];
  if (anchor) return { local: 'MetadataService', edits: [{ range: [anchor.range[1], anchor.range[1]], text: `\n${line}` }] };
  // Before the first statement, after any directive prologue ('use strict').
  const first = program.body.find((s) => !(s.type === T.ExpressionStatement && s.directive !== undefined));
  const at = first ? first.range[0] : program.range[1];
  return { local: 'MetadataService', edits: [{ range: [at, at], text: `${line}\n` }] };
}

function isRequire(node: Node): boolean {
  const n = unwrap(node);
  if (n.type === T.MemberExpression) return isRequire(n.object);
  return n.type === T.CallExpression && n.callee.type === T.Identifier && n.callee.name === 'require';
}
