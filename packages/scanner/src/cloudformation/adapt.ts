import { MISSING, type Edit, type LaunchConfig, type LaunchKind, type MetadataOptions, type Setting, type Span } from '@imds-guard/core';
import { editContext, insertAt, replaceScalar, type EditContext, type InsertTree } from './edits.js';
import { TemplateLinks, type Resource, type TemplateReference } from './launch-template-links.js';
import { scopeOf, type TemplateScope } from './resolve.js';
import { settingOf, type ResolvedSetting } from './settings.js';
import { asMap, child, childAt, entry, literal, type MapNode, type Syntax } from './template-node.js';

/** What one template means for the shared launch model. */
export interface AdaptedTemplate {
  readonly configs: LaunchConfig[];
  /** Launch template / configuration logical id → the resources that launch from it. */
  readonly consumers: Map<string, string[]>;
}

const REQUIRED = 'required';
const notRequired = (v: string) => v !== REQUIRED;
const notDisabled = (v: string) => v !== 'disabled';
const aboveOne = (v: string) => Number(v) > 1;

/**
 * Where each resource type keeps its metadata options, under which names, and what a fix inserts
 * when they are missing. The paths start at the resource (`Properties` included) so that a
 * resource without `Properties` can be fixed too.
 */
interface Shape {
  readonly kind: LaunchKind;
  readonly path: readonly string[];
  readonly tokens: string;
  readonly endpoint?: string;
  readonly hopLimit?: string;
  /** The value that closes IMDSv1. */
  readonly required: string;
  /** Inserted at `path` when the block is missing. */
  readonly block: InsertTree;
}

const METADATA_OPTIONS = { HttpEndpoint: 'enabled', HttpTokens: REQUIRED };

const SHAPES: Readonly<Record<string, Shape>> = {
  'AWS::EC2::Instance': {
    kind: 'instance',
    path: ['Properties', 'MetadataOptions'],
    tokens: 'HttpTokens',
    endpoint: 'HttpEndpoint',
    hopLimit: 'HttpPutResponseHopLimit',
    required: REQUIRED,
    block: METADATA_OPTIONS,
  },
  'AWS::EC2::LaunchTemplate': {
    kind: 'launch-template',
    path: ['Properties', 'LaunchTemplateData', 'MetadataOptions'],
    tokens: 'HttpTokens',
    endpoint: 'HttpEndpoint',
    hopLimit: 'HttpPutResponseHopLimit',
    required: REQUIRED,
    block: METADATA_OPTIONS,
  },
  'AWS::AutoScaling::LaunchConfiguration': {
    kind: 'launch-configuration',
    path: ['Properties', 'MetadataOptions'],
    tokens: 'HttpTokens',
    endpoint: 'HttpEndpoint',
    hopLimit: 'HttpPutResponseHopLimit',
    required: REQUIRED,
    block: METADATA_OPTIONS,
  },
  // Image Builder's build and test instances: no endpoint switch in this block.
  'AWS::ImageBuilder::InfrastructureConfiguration': {
    kind: 'image-builder',
    path: ['Properties', 'InstanceMetadataOptions'],
    tokens: 'HttpTokens',
    hopLimit: 'HttpPutResponseHopLimit',
    required: REQUIRED,
    block: { HttpTokens: REQUIRED },
  },
  // "If no value is selected, then it defaults to IMDSv1" (CreateNotebookInstance).
  'AWS::SageMaker::NotebookInstance': {
    kind: 'notebook',
    path: ['Properties', 'InstanceMetadataServiceConfiguration'],
    tokens: 'MinimumInstanceMetadataServiceVersion',
    required: '2',
    block: { MinimumInstanceMetadataServiceVersion: '2' },
  },
};

/**
 * Maps the resources of one template onto LaunchConfigs. Instances that name a launch template of
 * the same template defer to it for whatever they do not set themselves; Auto Scaling groups, EKS
 * node groups, Batch compute environments and fleets only launch from templates, and are listed
 * as their consumers so the template's finding says who uses it.
 */
export function adaptTemplate(root: MapNode, text: string, file: string, syntax: Syntax): AdaptedTemplate {
  const scope = scopeOf(root);
  const resources = resourcesOf(scope.resources);
  const ctx = editContext(text, syntax, scope.resources);
  const launchTemplates = new TemplateLinks(resources, 'AWS::EC2::LaunchTemplate', 'LaunchTemplateName');
  const launchConfigurations = new TemplateLinks(resources, 'AWS::AutoScaling::LaunchConfiguration', 'LaunchConfigurationName');
  const consumers = new Map<string, string[]>();
  const addConsumer = (ref: TemplateReference | undefined, user: string) => {
    if (!ref?.address) return;
    const list = consumers.get(ref.address) ?? [];
    if (!list.includes(user)) list.push(user);
    consumers.set(ref.address, list);
  };

  const configs: LaunchConfig[] = [];
  for (const resource of resources) {
    for (const ref of launchTemplatesUsedBy(resource, launchTemplates, launchConfigurations)) addConsumer(ref, resource.id);
    const shape = SHAPES[resource.type];
    if (!shape) continue;
    const config = launchConfigOf(resource, shape, scope, file, ctx);
    if (resource.type === 'AWS::EC2::Instance') {
      const spec = child(resource.properties, 'LaunchTemplate');
      const link = spec ? (launchTemplates.spec(spec, 'LaunchTemplateId', 'LaunchTemplateName') ?? { reference: 'an expression' }) : undefined;
      if (link) {
        // Instance arguments override the template's, so only an instance that leaves the tokens
        // to its template makes it a user of the template's setting.
        if (config.metadata?.httpTokens.state !== 'set' && config.metadata?.httpTokens.state !== 'unresolved') addConsumer(link, resource.id);
        configs.push({ ...config, launchTemplate: link });
        continue;
      }
    }
    configs.push(config);
  }
  return { configs, consumers };
}

/** The resources of a template that have a type, with their maps. */
export function resourcesOf(resources: MapNode | undefined): Resource[] {
  return (resources?.entries ?? []).flatMap((e) => {
    const body = asMap(e.value);
    const type = literal(child(body, 'Type'));
    return body && type ? [{ id: e.key, keyStart: e.keyStart, keyEnd: e.keyEnd, type, body, properties: asMap(child(body, 'Properties')) }] : [];
  });
}

function launchConfigOf(resource: Resource, shape: Shape, scope: TemplateScope, file: string, ctx: EditContext): LaunchConfig {
  // A finding about a missing setting starts at the logical id, where the resource starts.
  const span: Span = { file, start: resource.keyStart, end: resource.keyEnd };
  const parentPath = shape.path.slice(0, -1);
  const blockKey = shape.path.at(-1)!;
  const blockEntry = entry(childAt(resource.body, parentPath), blockKey);
  const block = blockEntry?.value;
  const blockSpan: Span | undefined = blockEntry ? { file, start: blockEntry.keyStart, end: blockEntry.keyEnd } : undefined;

  let tokens: ResolvedSetting = { setting: MISSING };
  let metadata: MetadataOptions | undefined;
  if (blockEntry && blockSpan) {
    const map = asMap(block);
    if (map) {
      tokens = settingOf(entry(map, shape.tokens), scope, file, notRequired);
      metadata = {
        span: blockSpan,
        httpTokens: shape.kind === 'notebook' ? MISSING : tokens.setting,
        httpEndpoint: shape.endpoint ? settingOf(entry(map, shape.endpoint), scope, file, notDisabled).setting : MISSING,
        hopLimit: shape.hopLimit ? settingOf(entry(map, shape.hopLimit), scope, file, aboveOne).setting : MISSING,
      };
    } else {
      // `MetadataOptions: !If [...]` and the like: the whole block depends on the deployment.
      const unresolved: Setting = { state: 'unresolved', reason: `${blockKey} is not a plain mapping but an expression known only at deploy time`, span: blockSpan };
      tokens = { setting: unresolved };
      metadata = { span: blockSpan, httpTokens: shape.kind === 'notebook' ? MISSING : unresolved, httpEndpoint: MISSING, hopLimit: MISSING };
    }
  }
  const edits = requireEdits(resource, shape, tokens, ctx);
  return {
    kind: shape.kind,
    address: resource.id,
    span,
    metadata,
    whenMissing: 'aws-default',
    ...(shape.kind === 'notebook' ? { minimumImdsVersion: tokens.setting } : {}),
    ...(edits && edits.edits.length > 0 ? { requireTokens: edits } : {}),
  };
}

/**
 * The edits that make the resource require tokens: the literal (or the parameter Default that is
 * the only source of the value) becomes `required`; a missing key or block is inserted. A value
 * from a condition or a mapping has no single place to change, and gets no fix.
 */
function requireEdits(resource: Resource, shape: Shape, tokens: ResolvedSetting, ctx: EditContext): { edits: Edit[]; note?: string } | undefined {
  const setting = tokens.setting;
  if (setting.state === 'set') {
    if (!tokens.source) return undefined;
    const allowed = tokens.parameter?.allowed;
    // A Default outside AllowedValues makes the stack fail to deploy.
    if (allowed && !allowed.includes(shape.required)) return undefined;
    const edit = replaceScalar(tokens.source, shape.required, ctx);
    if (!edit) return undefined;
    return { edits: [edit], ...(tokens.parameter ? { note: `changes the Default of parameter ${tokens.parameter.name} to ${shape.required}` } : {}) };
  }
  if (setting.state !== 'missing') return undefined;
  const block = childAt(resource.body, shape.path);
  // `HttpTokens:` with an empty value or `!Ref AWS::NoValue`: a second key would be a duplicate.
  if (entry(block, shape.tokens)) return undefined;
  const edits = block ? insertAt(resource.body, shape.path, { [shape.tokens]: shape.required }, ctx) : insertAt(resource.body, shape.path.slice(0, -1), { [shape.path.at(-1)!]: shape.block }, ctx);
  return edits ? { edits } : undefined;
}

/** The launch templates (and launch configurations) a resource launches instances from. */
function launchTemplatesUsedBy(resource: Resource, templates: TemplateLinks, configurations: TemplateLinks): (TemplateReference | undefined)[] {
  const p = resource.properties;
  const spec = (node: ReturnType<typeof child>) => templates.spec(node, 'LaunchTemplateId', 'LaunchTemplateName');
  switch (resource.type) {
    case 'AWS::AutoScaling::AutoScalingGroup': {
      const mixed = childAt(p, ['MixedInstancesPolicy', 'LaunchTemplate']);
      const overrides = child(mixed, 'Overrides');
      return [
        spec(child(p, 'LaunchTemplate')),
        spec(child(mixed, 'LaunchTemplateSpecification')),
        ...(overrides?.kind === 'seq' ? overrides.items.map((o) => spec(child(o, 'LaunchTemplateSpecification'))) : []),
        configurations.byIdNode(child(p, 'LaunchConfigurationName')),
        configurations.byNameNode(child(p, 'LaunchConfigurationName')),
      ];
    }
    case 'AWS::EKS::Nodegroup':
      return [templates.spec(child(p, 'LaunchTemplate'), 'Id', 'Name')];
    case 'AWS::Batch::ComputeEnvironment':
      return [spec(childAt(p, ['ComputeResources', 'LaunchTemplate']))];
    case 'AWS::EC2::EC2Fleet':
      return specsIn(child(p, 'LaunchTemplateConfigs')).map(spec);
    case 'AWS::EC2::SpotFleet':
      return specsIn(childAt(p, ['SpotFleetRequestConfigData', 'LaunchTemplateConfigs'])).map(spec);
    default:
      return [];
  }
}

function specsIn(configs: ReturnType<typeof child>) {
  return configs?.kind === 'seq' ? configs.items.map((c) => child(c, 'LaunchTemplateSpecification')) : [];
}
