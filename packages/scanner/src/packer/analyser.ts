import { dirname } from 'node:path';
import { MISSING, reportLaunches, type Edit, type IacFinding, type LaunchConfig, type Setting, type Span } from '@imds-guard/core';
import type { Analyser, FileAnalysis, SourceFile } from '../analyser.js';
import { analyseEmbeddedShell } from '../embedded/index.js';
import { countSyntaxErrors } from '../fix-check.js';
import { toFileAnalyses } from '../iac/to-findings.js';
import { mayMentionImds, PREFILTER_NEEDLES } from '../prefilter.js';
import { withTree } from '../tree-sitter.js';
import { extractHcl, type HclAttribute, type HclBlock, type HclExpr, type HclFile } from './hcl.js';
import { countJsonErrors } from '../cloudformation/parse-json.js';
import { parsePackerJson } from './json-template.js';
import { provisionerPieces, type ProvisionerScript } from './provisioners.js';

/** Builders that launch a build instance (their `metadata_options` apply to it). */
const INSTANCE_BUILDERS = new Set(['amazon-ebs', 'amazon-ebssurrogate', 'amazon-ebsvolume', 'amazon-instance']);
/** Builders that register an AMI (their `imds_support` applies to instances launched from it). */
const AMI_BUILDERS = new Set(['amazon-ebs', 'amazon-ebssurrogate', 'amazon-instance', 'amazon-chroot']);

/** A directory mentions none of these: it has no source the analyser reports on. */
export const PACKER_NEEDLES: readonly string[] = ['amazon-ebs', 'amazon-instance', 'amazon-chroot'];

/**
 * Packer templates: HCL (`*.pkr.hcl`), HCL in JSON syntax (`*.pkr.json`) and legacy JSON
 * templates (`*.json` with `builders` and `provisioners`). A directory is one configuration, as
 * `packer build .` reads it: variables declared in one file, `*.auto.pkrvars.hcl` and the
 * `*.pkrvars.hcl` files next to them resolve in the sources of another. The JSON forms are read
 * for their provisioners' inline commands only.
 */
export function packerAnalyser(): Analyser {
  return {
    name: 'packer',
    claims: (path) => /\.pkr\.hcl$|\.pkrvars\.hcl$|\.json$/i.test(path),
    mayMatter: (text) => PACKER_NEEDLES.some((needle) => text.includes(needle)) || mayMentionImds(text),
    needles: [...PACKER_NEEDLES, ...PREFILTER_NEEDLES],
    groupOf: (path) => dirname(path),
    async analyse(files) {
      const hclFiles = files.filter((f) => !isJson(f.path));
      const parsed: HclFile[] = [];
      const scripts = new Map<string, ProvisionerScript[]>();
      for (const file of hclFiles) {
        parsed.push(
          await withTree('hcl', file.text, (tree) => {
            // Only a file that mentions IMDS can hold a provisioner command that reaches it.
            if (mayMentionImds(file.text)) scripts.set(file.file, provisionerPieces(tree, file.text));
            return extractHcl(file, tree);
          }),
        );
      }
      const analyses: FileAnalysis[] = analysePacker(hclFiles, parsed);
      for (const file of files.filter((f) => isJson(f.path))) {
        const template = mayMentionImds(file.text) ? parsePackerJson(file.text, file.path) : undefined;
        if (template?.syntax) scripts.set(file.file, [...template.scripts]);
        analyses.push({ file: file.file, findings: [], syntaxProblems: template?.syntaxProblems ?? [] });
      }
      const required = sourcesRequiringTokens(parsed);
      return Promise.all(
        analyses.map(async (analysis) => {
          const text = files.find((f) => f.file === analysis.file)?.text;
          // A build instance that requires tokens fails the build at the first tokenless request.
          const pieces = (scripts.get(analysis.file) ?? []).map(({ piece, sources }) => {
            const requiredBy = sources.find((s) => required.has(s));
            return requiredBy ? { ...piece, requiredBy } : piece;
          });
          if (pieces.length === 0 || text === undefined) return analysis;
          const found = await analyseEmbeddedShell(text, analysis.file, pieces);
          return { ...analysis, findings: [...analysis.findings, ...found].sort((a, b) => a.start - b.start || a.ruleId.localeCompare(b.ruleId)) };
        }),
      );
    },
    countSyntaxErrors: (text, path) => (isJson(path) ? Promise.resolve(countJsonErrors(text)) : withTree('hcl', text, countSyntaxErrors)),
  };
}

const isJson = (path: string) => /\.json$/i.test(path);

interface Value {
  readonly value: string;
  /** A string literal that a fix can rewrite. */
  readonly origin?: Span;
  /** The variables and locals the value came through, outermost first. */
  readonly via: readonly string[];
}

type Resolved = { readonly ok: true; readonly values: readonly Value[] } | { readonly ok: false; readonly reason: string };

interface Definition {
  readonly expr: HclExpr;
  readonly file: HclFile;
}

interface Scope {
  readonly defaults: Map<string, Definition | undefined>;
  /** `*.auto.pkrvars.hcl`, applied in file name order: the last one wins. */
  readonly auto: Map<string, Definition>;
  /** Plain `*.pkrvars.hcl`: used when passed with -var-file, so each is a possible value. */
  readonly varFiles: Map<string, Definition[]>;
  readonly locals: Map<string, Definition>;
}

export function analysePacker(files: readonly SourceFile[], parsed: readonly HclFile[]): FileAnalysis[] {
  const scope = scopeOf(parsed);
  const configs: LaunchConfig[] = [];
  const notes: IacFinding[] = [];
  for (const file of parsed) {
    if (/\.pkrvars\.hcl$/i.test(file.source.file)) continue;
    for (const block of file.blocks) {
      const builder = block.labels[0];
      if (block.type !== 'source' || block.labels.length !== 2 || !builder) continue;
      const address = `source.${builder}.${block.labels[1]}`;
      const header: Span = { file: file.source.file, start: block.start, end: block.headerEnd };
      if (INSTANCE_BUILDERS.has(builder)) configs.push(buildInstance(block, file, address, header, scope));
      if (AMI_BUILDERS.has(builder)) notes.push(...amiNote(block, file, address, header, scope));
    }
  }
  const findings = [...reportLaunches(configs, {}, 'Packer'), ...notes];
  return toFileAnalyses(files, findings, new Map(parsed.map((p) => [p.source.file, p.syntaxProblems])));
}

/** The build instances (`source.amazon-ebs.web`) whose metadata options require IMDSv2 tokens. */
function sourcesRequiringTokens(parsed: readonly HclFile[]): Set<string> {
  const scope = scopeOf(parsed);
  const required = new Set<string>();
  for (const file of parsed) {
    for (const block of file.blocks) {
      const builder = block.labels[0];
      if (block.type !== 'source' || block.labels.length !== 2 || !builder || !INSTANCE_BUILDERS.has(builder)) continue;
      const address = `source.${builder}.${block.labels[1]}`;
      const tokens = buildInstance(block, file, address, { file: file.source.file, start: block.start, end: block.headerEnd }, scope).metadata?.httpTokens;
      if (tokens?.state === 'set' && tokens.values.length > 0 && tokens.values.every((v) => v === 'required')) required.add(address);
    }
  }
  return required;
}

function scopeOf(files: readonly HclFile[]): Scope {
  const scope: Scope = { defaults: new Map(), auto: new Map(), varFiles: new Map(), locals: new Map() };
  const sorted = [...files].sort((a, b) => (a.source.file < b.source.file ? -1 : a.source.file > b.source.file ? 1 : 0));
  for (const file of sorted) {
    const name = file.source.file;
    if (/\.auto\.pkrvars\.hcl$/i.test(name)) {
      for (const attr of file.attributes) scope.auto.set(attr.name, { expr: attr.expr, file });
      continue;
    }
    if (/\.pkrvars\.hcl$/i.test(name)) {
      for (const attr of file.attributes) scope.varFiles.set(attr.name, [...(scope.varFiles.get(attr.name) ?? []), { expr: attr.expr, file }]);
      continue;
    }
    for (const block of file.blocks) {
      if (block.type === 'variable' && block.labels[0]) {
        const value = block.attributes.find((a) => a.name === 'default');
        scope.defaults.set(block.labels[0], value ? { expr: value.expr, file } : undefined);
      } else if (block.type === 'locals') {
        for (const attr of block.attributes) scope.locals.set(attr.name, { expr: attr.expr, file });
      } else if (block.type === 'local' && block.labels[0]) {
        const value = block.attributes.find((a) => a.name === 'expression');
        if (value) scope.locals.set(block.labels[0], { expr: value.expr, file });
      }
    }
  }
  return scope;
}

function resolve(expr: HclExpr, file: HclFile, scope: Scope, depth = 0): Resolved {
  if (depth > 8) return { ok: false, reason: 'it is defined through too many variables' };
  switch (expr.kind) {
    case 'string':
      return { ok: true, values: [{ value: expr.value, origin: { file: file.source.file, start: expr.start, end: expr.end }, via: [] }] };
    case 'number':
    case 'bool':
      return { ok: true, values: [{ value: expr.value, via: [] }] };
    case 'conditional': {
      const branches = expr.branches.map((b) => resolve(b, file, scope, depth + 1));
      const failed = branches.find((b) => !b.ok);
      if (failed) return failed;
      const ok = branches as Extract<Resolved, { ok: true }>[];
      return { ok: true, values: ok.flatMap((b) => b.values) };
    }
    case 'ref':
      return expr.root === 'local' ? resolveLocal(expr.name, scope, depth) : resolveVariable(expr.name, scope, depth);
    case 'other':
      return { ok: false, reason: `it is the expression ${shorten(expr.text)}` };
  }
}

function resolveLocal(name: string, scope: Scope, depth: number): Resolved {
  const def = scope.locals.get(name);
  if (!def) return { ok: false, reason: `local.${name} is not defined in this directory` };
  return withVia(resolve(def.expr, def.file, scope, depth + 1), `local.${name}`);
}

function resolveVariable(name: string, scope: Scope, depth: number): Resolved {
  if (!scope.defaults.has(name) && !scope.auto.has(name) && !scope.varFiles.has(name)) {
    return { ok: false, reason: `var.${name} is not declared in this directory` };
  }
  const effective = scope.auto.get(name) ?? scope.defaults.get(name);
  const candidates = [...(effective ? [effective] : []), ...(scope.varFiles.get(name) ?? [])];
  if (candidates.length === 0) return { ok: false, reason: `var.${name} has no default, so its value comes from the command line` };
  const results = candidates.map((c) => resolve(c.expr, c.file, scope, depth + 1));
  const failed = results.find((r) => !r.ok);
  if (failed) return failed;
  const ok = results as Extract<Resolved, { ok: true }>[];
  return withVia({ ok: true, values: ok.flatMap((r) => r.values) }, `var.${name}`);
}

function withVia(resolved: Resolved, name: string): Resolved {
  return resolved.ok ? { ok: true, values: resolved.values.map((v) => ({ ...v, via: [name, ...v.via] })) } : resolved;
}

function shorten(text: string): string {
  const oneLine = text.replace(/\s+/g, ' ').trim();
  return oneLine.length > 60 ? `${oneLine.slice(0, 57)}...` : oneLine;
}

/**
 * A setting of the model, reported at the first value that fails `isBad` when there is one. With
 * `describe`, a failing value that came through variables names them (`optional (var.tokens)`), so
 * that a finding reported at a variable's default says which setting it is about.
 */
function settingOf(
  attr: HclAttribute | undefined,
  file: HclFile,
  scope: Scope,
  isBad: (v: string) => boolean,
  describe = false,
): { setting: Setting; values: readonly Value[] } {
  if (!attr) return { setting: MISSING, values: [] };
  const at: Span = { file: file.source.file, start: attr.expr.start, end: attr.expr.end };
  const resolved = resolve(attr.expr, file, scope);
  if (!resolved.ok) return { setting: { state: 'unresolved', reason: `${attr.name} cannot be resolved: ${resolved.reason}`, span: at }, values: [] };
  const bad = resolved.values.find((v) => isBad(v.value) && v.origin);
  const show = (v: Value) => (describe && isBad(v.value) && v.via.length > 0 ? `${v.value} (${v.via.join(' → ')})` : v.value);
  const via = resolved.values.find((v) => v.via.length > 0)?.via.join(' → ');
  return {
    setting: { state: 'set', values: [...new Set(resolved.values.map(show))], span: bad?.origin ?? at, ...(via ? { via } : {}) },
    values: resolved.values,
  };
}

function buildInstance(block: HclBlock, file: HclFile, address: string, header: Span, scope: Scope): LaunchConfig {
  const metadataBlock = block.blocks.find((b) => b.type === 'metadata_options');
  const dynamic = block.blocks.find((b) => b.type === 'dynamic' && b.labels[0] === 'metadata_options');
  let config: LaunchConfig = { kind: 'build-instance', address, span: header, whenMissing: 'optional' };
  if (dynamic && !metadataBlock) {
    const span: Span = { file: file.source.file, start: dynamic.start, end: dynamic.headerEnd };
    const unresolved: Setting = { state: 'unresolved', reason: 'metadata_options is written as a dynamic block', span };
    return { ...config, metadata: { span, httpTokens: unresolved, httpEndpoint: MISSING, hopLimit: MISSING } };
  }
  if (!metadataBlock) {
    const edit = insertBlock(block, file);
    return edit ? { ...config, requireTokens: { edits: [edit] } } : config;
  }
  const attr = (name: string) => metadataBlock.attributes.find((a) => a.name === name);
  const tokens = settingOf(attr('http_tokens'), file, scope, (v) => v !== 'required', true);
  const endpoint = settingOf(attr('http_endpoint'), file, scope, () => false);
  const hop = settingOf(attr('http_put_response_hop_limit'), file, scope, (v) => Number(v) > 1);
  const span: Span = { file: file.source.file, start: metadataBlock.start, end: metadataBlock.typeEnd };
  config = { ...config, metadata: { span, httpTokens: tokens.setting, httpEndpoint: endpoint.setting, hopLimit: hop.setting } };
  let edits: Edit[] | undefined;
  if (tokens.setting.state === 'set') {
    const target = tokens.setting.span.file;
    const bad = tokens.values.filter((v) => v.value !== 'required');
    if (bad.length > 0 && bad.every((v) => v.origin?.file === target)) {
      edits = dedupe(bad.map((v) => ({ start: v.origin!.start, end: v.origin!.end, text: '"required"' })));
    }
  } else if (tokens.setting.state === 'missing') {
    const edit = insertAttribute(metadataBlock, block, file);
    if (edit) edits = [edit];
  }
  return edits ? { ...config, requireTokens: { edits } } : config;
}

/**
 * The note about the AMI a source registers: unless `imds_support = "v2.0"`, instances launched
 * from it get HttpTokens optional by default. No fix is offered: v2.0 cannot be undone on an AMI,
 * also makes hop limit 2 the default of every instance launched from it, and changes the launch of
 * every consumer of the image, which the template's owner may not know; see the rule's README.
 */
function amiNote(block: HclBlock, file: HclFile, address: string, header: Span, scope: Scope): IacFinding[] {
  const skip = block.attributes.find((a) => a.name === 'skip_create_ami');
  if (skip) {
    const resolved = resolve(skip.expr, file, scope);
    if (resolved.ok && resolved.values.every((v) => v.value === 'true')) return [];
  }
  const attr = block.attributes.find((a) => a.name === 'imds_support');
  const { setting } = settingOf(attr, file, scope, (v) => v !== 'v2.0');
  if (setting.state === 'unresolved') return [];
  if (setting.state === 'set' && setting.values.every((v) => v === 'v2.0')) return [];
  return [{ ruleId: 'no-imdsv1-instance-config', messageId: 'amiAllowsV1Default', data: { resource: address }, span: setting.state === 'set' ? setting.span : header }];
}

function dedupe(edits: readonly Edit[]): Edit[] {
  const seen = new Set<string>();
  return edits.filter((e) => {
    const key = `${e.start}:${e.end}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

function lineStart(text: string, offset: number): number {
  return text.lastIndexOf('\n', offset - 1) + 1;
}

/** The whitespace before `offset` on its line, if nothing else precedes it. */
function indentOf(text: string, offset: number): string | undefined {
  const before = text.slice(lineStart(text, offset), offset);
  return /^[ \t]*$/.test(before) ? before : undefined;
}

/** The indentation of a block's attributes and the file's indentation step. */
function innerIndent(block: HclBlock, text: string): { outer: string; inner: string; step: string } | undefined {
  const outer = indentOf(text, block.start);
  if (outer === undefined) return undefined;
  const first = [...block.attributes, ...block.blocks].sort((a, b) => a.start - b.start)[0];
  const inner = first ? indentOf(text, first.start) : undefined;
  if (inner !== undefined && inner.startsWith(outer) && inner.length > outer.length) return { outer, inner, step: inner.slice(outer.length) };
  const step = outer.includes('\t') ? '\t' : '  ';
  return { outer, inner: outer + step, step };
}

/** `http_tokens = "required"` as the last attribute of a `metadata_options` block. */
function insertAttribute(metadata: HclBlock, source: HclBlock, file: HclFile): Edit | undefined {
  const text = file.source.text;
  const sourceIndent = innerIndent(source, text);
  const layout = innerIndent(metadata, text);
  if (!layout || !sourceIndent) return undefined;
  const closeIndent = indentOf(text, metadata.close);
  if (closeIndent === undefined) {
    // A one-line block (`metadata_options { http_endpoint = "enabled" }`): written out on lines.
    if (metadata.attributes.length > 1 || metadata.blocks.length > 0) return undefined;
    const step = sourceIndent.step;
    const width = Math.max('http_tokens'.length, ...metadata.attributes.map((a) => a.name.length));
    const line = (name: string, value: string) => `${layout.outer}${step}${name.padEnd(width)} = ${value}${file.eol}`;
    const existing = metadata.attributes.map((a) => line(a.name, text.slice(a.expr.start, a.end).trimEnd())).join('');
    return { start: metadata.open, end: metadata.close + 1, text: `{${file.eol}${existing}${line('http_tokens', '"required"')}${layout.outer}}` };
  }
  const at = lineStart(text, metadata.close);
  return { start: at, end: at, text: `${layout.inner}http_tokens${alignment(metadata, text, layout.inner)}= "required"${file.eol}` };
}

/** Spaces before `=` so that it lines up with the block's other attributes, as `packer fmt` does. */
function alignment(block: HclBlock, text: string, indent: string): string {
  const columns = new Set(block.attributes.map((a) => a.equals - lineStart(text, a.equals)));
  const name = indent.length + 'http_tokens'.length;
  if (columns.size === 1) {
    const column = [...columns][0]!;
    if (column > name) return ' '.repeat(column - name);
  }
  return ' ';
}

/** A `metadata_options` block as the last entry of a source. */
function insertBlock(source: HclBlock, file: HclFile): Edit | undefined {
  const text = file.source.text;
  const layout = innerIndent(source, text);
  if (!layout || indentOf(text, source.close) === undefined) return undefined;
  const at = lineStart(text, source.close);
  const previousLine = text.slice(lineStart(text, Math.max(at - 1, 0)), at);
  const blank = /^\s*$/.test(previousLine) || previousLine.trimEnd().endsWith('{') ? '' : file.eol;
  const { inner, step } = layout;
  return {
    start: at,
    end: at,
    text: `${blank}${inner}metadata_options {${file.eol}${inner}${step}http_tokens = "required"${file.eol}${inner}}${file.eol}`,
  };
}
