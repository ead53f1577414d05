/**
 * Every fix and suggestion output of the rule tests must compile: each output is type-checked
 * with TypeScript (JavaScript outputs are parsed) next to its original, and may not add a
 * diagnostic the original does not have. Undeclared names in the snippets (`token`, `done`) and
 * untyped modules give the same diagnostics before and after, so only what a fix breaks shows.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import ts from 'typescript';
import { cases as requestCases } from './cases/no-imdsv1-request.ts';
import { cases as instanceCases } from './cases/no-imdsv1-instance-config.ts';
import { cases as tokenCases } from './cases/no-invalid-imds-token-request.ts';

// The real signature of @aws-sdk/ec2-metadata-service's MetadataService, which the suggestions use.
const AMBIENT = `
declare module '@aws-sdk/ec2-metadata-service' {
  export interface MetadataServiceOptions { endpoint?: string; httpOptions?: { timeout?: number }; ec2MetadataV1Disabled?: boolean; profile?: string; disableFetchToken?: boolean }
  export class MetadataService {
    constructor(options?: MetadataServiceOptions);
    request(path: string, options: { method?: string; headers?: Record<string, string> }): Promise<string>;
    fetchMetadataToken(): Promise<string>;
  }
}
declare module 'axios'; declare module 'got'; declare module 'ky'; declare module 'superagent'; declare module 'needle';
declare module 'undici'; declare module 'node-fetch'; declare module 'request'; declare module 'request-promise';
declare module 'node:http'; declare module 'node:https'; declare module 'http'; declare module 'https';
declare module 'aws-sdk'; declare module '@actions/http-client'; declare module 'aws-cdk-lib'; declare module 'aws-cdk-lib/aws-ec2';
declare module 'aws-cdk-lib/aws-autoscaling'; declare module '@pulumi/aws'; declare module '@cdktf/provider-aws'; declare module '@cdktf/provider-aws/lib/launch-template';
declare module '@aws-sdk/client-ec2'; declare module 'node-ec2-metadata'; declare module './config';
`;

interface Pair {
  readonly name: string;
  readonly ext: string;
  readonly original: string;
  readonly outputs: readonly string[];
}

function pairs(): Pair[] {
  const out: Pair[] = [];
  const all = [...requestCases.invalid.map((c) => ['no-imdsv1-request', c] as const), ...tokenCases.invalid.map((c) => ['no-invalid-imds-token-request', c] as const), ...instanceCases.invalid.map((c) => ['no-imdsv1-instance-config', c] as const)];
  all.forEach(([rule, c], i) => {
    const outputs: string[] = [];
    if (typeof c.output === 'string') outputs.push(c.output);
    for (const e of c.errors) for (const s of e.suggestions ?? []) outputs.push(s.output);
    if (outputs.length === 0) return;
    const ext = (c.filename ?? 'file.ts').replace(/^.*\./, '');
    out.push({ name: `${rule} #${i + 1}`, ext: ext === 'cjs' ? 'js' : ext, original: c.code, outputs });
  });
  return out;
}

/** Diagnostics of every virtual file, as `code message` strings. */
function diagnostics(files: ReadonlyMap<string, string>): Map<string, Set<string>> {
  const options: ts.CompilerOptions = {
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.ESNext,
    moduleResolution: ts.ModuleResolutionKind.Bundler,
    moduleDetection: ts.ModuleDetectionKind.Force,
    lib: ['lib.es2022.d.ts', 'lib.dom.d.ts'],
    types: [],
    jsx: ts.JsxEmit.Preserve,
    allowJs: true,
    checkJs: false,
    noEmit: true,
    skipLibCheck: true,
  };
  const host = ts.createCompilerHost(options);
  const getSourceFile = host.getSourceFile.bind(host);
  host.getSourceFile = (name, version, onError) => {
    const text = files.get(name);
    return text !== undefined ? ts.createSourceFile(name, text, version) : getSourceFile(name, version, onError);
  };
  const fileExists = host.fileExists.bind(host);
  host.fileExists = (name) => files.has(name) || fileExists(name);
  const readFile = host.readFile.bind(host);
  host.readFile = (name) => files.get(name) ?? readFile(name);
  const program = ts.createProgram([...files.keys()], options, host);
  const out = new Map<string, Set<string>>();
  for (const name of files.keys()) {
    const sf = program.getSourceFile(name)!;
    const diags = [...program.getSyntacticDiagnostics(sf), ...program.getSemanticDiagnostics(sf)];
    out.set(name, new Set(diags.map((d) => `TS${d.code} ${ts.flattenDiagnosticMessageText(d.messageText, ' ')}`)));
  }
  return out;
}

test('fix and suggestion outputs compile as well as the code they change', () => {
  const all = pairs();
  assert.ok(all.length >= 20, 'the rule tests have outputs');
  const files = new Map<string, string>([['/ambient.d.ts', AMBIENT]]);
  all.forEach((p, i) => {
    files.set(`/case${i}/original.${p.ext}`, p.original);
    p.outputs.forEach((o, j) => files.set(`/case${i}/output${j}.${p.ext}`, o));
  });
  const diags = diagnostics(files);
  const problems: string[] = [];
  all.forEach((p, i) => {
    const before = diags.get(`/case${i}/original.${p.ext}`)!;
    p.outputs.forEach((o, j) => {
      const added = [...diags.get(`/case${i}/output${j}.${p.ext}`)!].filter((d) => !before.has(d));
      if (added.length > 0) problems.push(`${p.name}, output ${j + 1}:\n${o}\n  ${added.join('\n  ')}`);
    });
  });
  assert.deepEqual(problems, []);
});

test('the check notices an output that does not compile', () => {
  const original = 'export function read() {\n  return fetch("http://169.254.169.254/latest/meta-data/");\n}\n';
  const broken = original.replace('meta-data/")', 'meta-data/", { headers: { t: await token() } })');
  const diags = diagnostics(new Map([['/a/original.ts', original], ['/a/output.ts', broken]]));
  assert.ok([...diags.get('/a/output.ts')!].some((d) => !diags.get('/a/original.ts')!.has(d)));
});
