/**
 * Calls of the terraform-aws-modules modules that launch instances (`ec2-instance`,
 * `autoscaling`, the node groups of `eks`): each becomes a launch configuration judged by what
 * the caller passes in `metadata_options = { … }` and, where `http_tokens` is left out, by the
 * module's own default for the versions the `version` constraint allows (module-versions.ts).
 * Other modules are not looked into: a local module (`./modules/x`) is a directory of its own and
 * is analysed as such; a remote one is not on disk.
 */
import type { Edit, LaunchConfig, LaunchKind, MetadataOptions, Setting, Span } from '@imds-guard/core';
import { MISSING } from '@imds-guard/core';
import type { Node } from 'web-tree-sitter';
import type { ModuleCall, TfFile } from './configuration.js';
import { insertNestedBlock, replaceLiteral } from './edits.js';
import { attributesIn, type Attribute } from './hcl.js';
import { blockAsObject, elementNode, literalObject, readBlock, readObjectArgument, type BlockRead } from './metadata-block.js';
import { EC2_FIELDS, fixForRead, metadataOptionsOf } from './metadata-options.js';
import { MODULE_SPECS, moduleDefault, type CallerInput, type ModuleSpec, type ModuleTokens } from './module-versions.js';
import { fixableLiteral, spanOf, toSetting, type SettingOptions } from './settings.js';
import { EMPTY_SCOPE, singleScalar, union, type Evaluator, type Outcome, type Val } from './values.js';

export interface ModuleSource {
  readonly spec: ModuleSpec;
  /** `modules/eks-managed-node-group` for `…//modules/eks-managed-node-group`. */
  readonly submodule?: string;
  /** The version constraint: the `version` argument, or a git `?ref=v5.6.0`. */
  readonly constraint?: string;
}

/** Recognises the module in a `source` string: registry address or GitHub URL. */
export function identifyModule(source: string, version: string | undefined): ModuleSource | undefined {
  const registry = /^(?:registry\.terraform\.io\/)?terraform-aws-modules\/([\w-]+)\/aws(?:\/\/([^?]+))?$/.exec(source);
  const git = /github\.com[/:]terraform-aws-modules\/terraform-aws-([\w-]+?)(?:\.git)?(?:\/\/([^?]+))?(?:\?(?:.*&)?ref=([^&]+))?$/.exec(source);
  const match = registry ?? git;
  const spec = match ? MODULE_SPECS[match[1]!] : undefined;
  if (!match || !spec) return undefined;
  const ref = git?.[3]?.replace(/^v(?=\d)/, '');
  const constraint = registry ? version : ref && /^\d+(\.\d+){0,2}$/.test(ref) ? ref : undefined;
  return { spec, ...(match[2] ? { submodule: match[2].replace(/\/$/, '') } : {}), ...(constraint ? { constraint } : {}) };
}

export function moduleLaunchConfigs(call: ModuleCall, evaluator: Evaluator): LaunchConfig[] {
  const attributes = attributesIn(call.block.body);
  const sourceAttribute = attributes.get('source');
  const source = sourceAttribute && singleScalar(evaluator.evaluate(sourceAttribute.value, call.file));
  if (!source) return [];
  const versionAttribute = attributes.get('version');
  const version = versionAttribute ? singleScalar(evaluator.evaluate(versionAttribute.value, call.file)) : undefined;
  const module = identifyModule(source.value, version?.value);
  if (!module) return [];
  if (isFalse(evaluator, call, attributes.get('create'))) return [];
  const header: Span = { file: call.file.file, start: call.block.node.startIndex, end: call.block.open.endIndex };
  const name = module.spec.source.split('/')[1];

  if (name === 'eks' && !module.submodule) return nodeGroups(call, evaluator, module);
  if (name === 'eks' && !/^modules\/(eks-managed|self-managed)-node-group$/.test(module.submodule ?? '')) return [];
  if (name !== 'eks' && module.submodule) return [];
  // The autoscaling module can use a template made elsewhere, which is then judged where it is made.
  if (name === 'autoscaling' && isFalse(evaluator, call, attributes.get('create_launch_template'))) return [];
  const kind: LaunchKind = name === 'ec2-instance' ? 'instance' : 'launch-template';
  return [callConfig(call, evaluator, module, kind, header)];
}

function isFalse(evaluator: Evaluator, call: ModuleCall, attribute: Attribute | undefined): boolean {
  if (!attribute) return false;
  const value = evaluator.evaluate(attribute.value, call.file);
  const only = singleScalar(value);
  return !value.fromInput && only?.kind === 'bool' && only.value === 'false';
}

/** `metadata_options = { … }`, or the block syntax some write (and Terraform rejects for module inputs). */
function readCallerOptions(call: ModuleCall, evaluator: Evaluator): { read?: BlockRead; value?: Outcome } {
  const names = [EC2_FIELDS.tokens, EC2_FIELDS.endpoint!, EC2_FIELDS.hopLimit!];
  const attribute = attributesIn(call.block.body).get('metadata_options');
  if (attribute) return readObjectArgument(evaluator, call.file, attribute, names, EMPTY_SCOPE);
  const block = readBlock(evaluator, call.file, call.block.body, 'metadata_options', names, EMPTY_SCOPE);
  return block ? { read: block, value: blockAsObject(block) } : {};
}

/** How the caller's value of metadata_options looks, per possibility. */
function callerInputs(value: Outcome | undefined): CallerInput[] {
  if (!value) return ['absent'];
  const inputs = value.alternatives.map((v: Val): CallerInput => {
    if (v.kind === 'null') return 'null';
    if (v.kind === 'object') {
      if (v.entries.size === 0) return 'empty';
      return 'partial';
    }
    return 'partial';
  });
  return [...new Set(inputs)];
}

/** The module's default for every way the caller left the tokens out; differing ones are unknown. */
function combinedDefault(module: ModuleSource, inputs: readonly CallerInput[]): { tokens: ModuleTokens; reason?: string } {
  const verdicts = inputs.map((input) => moduleDefault(module.spec, module.constraint, input));
  const first = verdicts[0];
  // No known value at all: the tokens themselves are then unresolved and judged as such.
  if (!first) return { tokens: 'unknown', reason: `the value of metadata_options passed to ${module.spec.source} is not known` };
  if (verdicts.every((v) => v.tokens === first.tokens)) return first;
  return { tokens: 'unknown', reason: verdicts.find((v) => v.reason)?.reason ?? `the default of ${module.spec.source} depends on the value of metadata_options` };
}

function callConfig(call: ModuleCall, evaluator: Evaluator, module: ModuleSource, kind: LaunchKind, header: Span): LaunchConfig {
  const { read, value } = readCallerOptions(call, evaluator);
  const source = module.submodule ? `${module.spec.source}//${module.submodule}` : module.spec.source;
  const verdict = combinedDefault(module, callerInputs(value));
  let edits: Edit[] | undefined;
  if (read) edits = fixForRead(call.file, read, EC2_FIELDS, 'required');
  else edits = insertNestedBlock(call.file.text, call.block, ['metadata_options = {', '  http_tokens = "required"', '}']);
  return {
    kind,
    address: call.address,
    span: header,
    ...(read ? { metadata: metadataOptionsOf(call.file, read, EC2_FIELDS, false) } : {}),
    whenMissing: 'aws-default',
    moduleDefault: { module: source, ...(module.constraint ? { version: module.constraint } : {}), tokens: verdict.tokens, ...(verdict.reason ? { reason: verdict.reason } : {}) },
    ...(edits && edits.length > 0 ? { requireTokens: { edits } } : {}),
  };
}

/**
 * `eks_managed_node_groups = { name = { … } }` and `self_managed_node_groups`: one launch
 * template per group, with `metadata_options` from the group or from `*_node_group_defaults`.
 */
function nodeGroups(call: ModuleCall, evaluator: Evaluator, module: ModuleSource): LaunchConfig[] {
  const attributes = attributesIn(call.block.body);
  const configs: LaunchConfig[] = [];
  for (const family of ['eks_managed', 'self_managed'] as const) {
    const groupsAttribute = attributes.get(`${family}_node_groups`);
    if (!groupsAttribute) continue;
    const groups = evaluator.evaluate(groupsAttribute.value, call.file);
    const defaultsAttribute = attributes.get(`${family}_node_group_defaults`);
    const defaults = defaultsAttribute ? singleObject(evaluator.evaluate(defaultsAttribute.value, call.file)) : undefined;
    const address = `${call.address}.${family}_node_groups`;
    const only = singleObject(groups);
    if (!only) {
      const reason = groups.unknown[0] ?? `${family}_node_groups is not a single known map`;
      configs.push({ kind: 'launch-template', address, span: spanOf(call.file, groupsAttribute.node), whenMissing: 'aws-default', moduleDefault: { module: module.spec.source, tokens: 'unknown', reason } });
      continue;
    }
    const written = literalObject(groupsAttribute.value);
    for (const [name, group] of only.entries) {
      const groupObject = singleObject(group);
      const groupAddress = `${address}["${name}"]`;
      const groupElement = elementNode(written, name);
      const span = groupElement ? spanOf(call.file, groupElement) : spanOf(call.file, groupsAttribute.node);
      const pick = (key: string) => groupObject?.entries.get(key) ?? defaults?.entries.get(key);
      const custom = pick('use_custom_launch_template');
      const customValue = custom && singleScalar(custom);
      if (family === 'eks_managed' && customValue?.value === 'false') {
        configs.push({ kind: 'launch-template', address: groupAddress, span, whenMissing: 'aws-default', moduleDefault: { module: module.spec.source, tokens: 'unknown', reason: 'use_custom_launch_template = false: the node group uses the launch template EKS creates, whose metadata options are not modelled' } });
        continue;
      }
      const options = pick('metadata_options');
      const metadata = options ? groupMetadata(call.file, options, groupElement, span) : undefined;
      const verdict = combinedDefault(module, callerInputs(options));
      // Only a literal http_tokens is rewritten here; adding arguments to node group maps is left to the user.
      const tokens = options?.alternatives.length === 1 && options.alternatives[0]!.kind === 'object' ? options.alternatives[0]!.entries.get(EC2_FIELDS.tokens) : undefined;
      const literal = tokens && fixableLiteral(tokens, call.file);
      configs.push({
        kind: 'launch-template',
        address: groupAddress,
        span,
        ...(metadata ? { metadata } : {}),
        ...(literal ? { requireTokens: { edits: [replaceLiteral(literal, 'required')] } } : {}),
        whenMissing: 'aws-default',
        moduleDefault: { module: module.spec.source, ...(module.constraint ? { version: module.constraint } : {}), tokens: verdict.tokens, ...(verdict.reason ? { reason: verdict.reason } : {}) },
      });
    }
  }
  return configs;
}

function singleObject(outcome: Outcome): Extract<Val, { kind: 'object' }> | undefined {
  if (outcome.unknown.length > 0 || outcome.alternatives.length !== 1) return undefined;
  const only = outcome.alternatives[0]!;
  return only.kind === 'object' ? only : undefined;
}

/**
 * The metadata options of one node group (its `metadata_options` object). Findings point at the
 * argument inside the group when the map is written in the call, else at the group.
 */
function groupMetadata(file: TfFile, options: Outcome, groupElement: Node | undefined, fallback: Span): MetadataOptions {
  const optionsElement = nestedElement(groupElement, ['metadata_options']);
  const at = (key: string): Span => {
    const element = nestedElement(groupElement, ['metadata_options', key]);
    return element ? spanOf(file, element) : optionsElement ? spanOf(file, optionsElement) : fallback;
  };
  const setting = (name: string | undefined, settingOptions: Omit<SettingOptions, 'span'>): Setting => {
    const per = name ? options.alternatives.flatMap((v) => (v.kind === 'object' && v.entries.has(name) ? [v.entries.get(name)!] : [])) : [];
    return per.length > 0 ? toSetting(union(per, options.branched), { span: at(name!), ...settingOptions }) : MISSING;
  };
  return {
    span: optionsElement ? spanOf(file, optionsElement) : fallback,
    httpTokens: setting(EC2_FIELDS.tokens, { good: 'required', describeOrigin: true }),
    httpEndpoint: setting(EC2_FIELDS.endpoint, { good: 'disabled', unsetMeans: 'enabled' }),
    hopLimit: setting(EC2_FIELDS.hopLimit, { good: '1', unsetMeans: '1' }),
  };
}

/** `key = { a = { b = … } }`: the element reached through `keys`, where the objects are written in place. */
function nestedElement(element: Node | undefined, keys: readonly string[]): Node | undefined {
  let current = element;
  for (const key of keys) {
    const value = current?.namedChildren.filter((c) => c?.type === 'expression')[1];
    current = value ? elementNode(literalObject(value), key) : undefined;
  }
  return current;
}
