/**
 * The Terraform adapter: maps the resources of one module onto the shared launch model
 * (`LaunchConfig`), collects what changes the default of unset tokens (`LaunchDefaults`: the
 * account default; v2.0 AMIs per resource) and which resources launch from which template
 * (`consumers`), so that core's judge and report apply the AWS semantics once for every format.
 */
import type { Edit, IacFinding, LaunchConfig, LaunchDefaults, LaunchKind, Span } from '@imds-guard/core';
import { MISSING } from '@imds-guard/core';
import type { Configuration, ResourceDecl } from './configuration.js';
import { insertNestedBlock, replaceLiteral } from './edits.js';
import { attributesIn, blocksIn, describeExpression, traversalOf, type Block } from './hcl.js';
import { elementsOf, readBlock } from './metadata-block.js';
import { EC2_FIELDS, fixForRead, metadataOptionsOf, settingOf, type MetadataFields } from './metadata-options.js';
import { moduleLaunchConfigs } from './module-calls.js';
import { fixableLiteral, spanOf, toSetting } from './settings.js';
import { EMPTY_SCOPE, known, singleScalar, union, unknown, type Evaluator, type Scope } from './values.js';

export interface Adapted {
  readonly configs: LaunchConfig[];
  readonly defaults: LaunchDefaults;
  readonly consumers: Map<string, string[]>;
  /** Findings on resources that are not launch configurations (the account default). */
  readonly direct: IacFinding[];
}

/** What the AWS provider resources that launch instances are, in the model's terms. */
const LAUNCHERS: Readonly<Record<string, { kind: LaunchKind; image: string }>> = {
  aws_instance: { kind: 'instance', image: 'ami' },
  aws_spot_instance_request: { kind: 'spot-request', image: 'ami' },
  aws_launch_template: { kind: 'launch-template', image: 'image_id' },
  aws_launch_configuration: { kind: 'launch-configuration', image: 'image_id' },
};

const EC2_BLOCK = ['metadata_options {', '  http_endpoint = "enabled"', '  http_tokens   = "required"', '}'];
const IMAGE_BUILDER_FIELDS: MetadataFields = { tokens: 'http_tokens', hopLimit: 'http_put_response_hop_limit', good: 'required' };
const NOTEBOOK_FIELDS: MetadataFields = { tokens: 'minimum_instance_metadata_service_version', good: '2' };

/**
 * Where a launch template is named, per consumer type: the nested block path and the arguments
 * that hold its id or name.
 */
const TEMPLATE_CONSUMERS: Readonly<Record<string, readonly { readonly path: readonly string[]; readonly keys: readonly string[] }[]>> = {
  aws_autoscaling_group: [
    { path: ['launch_template'], keys: ['id', 'name'] },
    { path: ['mixed_instances_policy', 'launch_template', 'launch_template_specification'], keys: ['launch_template_id', 'launch_template_name'] },
    { path: ['mixed_instances_policy', 'launch_template', 'override', 'launch_template_specification'], keys: ['launch_template_id', 'launch_template_name'] },
  ],
  aws_eks_node_group: [{ path: ['launch_template'], keys: ['id', 'name'] }],
  aws_batch_compute_environment: [{ path: ['compute_resources', 'launch_template'], keys: ['launch_template_id', 'launch_template_name'] }],
  aws_ec2_fleet: [{ path: ['launch_template_config', 'launch_template_specification'], keys: ['launch_template_id', 'launch_template_name'] }],
  aws_spot_fleet_request: [{ path: ['launch_template_config', 'launch_template_specification'], keys: ['id', 'name'] }],
};

/** The resource types the analysis reads; every other resource is skipped without evaluating anything. */
const RELEVANT = new Set([
  ...Object.keys(LAUNCHERS),
  ...Object.keys(TEMPLATE_CONSUMERS),
  'aws_imagebuilder_infrastructure_configuration',
  'aws_sagemaker_notebook_instance',
  'aws_ami',
  'aws_ec2_instance_metadata_defaults',
]);

export function headerSpan(file: { readonly file: string }, block: Block): Span {
  return { file: file.file, start: block.node.startIndex, end: block.open.endIndex };
}

export function adaptConfiguration(config: Configuration, evaluator: Evaluator): Adapted {
  const adapter = new Adapter(config, evaluator);
  return adapter.run();
}

class Adapter {
  private readonly resources: { decl: ResourceDecl; scope: Scope }[] = [];
  private readonly byAddress = new Map<string, ResourceDecl>();
  /** Literal `name` of each launch template / launch configuration → its address. */
  private readonly namedTemplates = new Map<string, string>();
  private readonly v2Amis = new Set<string>();
  private accountRequires: string | undefined;
  /** An account default of optional overrides an AMI's v2.0 (RunInstances documentation). */
  private accountOptional = false;
  private readonly direct: IacFinding[] = [];

  constructor(
    private readonly config: Configuration,
    private readonly evaluator: Evaluator,
  ) {
    for (const decl of config.resources) {
      // Buckets, roles, security groups…: never evaluated.
      if (!RELEVANT.has(decl.type)) continue;
      const scope = this.resourceScope(decl);
      if (scope === 'none') continue;
      this.resources.push({ decl, scope });
      if (!this.byAddress.has(decl.address)) this.byAddress.set(decl.address, decl);
    }
  }

  run(): Adapted {
    for (const { decl, scope } of this.resources) {
      if (decl.type === 'aws_ami') this.readAmi(decl, scope);
      if (decl.type === 'aws_ec2_instance_metadata_defaults') this.readAccountDefaults(decl, scope);
      if (decl.type === 'aws_launch_template' || decl.type === 'aws_launch_configuration') {
        const name = attributesIn(decl.block.body).get('name');
        const value = name && singleScalar(this.evaluator.evaluate(name.value, decl.file, scope));
        if (value) this.namedTemplates.set(`${decl.type}:${value.value}`, decl.address);
      }
    }
    const configs: LaunchConfig[] = [];
    const consumers = new Map<string, string[]>();
    const addConsumer = (template: string, consumer: string) => {
      const list = consumers.get(template) ?? [];
      if (!list.includes(consumer)) list.push(consumer);
      consumers.set(template, list);
    };
    for (const { decl, scope } of this.resources) {
      const launcher = LAUNCHERS[decl.type];
      if (launcher) {
        const launch = this.launcher(decl, scope, launcher.kind, launcher.image);
        configs.push(launch);
        // An instance that takes its tokens from the template is one of the template's users.
        if (launch.launchTemplate?.address && launch.metadata?.httpTokens.state !== 'set' && launch.metadata?.httpTokens.state !== 'unresolved') {
          addConsumer(launch.launchTemplate.address, decl.address);
        }
      } else if (decl.type === 'aws_imagebuilder_infrastructure_configuration') {
        configs.push(this.imageBuilder(decl, scope));
      } else if (decl.type === 'aws_sagemaker_notebook_instance') {
        configs.push(this.notebook(decl, scope));
      }
      for (const template of this.consumedTemplates(decl, scope)) addConsumer(template, decl.address);
    }
    for (const call of this.config.modules) {
      configs.push(...moduleLaunchConfigs(call, this.evaluator));
    }
    return { configs, defaults: this.accountRequires ? { accountRequires: this.accountRequires } : {}, consumers, direct: this.direct };
  }

  /**
   * `each` for a resource with `for_each`; 'none' when the resource has no instances at all
   * (`count = 0`, an empty `for_each`), so it launches nothing.
   */
  private resourceScope(decl: ResourceDecl): Scope | 'none' {
    const attributes = attributesIn(decl.block.body);
    const count = attributes.get('count');
    if (count) {
      const value = this.evaluator.evaluate(count.value, decl.file);
      const only = singleScalar(value);
      if (only && !value.fromInput && only.value === '0') return 'none';
    }
    const forEach = attributes.get('for_each');
    if (!forEach) return EMPTY_SCOPE;
    const collection = this.evaluator.evaluate(forEach.value, decl.file);
    const text = describeExpression(forEach.value, 60);
    const elements = collection.alternatives.flatMap((v) => elementsOf(v) ?? []);
    if (elements.length === 0 && collection.unknown.length === 0 && !collection.fromInput) return 'none';
    const each = union(
      [
        ...elements.map((e) => known({ kind: 'object', entries: new Map([['key', known({ kind: 'string', value: e.key, via: [] })], ['value', e.value]]), via: [] }, collection.fromInput)),
        ...collection.unknown.map((r) => unknown(`each.value comes from the for_each \`${text}\`, which cannot be resolved (${r})`, collection.fromInput)),
      ],
      true,
    );
    return new Map([['each', each]]);
  }

  private readAmi(decl: ResourceDecl, scope: Scope): void {
    const support = attributesIn(decl.block.body).get('imds_support');
    if (!support) return;
    const value = this.evaluator.evaluate(support.value, decl.file, scope);
    if (value.unknown.length === 0 && value.alternatives.length > 0 && value.alternatives.every((v) => v.kind === 'string' && v.value === 'v2.0')) {
      this.v2Amis.add(decl.address);
    }
  }

  /**
   * `aws_ec2_instance_metadata_defaults`: `required` makes unset tokens required for every launch
   * in the account and Region; `optional` is itself a finding (it overrides even a v2.0 AMI).
   */
  private readAccountDefaults(decl: ResourceDecl, scope: Scope): void {
    const attributes = attributesIn(decl.block.body);
    const read = (name: string) => {
      const attribute = attributes.get(name);
      return attribute ? { attribute, outcome: this.evaluator.evaluate(attribute.value, decl.file, scope) } : undefined;
    };
    const endpoint = read('http_endpoint');
    const endpointSetting = endpoint ? toSetting(endpoint.outcome, { span: spanOf(decl.file, endpoint.attribute.node), good: 'disabled', unsetMeans: 'no-preference' }) : MISSING;
    const hop = read('http_put_response_hop_limit');
    const hopSetting = hop ? toSetting(hop.outcome, { span: spanOf(decl.file, hop.attribute.node), good: '1', unsetMeans: '-1' }) : MISSING;
    if (hopSetting.state === 'set' && hopSetting.values.some((v) => Number(v) > 1)) {
      this.direct.push({ ruleId: 'no-imds-hop-limit-above-one', messageId: 'hopLimitAboveOne', data: { resource: decl.address, value: hopSetting.values.join(' or ') }, span: hopSetting.span });
    }
    if (endpointSetting.state === 'set' && endpointSetting.values.every((v) => v === 'disabled')) return;
    const tokens = read('http_tokens');
    if (!tokens) return;
    const outcome = tokens.outcome;
    // null and no-preference leave the choice to each launch: neither a finding nor a default.
    const values = outcome.alternatives.flatMap((v) => (v.kind === 'string' ? [v.value] : v.kind === 'null' ? ['no-preference'] : []));
    const bad = [...new Set(values.filter((v) => v !== 'required' && v !== 'no-preference'))];
    if (bad.length > 0) {
      const literal = fixableLiteral(outcome, decl.file);
      const edits: Edit[] | undefined = literal ? [replaceLiteral(literal, 'required')] : undefined;
      this.direct.push({
        ruleId: 'no-imdsv1-instance-config',
        messageId: 'tokensOptional',
        data: { resource: decl.address, value: bad.join(' or '), context: ' (the account default for new instances in this Region)' },
        span: spanOf(decl.file, tokens.attribute.node),
        ...(edits ? { edits } : {}),
      });
      if (bad.includes('optional')) this.accountOptional = true;
    } else if (outcome.unknown.length > 0) {
      this.direct.push({ ruleId: 'no-imdsv1-instance-config', messageId: 'cannotDetermine', data: { resource: decl.address, reason: outcome.unknown[0]! }, span: headerSpan(decl.file, decl.block) });
    } else if (values.length > 0 && values.every((v) => v === 'required')) {
      this.accountRequires ??= `${decl.address} (the account default)`;
    }
  }

  /** The v2.0 AMI an instance or template launches from: `ami = aws_ami.x.id` with `imds_support = "v2.0"`. */
  private v2AmiOf(decl: ResourceDecl, image: string): string | undefined {
    if (this.accountOptional) return undefined;
    const attribute = attributesIn(decl.block.body).get(image);
    const path = attribute && traversalOf(attribute.value);
    if (!path || path[0] !== 'aws_ami' || path[1] === undefined) return undefined;
    const address = `aws_ami.${path[1]}`;
    return this.v2Amis.has(address) ? `${address} (imds_support = "v2.0")` : undefined;
  }

  private launcher(decl: ResourceDecl, scope: Scope, kind: LaunchKind, image: string): LaunchConfig {
    const v2Ami = this.v2AmiOf(decl, image);
    const unsetCovered = Boolean(this.accountRequires || v2Ami);
    const read = readBlock(this.evaluator, decl.file, decl.block.body, 'metadata_options', [EC2_FIELDS.tokens, EC2_FIELDS.endpoint!, EC2_FIELDS.hopLimit!], scope);
    const launchTemplate = kind === 'instance' || kind === 'spot-request' ? this.templateOf(decl, scope) : undefined;
    return {
      kind,
      address: decl.address,
      span: headerSpan(decl.file, decl.block),
      ...(read ? { metadata: metadataOptionsOf(decl.file, read, EC2_FIELDS, unsetCovered) } : {}),
      whenMissing: 'aws-default',
      ...(launchTemplate ? { launchTemplate } : {}),
      ...(v2Ami ? { v2Ami } : {}),
      ...this.requireTokens(decl, read, EC2_FIELDS, 'metadata_options', EC2_BLOCK),
    };
  }

  private imageBuilder(decl: ResourceDecl, scope: Scope): LaunchConfig {
    const read = readBlock(this.evaluator, decl.file, decl.block.body, 'instance_metadata_options', [IMAGE_BUILDER_FIELDS.tokens, IMAGE_BUILDER_FIELDS.hopLimit!], scope);
    return {
      kind: 'image-builder',
      address: decl.address,
      span: headerSpan(decl.file, decl.block),
      ...(read ? { metadata: metadataOptionsOf(decl.file, read, IMAGE_BUILDER_FIELDS, false) } : {}),
      // Image Builder's own default for HttpTokens is optional (InstanceMetadataOptions API).
      whenMissing: 'optional',
      optionalSentBy: 'Image Builder',
      ...this.requireTokens(decl, read, IMAGE_BUILDER_FIELDS, 'instance_metadata_options', ['instance_metadata_options {', '  http_tokens = "required"', '}']),
    };
  }

  private notebook(decl: ResourceDecl, scope: Scope): LaunchConfig {
    const name = 'instance_metadata_service_configuration';
    const read = readBlock(this.evaluator, decl.file, decl.block.body, name, [NOTEBOOK_FIELDS.tokens], scope);
    return {
      kind: 'notebook',
      address: decl.address,
      span: headerSpan(decl.file, decl.block),
      ...(read ? { metadata: { span: spanOf(decl.file, read.node), httpTokens: MISSING, httpEndpoint: MISSING, hopLimit: MISSING } } : {}),
      minimumImdsVersion: read ? settingOf(decl.file, read, NOTEBOOK_FIELDS.tokens, { good: '2', describeOrigin: true }) : MISSING,
      whenMissing: 'aws-default',
      ...this.requireTokens(decl, read, NOTEBOOK_FIELDS, name, [`${name} {`, '  minimum_instance_metadata_service_version = "2"', '}']),
    };
  }

  /** The fix: see fixForRead; a missing block is added (not next to a dynamic one). */
  private requireTokens(decl: ResourceDecl, read: ReturnType<typeof readBlock>, fields: MetadataFields, blockName: string, block: readonly string[]): Pick<LaunchConfig, 'requireTokens'> {
    let edits: Edit[] | undefined;
    if (read) edits = fixForRead(decl.file, read, fields, fields.good);
    else if (!blocksIn(decl.block.body, 'dynamic').some((b) => b.labels[0] === blockName)) edits = insertNestedBlock(decl.file.text, decl.block, block);
    return edits && edits.length > 0 ? { requireTokens: { edits } } : {};
  }

  /** `launch_template { id = aws_launch_template.x.id }` (or `name = …`) of an instance. */
  private templateOf(decl: ResourceDecl, scope: Scope): LaunchConfig['launchTemplate'] {
    const block = blocksIn(decl.block.body, 'launch_template')[0];
    if (!block) return undefined;
    const attributes = attributesIn(block.body);
    const reference = attributes.get('id') ?? attributes.get('name');
    if (!reference) return { reference: 'a launch_template block without id or name' };
    return this.resolveTemplate(reference.value, decl, scope, 'aws_launch_template');
  }

  private resolveTemplate(expression: import('web-tree-sitter').Node, decl: ResourceDecl, scope: Scope, type: string): { address?: string; reference: string } {
    const reference = describeExpression(expression, 60);
    const path = traversalOf(expression);
    if (path && path[0] === type && path[1] !== undefined) {
      const address = `${type}.${path[1]}`;
      return this.byAddress.has(address) ? { address, reference } : { reference };
    }
    const value = singleScalar(this.evaluator.evaluate(expression, decl.file, scope));
    const named = value && this.namedTemplates.get(`${type}:${value.value}`);
    return named ? { address: named, reference } : { reference };
  }

  /** Templates (and launch configurations) this resource launches instances from. */
  private consumedTemplates(decl: ResourceDecl, scope: Scope): string[] {
    const out: string[] = [];
    for (const { path, keys } of TEMPLATE_CONSUMERS[decl.type] ?? []) {
      for (const block of nestedBlocks(decl.block, path)) {
        const attributes = attributesIn(block.body);
        const attribute = keys.map((k) => attributes.get(k)).find((a) => a !== undefined);
        const address = attribute && this.resolveTemplate(attribute.value, decl, scope, 'aws_launch_template').address;
        if (address) out.push(address);
      }
    }
    if (decl.type === 'aws_autoscaling_group') {
      const configuration = attributesIn(decl.block.body).get('launch_configuration');
      const address = configuration && this.resolveTemplate(configuration.value, decl, scope, 'aws_launch_configuration').address;
      if (address) out.push(address);
    }
    return out;
  }
}

function nestedBlocks(block: Block, path: readonly string[]): Block[] {
  let level: Block[] = [block];
  for (const name of path) level = level.flatMap((b) => blocksIn(b.body, name));
  return level;
}
