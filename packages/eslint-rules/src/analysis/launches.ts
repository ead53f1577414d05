/**
 * Infrastructure defined in code that launches or configures EC2 instances: AWS CDK (L2
 * constructs with `requireImdsv2`, L1 `Cfn*` constructs), Pulumi, CDKTF and the AWS SDK (v3
 * commands, v2-style client methods). Each is mapped onto core's LaunchConfig model, which
 * `judgeLaunch` judges with the same AWS semantics as the Terraform and CloudFormation analysers.
 */
import { AST_NODE_TYPES as T, type TSESLint, type TSESTree } from '@typescript-eslint/utils';
import { judgeLaunch, UNRESOLVED, type LaunchConfig, type LaunchDefaults, type LaunchKind, type MetadataOptions, type Setting, type Span } from '@imds-guard/core';
import { insertProperty, literalObject, quote, type TextEdit } from './edits.js';
import { requestFactory } from './requests.js';
import { apiKey, propertyName, shorten, unwrap, Values, type Node, type Ref, type StaticObject } from './values.js';

type SourceCode = Readonly<TSESLint.SourceCode>;
type Construct = TSESTree.NewExpression | TSESTree.CallExpression;

export { LAUNCH_NEEDLES, mayConfigureInstances } from './needles.js';

type Family = 'cdk' | 'cdk-l1' | 'pulumi' | 'cdktf' | 'sdk';

interface Shape {
  readonly family: Family;
  readonly kind: LaunchKind | 'modify' | 'defaults';
  /** Where the properties are: the argument index. */
  readonly props: number;
  /** The construct id / resource name argument, if any. */
  readonly name?: number;
  /** The metadata options object inside the properties (empty for CDK L2: the props hold the flags). */
  readonly metadata: readonly string[];
  /** Properties that name a launch template this resource launches from. */
  readonly launchTemplate?: readonly string[];
  /** CDK: the aspect that requires tokens on every construct of this kind. */
  readonly aspect?: string;
}

const L2 = (kind: LaunchKind, aspect: string, launchTemplate?: string[]): Shape => ({ family: 'cdk', kind, props: 2, name: 1, metadata: [], aspect, launchTemplate });
const L1 = (kind: LaunchKind, metadata: string[], launchTemplate?: string[]): Shape => ({ family: 'cdk-l1', kind, props: 2, name: 1, metadata, launchTemplate });
const PULUMI = (kind: Shape['kind'], launchTemplate?: string[]): Shape => ({ family: 'pulumi', kind, props: 1, name: 0, metadata: kind === 'defaults' ? [] : ['metadataOptions'], launchTemplate });
const CDKTF = (kind: Shape['kind'], launchTemplate?: string[]): Shape => ({ family: 'cdktf', kind, props: 2, name: 1, metadata: kind === 'defaults' ? [] : ['metadataOptions'], launchTemplate });
const SDK = (kind: Shape['kind'], metadata: string[], launchTemplate?: string[]): Shape => ({ family: 'sdk', kind, props: 0, metadata, launchTemplate });

const CONSTRUCTS: Record<string, Shape> = {
  'aws-cdk-lib:aws_ec2.Instance': L2('instance', 'InstanceRequireImdsv2Aspect'),
  'aws-cdk-lib:aws_ec2.BastionHostLinux': L2('instance', 'InstanceRequireImdsv2Aspect'),
  'aws-cdk-lib:aws_ec2.LaunchTemplate': L2('launch-template', 'LaunchTemplateRequireImdsv2Aspect'),
  'aws-cdk-lib:aws_autoscaling.AutoScalingGroup': L2('launch-configuration', 'AutoScalingGroupRequireImdsv2Aspect', ['launchTemplate', 'mixedInstancesPolicy.launchTemplate']),
  'aws-cdk-lib:aws_ec2.CfnInstance': L1('instance', ['metadataOptions'], ['launchTemplate']),
  'aws-cdk-lib:aws_ec2.CfnLaunchTemplate': L1('launch-template', ['launchTemplateData', 'metadataOptions']),
  'aws-cdk-lib:aws_autoscaling.CfnLaunchConfiguration': L1('launch-configuration', ['metadataOptions']),
  '@pulumi/aws:ec2.Instance': PULUMI('instance', ['launchTemplate']),
  '@pulumi/aws:ec2.SpotInstanceRequest': PULUMI('spot-request', ['launchTemplate']),
  '@pulumi/aws:ec2.LaunchTemplate': PULUMI('launch-template'),
  '@pulumi/aws:ec2.LaunchConfiguration': PULUMI('launch-configuration'),
  '@pulumi/aws:ec2.InstanceMetadataDefaults': PULUMI('defaults'),
  '@cdktf/provider-aws:instance.Instance': CDKTF('instance', ['launchTemplate']),
  '@cdktf/provider-aws:spotInstanceRequest.SpotInstanceRequest': CDKTF('spot-request', ['launchTemplate']),
  '@cdktf/provider-aws:launchTemplate.LaunchTemplate': CDKTF('launch-template'),
  '@cdktf/provider-aws:launchConfiguration.LaunchConfiguration': CDKTF('launch-configuration'),
  '@cdktf/provider-aws:ec2InstanceMetadataDefaults.Ec2InstanceMetadataDefaults': CDKTF('defaults'),
  '@aws-sdk/client-ec2:RunInstancesCommand': SDK('instance', ['MetadataOptions'], ['LaunchTemplate']),
  '@aws-sdk/client-ec2:CreateLaunchTemplateCommand': SDK('launch-template', ['LaunchTemplateData', 'MetadataOptions']),
  '@aws-sdk/client-ec2:CreateLaunchTemplateVersionCommand': SDK('launch-template', ['LaunchTemplateData', 'MetadataOptions']),
  '@aws-sdk/client-ec2:ModifyInstanceMetadataOptionsCommand': SDK('modify', []),
  '@aws-sdk/client-ec2:ModifyInstanceMetadataDefaultsCommand': SDK('defaults', []),
  '@aws-sdk/client-auto-scaling:CreateLaunchConfigurationCommand': SDK('launch-configuration', ['MetadataOptions']),
};

/** `client.runInstances(params)` on an SDK v2 (or v3 aggregated) client. */
const SDK_METHODS: Record<string, Shape> = {
  runInstances: CONSTRUCTS['@aws-sdk/client-ec2:RunInstancesCommand']!,
  createLaunchTemplate: CONSTRUCTS['@aws-sdk/client-ec2:CreateLaunchTemplateCommand']!,
  createLaunchTemplateVersion: CONSTRUCTS['@aws-sdk/client-ec2:CreateLaunchTemplateVersionCommand']!,
  modifyInstanceMetadataOptions: CONSTRUCTS['@aws-sdk/client-ec2:ModifyInstanceMetadataOptionsCommand']!,
  modifyInstanceMetadataDefaults: CONSTRUCTS['@aws-sdk/client-ec2:ModifyInstanceMetadataDefaultsCommand']!,
  createLaunchConfiguration: CONSTRUCTS['@aws-sdk/client-auto-scaling:CreateLaunchConfigurationCommand']!,
};
/** Parameter names that make an object an EC2 API request when the client itself is not visible. */
const SDK_PARAM_KEYS = new Set(['ImageId', 'InstanceType', 'MaxCount', 'MinCount', 'LaunchTemplate', 'LaunchTemplateData', 'LaunchTemplateName', 'MetadataOptions', 'InstanceId', 'HttpTokens', 'LaunchConfigurationName']);

const ASPECTS: Record<string, string> = {
  'aws-cdk-lib:aws_ec2.InstanceRequireImdsv2Aspect': 'InstanceRequireImdsv2Aspect',
  'aws-cdk-lib:aws_ec2.LaunchTemplateRequireImdsv2Aspect': 'LaunchTemplateRequireImdsv2Aspect',
  'aws-cdk-lib:aws_autoscaling.AutoScalingGroupRequireImdsv2Aspect': 'AutoScalingGroupRequireImdsv2Aspect',
};

/** One resource or call, with what the rule reports about it and the edit that requires tokens. */
export interface LaunchSite {
  readonly node: Construct;
  readonly shape: Shape;
  readonly config: LaunchConfig;
  /** Where a finding about something missing is reported: `new X(…, 'Id'` or the call's callee. */
  readonly header: Span;
  readonly requireTokens?: { readonly edits: readonly TextEdit[]; readonly change: string };
}

export interface LaunchFinding {
  readonly messageId: 'tokensOptional' | 'tokensMissing' | 'requireImdsv2Missing' | 'coveredByDefault' | 'cannotDetermine' | 'endpointEnabledWithoutTokens';
  readonly data: Record<string, string>;
  readonly span: Span;
  readonly fix?: { readonly edits: readonly TextEdit[]; readonly change: string };
}

const span = (node: Node): Span => ({ file: '', start: node.range[0], end: node.range[1] });

export class LaunchExtractor {
  private readonly values: Values;

  constructor(private readonly sourceCode: SourceCode) {
    this.values = new Values(sourceCode);
  }

  private ref(node: Node): Ref | undefined {
    return this.values.ref(node, requestFactory);
  }

  /** Judges every launch in the file: constructs, commands and client calls collected by the rule. */
  findings(nodes: readonly Construct[]): LaunchFinding[] {
    const sites: { site: LaunchSite; node: Construct }[] = [];
    const aspects = new Set<string>();
    for (const node of nodes) {
      if (node.type === T.NewExpression) {
        const key = apiKey(this.ref(node.callee));
        if (!key) continue;
        const aspect = ASPECTS[key];
        if (aspect) {
          if (isAdded(node, this.values)) aspects.add(aspect);
          continue;
        }
        const shape = CONSTRUCTS[key];
        if (shape) sites.push({ node, site: this.site(node, shape) });
        continue;
      }
      const shape = this.sdkMethod(node);
      if (shape) sites.push({ node, site: this.site(node, shape) });
    }
    // Aspects cover every construct of their kind in the file.
    const covered = sites.map(({ node, site }) => {
      const aspect = site.shape.aspect;
      if (!aspect || !aspects.has(aspect) || site.config.metadata?.httpTokens.state === 'set') return { node, site };
      const metadata: MetadataOptions = { ...(site.config.metadata ?? { span: site.header, httpEndpoint: { state: 'missing' }, hopLimit: { state: 'missing' } }), httpTokens: { state: 'set', values: ['required'], span: site.header, via: aspect } };
      return { node, site: { ...site, config: { ...site.config, metadata } } };
    });
    const byNode = new Map(covered.map(({ node, site }) => [node as Node, site]));
    const defaults: { accountRequires?: string } = {};
    const findings: LaunchFinding[] = [];
    const configs: LaunchConfig[] = [];
    for (const { site } of covered) {
      if (site.shape.kind === 'defaults') {
        const tokens = site.config.metadata?.httpTokens;
        if (tokens?.state === 'set' && tokens.values.every((v) => v === 'required')) defaults.accountRequires = site.config.address;
        else if (tokens?.state === 'set' && tokens.values.includes('optional')) findings.push(this.optional(site, tokens));
        else if (tokens?.state === 'unresolved') findings.push({ messageId: 'cannotDetermine', data: { resource: site.config.address, reason: tokens.reason }, span: tokens.span });
        continue;
      }
      if (site.shape.kind === 'modify') {
        const finding = this.modify(site);
        if (finding) findings.push(finding);
        continue;
      }
      configs.push(this.linkTemplate(site, byNode));
    }
    const templates = new Map(configs.filter((c) => c.kind === 'launch-template').map((c) => [c.address, c]));
    for (const config of configs) {
      const site = covered.find((c) => c.site.config.address === config.address)?.site;
      if (site) findings.push(...this.judge(site, config, defaults, templates));
    }
    return findings.sort((a, b) => a.span.start - b.span.start);
  }

  private judge(site: LaunchSite, config: LaunchConfig, defaults: LaunchDefaults, templates: ReadonlyMap<string, LaunchConfig>): LaunchFinding[] {
    // The verdict is core's, written once for every IaC format.
    const verdict = judgeLaunch(config, defaults, templates);
    const resource = config.address;
    switch (verdict.kind) {
      case 'tokens-optional':
        return [this.optional(site, verdict.at, verdict.values)];
      case 'tokens-missing':
        return [
          {
            messageId: site.shape.family === 'cdk' ? 'requireImdsv2Missing' : 'tokensMissing',
            data: site.shape.family === 'cdk' ? { resource } : { resource, context: '' },
            span: config.metadata?.span ?? site.header,
            fix: site.requireTokens,
          },
        ];
      case 'covered-by-default':
        return [{ messageId: 'coveredByDefault', data: { resource, source: verdict.by }, span: site.header, fix: site.requireTokens }];
      case 'cannot-determine':
        return [{ messageId: 'cannotDetermine', data: { resource, reason: verdict.reason }, span: site.header }];
      default:
        return [];
    }
  }

  private optional(site: LaunchSite, tokens: Setting & { state: 'set' }, values: readonly string[] = tokens.values.filter((v) => v !== 'required')): LaunchFinding {
    return { messageId: 'tokensOptional', data: { resource: site.config.address, value: values.join(' or '), context: '' }, span: tokens.span, fix: site.requireTokens };
  }

  /** ModifyInstanceMetadataOptions changes an existing instance: only what it sets matters. */
  private modify(site: LaunchSite): LaunchFinding | undefined {
    const tokens = site.config.metadata?.httpTokens ?? { state: 'missing' };
    const resource = site.config.address;
    if (tokens.state === 'set') return tokens.values.every((v) => v === 'required') ? undefined : this.optional(site, tokens);
    if (tokens.state === 'unresolved') return { messageId: 'cannotDetermine', data: { resource, reason: tokens.reason }, span: tokens.span };
    const endpoint = site.config.metadata?.httpEndpoint;
    if (endpoint?.state === 'set' && endpoint.values.includes('enabled')) {
      return { messageId: 'endpointEnabledWithoutTokens', data: { resource }, span: site.header, fix: site.requireTokens };
    }
    return undefined;
  }

  /** Points a resource at the launch template construct of this file it launches from. */
  private linkTemplate(site: LaunchSite, byNode: ReadonlyMap<Node, LaunchSite>): LaunchConfig {
    const config = site.config;
    if (!config.launchTemplate) return config;
    const target = this.templateConstruct(config.launchTemplate.reference);
    const address = target ? byNode.get(target)?.config.address : undefined;
    return { ...config, launchTemplate: { address, reference: config.launchTemplate.reference } };
  }

  private templateRefs = new Map<string, Node>();

  /** `lt`, `lt.ref`, `lt.launchTemplateId`, `{ launchTemplateId: lt.ref }`: the `new …LaunchTemplate(…)` behind it. */
  private templateConstruct(reference: string): Node | undefined {
    return this.templateRefs.get(reference);
  }

  private sdkMethod(call: TSESTree.CallExpression): Shape | undefined {
    const callee = unwrap(call.callee);
    if (callee.type !== T.MemberExpression) return undefined;
    const name = propertyName(callee);
    const shape = name ? SDK_METHODS[name] : undefined;
    if (!shape) return undefined;
    const receiver = this.ref(callee.object);
    if (receiver?.kind === 'instance' && (receiver.of === 'ec2' || receiver.of === 'autoscaling') && receiver.path.length === 0) return shape;
    if (receiver) return undefined;
    // The client is not visible (a parameter, a field): the parameters must look like the EC2 API.
    const params = call.arguments[0];
    if (!params || params.type === T.SpreadElement) return undefined;
    const obj = this.values.object(params);
    return [...obj.props.keys()].some((k) => SDK_PARAM_KEYS.has(k)) ? shape : undefined;
  }

  private site(node: Construct, shape: Shape): LaunchSite {
    const arg = (i: number) => {
      const a = node.arguments[i];
      return a && a.type !== T.SpreadElement ? a : undefined;
    };
    const calleeText = shorten(this.values.text(node.callee), 50);
    const nameNode = shape.name !== undefined ? arg(shape.name) : undefined;
    const name = nameNode ? this.values.string(nameNode) : undefined;
    const address = name && !name.includes(UNRESOLVED) ? `${calleeText} '${name}'` : calleeText;
    const headerEnd = (nameNode ?? node.callee).range[1];
    const header: Span = { file: '', start: node.range[0], end: headerEnd };
    const propsNode = arg(shape.props);
    const props: StaticObject = propsNode ? this.values.object(propsNode) : { props: new Map() };
    const pascal = shape.family === 'sdk';
    const key = (camel: string) => (pascal ? camel[0]!.toUpperCase() + camel.slice(1) : camel);

    let metadata: MetadataOptions | undefined;
    let requireTokens: LaunchSite['requireTokens'];
    const q = (s: string) => quote(this.sourceCode, s);
    if (shape.family === 'cdk') {
      ({ metadata, requireTokens } = this.cdkL2(props, propsNode, header));
    } else {
      // Walk down to the metadata options object, remembering the last literal for an insertion.
      let container: StaticObject = props;
      let containerNode: Node | undefined = propsNode;
      let missingPath: string[] = [];
      for (let i = 0; i < shape.metadata.length; i++) {
        const p = container.props.get(shape.metadata[i]!);
        if (!p) {
          missingPath = shape.metadata.slice(i);
          break;
        }
        containerNode = p.value;
        container = this.values.object(p.value);
      }
      const tokensKey = key('httpTokens');
      const present = missingPath.length === 0 && shape.metadata.length > 0;
      if (present || shape.kind === 'modify' || shape.kind === 'defaults') {
        const holder = shape.metadata.length === 0 ? props : container;
        const block = shape.metadata.length === 0 ? propsNode : containerNode;
        metadata = {
          span: present && block ? this.propertySpan(block) : header,
          httpTokens: this.setting(holder, tokensKey),
          httpEndpoint: this.setting(holder, key('httpEndpoint')),
          hopLimit: this.setting(holder, key('httpPutResponseHopLimit')),
        };
      }
      const tokensProp = metadata ? (shape.metadata.length === 0 ? props : container).props.get(tokensKey) : undefined;
      const change = `${tokensKey}: ${q('required')}`;
      if (tokensProp) {
        const edits = this.replaceValue(tokensProp.value, 'required');
        if (edits) requireTokens = { edits, change };
      } else {
        // Insert what is missing into the innermost object literal in place.
        const holderNode = missingPath.length === 0 ? (shape.metadata.length === 0 ? propsNode : containerNode) : containerNode;
        const literal = literalObject(holderNode);
        if (literal && !literal.properties.some((p) => p.type === T.SpreadElement)) {
          let text = `${tokensKey}: ${q('required')}`;
          for (const k of [...missingPath].reverse()) text = `${k}: { ${text} }`;
          requireTokens = { edits: [insertProperty(this.sourceCode, literal, text)], change };
        }
      }
    }

    // A launch template reference: remember what construct it names, to link the two later.
    let launchTemplate: LaunchConfig['launchTemplate'];
    for (const path of shape.launchTemplate ?? []) {
      let value: Node | undefined = propsNode;
      for (const part of path.split('.')) value = value ? this.values.object(value).props.get(part)?.value : undefined;
      if (!value) continue;
      const reference = shorten(this.values.text(value), 60);
      const target = this.findTemplate(value);
      if (target) this.templateRefs.set(reference, target);
      launchTemplate = { reference };
      break;
    }
    // An SDK launch from a template leaves the options to the template, which is checked where it is made.
    const skipTemplate = shape.family === 'sdk' && launchTemplate !== undefined && !metadata;
    // A template version without MetadataOptions inherits them from its source version.
    const inherits = pascal && shape.kind === 'launch-template' && !metadata && props.props.has('SourceVersion');
    const kind: LaunchKind = shape.kind === 'modify' || shape.kind === 'defaults' ? 'instance' : shape.kind;
    const missing: Setting = { state: 'missing' };
    if (skipTemplate || inherits) {
      const via = skipTemplate ? 'its launch template' : 'its source version';
      metadata = { span: header, httpTokens: { state: 'set', values: ['required'], span: header, via }, httpEndpoint: missing, hopLimit: missing };
      requireTokens = undefined;
    } else if (props.open && shape.family !== 'cdk' && (metadata?.httpTokens ?? missing).state === 'missing') {
      const reason = `the properties may set it: ${props.open}`;
      metadata = { span: metadata?.span ?? header, httpTokens: { state: 'unresolved', reason, span: header }, httpEndpoint: metadata?.httpEndpoint ?? missing, hopLimit: metadata?.hopLimit ?? missing };
    }
    const config: LaunchConfig = { kind, address, span: header, metadata, whenMissing: 'aws-default', ...(launchTemplate && !skipTemplate ? { launchTemplate } : {}) };
    return { node, shape, config, header, requireTokens };
  }


  /** CDK L2: `requireImdsv2: true`, or `httpTokens: …HttpTokens.REQUIRED`; `httpEndpoint: false` turns IMDS off. */
  private cdkL2(props: StaticObject, propsNode: Node | undefined, header: Span): { metadata?: MetadataOptions; requireTokens?: LaunchSite['requireTokens'] } {
    const flag = props.props.get('requireImdsv2');
    const tokens = props.props.get('httpTokens');
    const endpointProp = props.props.get('httpEndpoint');
    const httpEndpoint: Setting = endpointProp ? this.booleanSetting(endpointProp.value, 'disabled', 'enabled') : { state: 'missing' };
    const hopLimit = this.setting(props, 'httpPutResponseHopLimit');
    const change = 'requireImdsv2: true';
    let httpTokens: Setting = { state: 'missing' };
    let requireTokens: LaunchSite['requireTokens'];
    // Where a "not required" finding belongs: `requireImdsv2: false`, else the construct.
    let at: Span | undefined;
    if (tokens) {
      httpTokens = this.valueSetting(tokens.value, 'httpTokens');
      const edits = this.replaceValue(tokens.value, 'required');
      if (edits) requireTokens = { edits, change: `httpTokens: ${this.values.text(tokens.value).replace(/\w+$/, (w) => (w === w.toUpperCase() ? 'REQUIRED' : 'required'))}` };
    }
    if (flag && httpTokens.state !== 'set') {
      const value = unwrap(flag.value);
      const s = this.values.string(value);
      if (s === 'true') httpTokens = { state: 'set', values: ['required'], span: span(value) };
      else if (s === 'false') {
        at = flag.property ? span(flag.property) : span(value);
        if (value.type === T.Literal) requireTokens = { edits: [{ range: value.range, text: 'true' }], change };
      } else httpTokens = { state: 'unresolved', reason: `requireImdsv2 comes from ${shorten(this.values.text(value))}`, span: span(value) };
    }
    if (!flag && !tokens) {
      if (props.open) httpTokens = { state: 'unresolved', reason: `the properties may set requireImdsv2: ${props.open}`, span: header };
      const literal = literalObject(propsNode);
      if (literal && !literal.properties.some((p) => p.type === T.SpreadElement)) requireTokens = { edits: [insertProperty(this.sourceCode, literal, change)], change };
    }
    const any = at || httpTokens.state !== 'missing' || httpEndpoint.state !== 'missing' || hopLimit.state !== 'missing';
    return { metadata: any ? { span: at ?? header, httpTokens, httpEndpoint, hopLimit } : undefined, requireTokens };
  }

  private booleanSetting(node: Node, whenFalse: string, whenTrue: string): Setting {
    const value = unwrap(node);
    if (value.type === T.Literal && typeof value.value === 'boolean') return { state: 'set', values: [value.value ? whenTrue : whenFalse], span: span(value) };
    const s = this.values.string(value);
    if (s === 'true' || s === 'false') return { state: 'set', values: [s === 'true' ? whenTrue : whenFalse], span: span(value) };
    return { state: 'unresolved', reason: `${shorten(this.values.text(value))} is not known`, span: span(value) };
  }

  /** A setting from a string literal, a constant, an enum member (`HttpTokens.REQUIRED`) or a condition. */
  private setting(obj: StaticObject, key: string): Setting {
    const prop = obj.props.get(key);
    if (!prop) return { state: 'missing' };
    return this.valueSetting(prop.value, key);
  }

  private valueSetting(node: Node, key: string): Setting {
    const value = unwrap(node);
    if (value.type === T.ConditionalExpression) {
      const a = this.valueSetting(value.consequent, key);
      const b = this.valueSetting(value.alternate, key);
      if (a.state === 'set' && b.state === 'set') return { state: 'set', values: [...new Set([...a.values, ...b.values])], span: span(value) };
      return { state: 'unresolved', reason: `${key} depends on ${shorten(this.values.text(value.test))}`, span: span(value) };
    }
    if (value.type === T.Literal && typeof value.value === 'boolean') return { state: 'set', values: [value.value ? 'enabled' : 'disabled'], span: span(value) };
    if (value.type === T.Literal && typeof value.value === 'number') return { state: 'set', values: [String(value.value)], span: span(value) };
    const enumMember = value.type === T.MemberExpression ? propertyName(value) : undefined;
    if (enumMember && /^(required|optional|enabled|disabled|no[-_]?preference)$/i.test(enumMember) && this.values.memberValue(value as TSESTree.MemberExpression) === undefined) {
      return { state: 'set', values: [enumMember.toLowerCase().replace(/_/g, '-')], span: span(value) };
    }
    const s = this.values.string(value);
    if (!s.includes(UNRESOLVED)) return { state: 'set', values: [s], span: span(value) };
    return { state: 'unresolved', reason: `${key} comes from ${shorten(this.values.text(value))}`, span: span(value) };
  }

  /** Replaces an `optional` literal or enum member with `required`, in its own spelling. */
  private replaceValue(node: Node, to: 'required'): TextEdit[] | undefined {
    const value = unwrap(node);
    if (value.type === T.Literal && typeof value.value === 'string') return [{ range: value.range, text: quote(this.sourceCode, to) }];
    if (value.type === T.MemberExpression && !value.computed && value.property.type === T.Identifier) {
      const name = value.property.name;
      return [{ range: value.property.range, text: name === name.toUpperCase() ? to.toUpperCase() : name[0] === name[0]!.toUpperCase() ? 'Required' : to }];
    }
    return undefined;
  }

  private propertySpan(block: Node): Span {
    const parent = block.parent;
    return parent?.type === T.Property && parent.value === block ? span(parent) : span(block);
  }

  /** The launch template construct a reference value leads to: `lt`, `lt.ref`, `{ launchTemplateId: lt.ref }`. */
  private findTemplate(value: Node): Node | undefined {
    let n: Node | undefined = unwrap(value);
    if (n.type === T.ObjectExpression) {
      const obj = this.values.object(n);
      n = ['launchTemplateId', 'launchTemplateName', 'id', 'name', 'LaunchTemplateId', 'LaunchTemplateName'].map((k) => obj.props.get(k)?.value).find(Boolean);
      if (!n) return undefined;
      n = unwrap(n);
    }
    if (n.type === T.MemberExpression) n = unwrap(n.object);
    const resolved = this.values.resolveNode(n);
    return resolved?.type === T.NewExpression ? resolved : undefined;
  }
}

/** `Aspects.of(scope).add(new XAspect())`, directly or through a binding. */
function isAdded(node: TSESTree.NewExpression, values: Values): boolean {
  const parent = node.parent;
  if (parent?.type === T.CallExpression && parent.arguments.includes(node) && parent.callee.type === T.MemberExpression && propertyName(parent.callee) === 'add') return true;
  if (parent?.type === T.VariableDeclarator && parent.id.type === T.Identifier) {
    const variable = values.variable(parent.id);
    return !!variable?.references.some((r) => {
      const p = r.identifier.parent;
      return p?.type === T.CallExpression && p.arguments.includes(r.identifier as TSESTree.Identifier) && p.callee.type === T.MemberExpression && propertyName(p.callee) === 'add';
    });
  }
  return false;
}
