import { MISSING, type LaunchConfig, type LaunchKind, type MetadataOptions, type Setting, type Span } from '@imds-guard/core';
import { isMap, type Document, type Node, type Pair, type YAMLMap } from 'yaml';
import { appendNested, insertFirst, replaceLiteral, type FileEdit } from './edits.js';
import { evaluateNode, type JValue } from './jinja.js';
import type { Family, TaskSite } from './walk.js';
import { deref, findPair, type YamlFile } from './yaml.js';

/** States in which a task does not launch instances or create what launches them. */
const INERT_STATES: Record<Family, ReadonlySet<string>> = {
  instance: new Set(['absent', 'terminated', 'stopped', 'restarted', 'rebooted']),
  'launch-template': new Set(['absent']),
  'launch-configuration': new Set(['absent']),
  'autoscaling-group': new Set(['absent']),
};

const KINDS: Record<Exclude<Family, 'autoscaling-group'>, LaunchKind> = {
  instance: 'instance',
  'launch-template': 'launch-template',
  'launch-configuration': 'launch-configuration',
};

/** What each module sends for a suboption of `metadata_options` that is omitted. */
const MODULE_DEFAULTS: Record<string, string> = { http_tokens: 'optional', http_endpoint: 'enabled', http_put_response_hop_limit: '1' };

export interface AnsibleLaunches {
  readonly configs: LaunchConfig[];
  readonly consumers: Map<string, string[]>;
  /** The module each config's task calls, as written, by address. */
  readonly modules: Map<string, string>;
}

/** An argument and the mapping it was found in (the module's arguments, `args:` or `module_defaults`). */
interface Arg {
  readonly pair: Pair;
  readonly container: YAMLMap;
  readonly file: YamlFile;
  readonly doc: Document;
}

/**
 * Maps the tasks of one group (a file, or a role) onto the launch model. The amazon.aws modules
 * send `http_tokens: optional` whenever `metadata_options` is given without it, and nothing when
 * `metadata_options` is absent (then AWS's default applies). community.aws.autoscaling_launch_config
 * has no `metadata_options` option at all: its launch configurations always get the Auto Scaling
 * default, so nothing in the task can be fixed; what a task writes there is judged as written.
 */
export function adaptTasks(sites: readonly TaskSite[]): AnsibleLaunches {
  const configs: LaunchConfig[] = [];
  const modules = new Map<string, string>();
  const byName = new Map<string, string>();
  const pendingUses: { address: string; reference: string; lc: boolean }[] = [];
  const instanceLinks: { index: number; name?: string; reference: string }[] = [];

  for (const site of sites) {
    const address = `task[${site.line}]:${site.name ?? site.module}`;
    const arg = (key: string) => findArg(site, key);
    const text = (key: string) => single(arg(key), site);
    const state = arg('state');
    if (state) {
      const result = evaluateNode(state.pair.value, state.file, state.doc, site.scope);
      if (result.ok && result.options.length > 0 && result.options.every((o) => o.t === 'str' && INERT_STATES[site.family].has(o.value))) continue;
    }
    if (site.family === 'autoscaling-group') {
      const template = arg('launch_template');
      const templateMap = template ? deref(template.pair.value, template.doc) : undefined;
      if (template && isMap(templateMap)) {
        const name = single(findArgIn(templateMap, 'launch_template_name', template), site);
        if (name) pendingUses.push({ address, reference: name, lc: false });
      }
      const lc = text('launch_config_name');
      if (lc) pendingUses.push({ address, reference: lc, lc: true });
      continue;
    }
    const kind = KINDS[site.family];
    const own = site.family === 'launch-template' ? (text('template_name') ?? text('name')) : site.family === 'launch-configuration' ? text('name') : undefined;
    if (own) byName.set(`${site.family}:${own}`, address);

    const span = nodeSpan(site.moduleNode, site.file);
    const meta = arg('metadata_options');
    const metadata = meta ? metadataOf(meta, site) : undefined;
    const sendsDefaults = site.family !== 'launch-configuration';
    const whenMissing = metadata && sendsDefaults ? 'optional' : 'aws-default';

    const setEdits: FileEdit[] = [];
    const missingEdits: FileEdit[] = [];
    if (site.family !== 'launch-configuration') {
      const tokens = metadata?.options.httpTokens;
      if (tokens?.state === 'set') setEdits.push(...replaceBad(metadata!.tokenValues));
      if (metadata?.map) {
        const edit = insertFirst(metadata.map.node, metadata.map.file, 'http_tokens: required');
        if (edit) missingEdits.push(edit);
      } else if (!meta) {
        const edit = site.args
          ? appendNested(site.args, site.file, 'metadata_options', 'http_tokens: required', site.moduleNode)
          : site.extraArgs && !site.argsOpaque
            ? appendNested(site.extraArgs, site.file, 'metadata_options', 'http_tokens: required', undefined)
            : undefined;
        if (edit) missingEdits.push(edit);
      }
    }
    const tokens = metadata?.options.httpTokens ?? MISSING;
    // A finding is reported where the value is written (tokens set) or at the block or module key.
    const candidate = tokens.state === 'set' ? { edits: setEdits, file: tokens.span.file } : { edits: missingEdits, file: (metadata?.options.span ?? span).file };
    const fix = candidate.edits.length > 0 && candidate.edits.every((e) => e.file === candidate.file) ? candidate.edits.map(({ start, end, text }) => ({ start, end, text })) : undefined;

    const config: LaunchConfig = {
      kind,
      address,
      span,
      ...(metadata ? { metadata: metadata.options } : {}),
      whenMissing,
      ...(fix ? { requireTokens: { edits: fix } } : {}),
    };
    configs.push(config);
    modules.set(address, site.module);
    if (site.family === 'instance' && !meta) {
      const template = arg('launch_template');
      const templateMap = template ? deref(template.pair.value, template.doc) : undefined;
      if (template && isMap(templateMap)) {
        const name = single(findArgIn(templateMap, 'name', template), site);
        const id = single(findArgIn(templateMap, 'id', template), site);
        instanceLinks.push({ index: configs.length - 1, name, reference: name ?? id ?? 'named in launch_template' });
      } else if (template) {
        instanceLinks.push({ index: configs.length - 1, reference: 'named in launch_template' });
      }
    }
  }

  const consumers = new Map<string, string[]>();
  const use = (template: string, user: string) => consumers.set(template, [...(consumers.get(template) ?? []), user]);
  for (const link of instanceLinks) {
    const config = configs[link.index]!;
    const target = link.name ? byName.get(`launch-template:${link.name}`) : undefined;
    configs[link.index] = { ...config, launchTemplate: { ...(target ? { address: target } : {}), reference: link.reference } };
    if (target) use(target, config.address);
  }
  for (const pending of pendingUses) {
    const target = byName.get(`${pending.lc ? 'launch-configuration' : 'launch-template'}:${pending.reference}`);
    if (target) use(target, pending.address);
  }
  const line = (address: string) => Number(/^task\[(\d+)\]/.exec(address)?.[1] ?? 0);
  for (const users of consumers.values()) users.sort((a, b) => line(a) - line(b));
  return { configs, consumers, modules };
}

function findArg(site: TaskSite, key: string): Arg | undefined {
  const sources: { map: YAMLMap; file: YamlFile; doc: Document }[] = [];
  if (site.args) sources.push({ map: site.args, file: site.file, doc: site.doc });
  if (site.extraArgs) sources.push({ map: site.extraArgs, file: site.file, doc: site.doc });
  sources.push(...site.moduleDefaults);
  for (const source of sources) {
    const pair = findPair(source.map, key, source.doc);
    if (pair) return { pair, container: source.map, file: source.file, doc: source.doc };
  }
  return undefined;
}

function findArgIn(map: YAMLMap, key: string, parent: Arg): Arg | undefined {
  const pair = findPair(map, key, parent.doc);
  return pair ? { pair, container: map, file: parent.file, doc: parent.doc } : undefined;
}

/** The one string an argument evaluates to, if it is exactly one. */
function single(arg: Arg | undefined, site: TaskSite): string | undefined {
  if (!arg) return undefined;
  const result = evaluateNode(arg.pair.value, arg.file, arg.doc, site.scope);
  if (!result.ok || result.options.length !== 1) return undefined;
  const only = result.options[0]!;
  return only.t === 'str' ? only.value : undefined;
}

interface Metadata {
  readonly options: MetadataOptions;
  /** The mapping that holds the suboptions, where `http_tokens` can be inserted. */
  readonly map?: { readonly node: YAMLMap; readonly file: YamlFile };
  readonly tokenValues: readonly JValue[];
}

function metadataOf(meta: Arg, site: TaskSite): Metadata | undefined {
  const keySpan = nodeSpan(meta.pair.key as Node, meta.file);
  const result = evaluateNode(meta.pair.value, meta.file, meta.doc, site.scope);
  if (!result.ok) {
    const unresolved: Setting = { state: 'unresolved', reason: `metadata_options cannot be read: ${result.reason}`, span: keySpan };
    return { options: { span: keySpan, httpTokens: unresolved, httpEndpoint: MISSING, hopLimit: MISSING }, tokenValues: [] };
  }
  const maps = result.options.filter((o) => o.t === 'map');
  if (result.options.every((o) => o.t === 'omit')) return undefined;
  if (maps.length !== 1 || result.options.length !== 1) {
    const unresolved: Setting = { state: 'unresolved', reason: 'metadata_options is not a mapping that can be read', span: keySpan };
    return { options: { span: keySpan, httpTokens: unresolved, httpEndpoint: MISSING, hopLimit: MISSING }, tokenValues: [] };
  }
  const map = maps[0] as Extract<JValue, { t: 'map' }>;
  const tokens = suboption(map, 'http_tokens', site, (v) => v !== 'required', true);
  const endpoint = suboption(map, 'http_endpoint', site, () => false);
  const hop = suboption(map, 'http_put_response_hop_limit', site, (v) => Number(v) > 1);
  return {
    options: { span: keySpan, httpTokens: tokens.setting, httpEndpoint: endpoint.setting, hopLimit: hop.setting },
    map: { node: map.node, file: map.file },
    tokenValues: tokens.values,
  };
}

function suboption(
  map: Extract<JValue, { t: 'map' }>,
  key: string,
  site: TaskSite,
  isBad: (value: string) => boolean,
  describe = false,
): { setting: Setting; values: JValue[] } {
  const pair = findPair(map.node, key, map.doc);
  if (!pair) return { setting: MISSING, values: [] };
  const useSite = nodeSpan((pair.value ?? pair.key) as Node, map.file);
  const result = evaluateNode(pair.value, map.file, map.doc, site.scope);
  if (!result.ok) return { setting: { state: 'unresolved', reason: `${key} cannot be read: ${result.reason}`, span: useSite }, values: [] };
  if (result.options.some((o) => o.t === 'map')) return { setting: { state: 'unresolved', reason: `${key} is not a plain value`, span: useSite }, values: [] };
  if (result.options.every((o) => o.t === 'omit')) return { setting: MISSING, values: [] };
  // An omitted value in one branch means the module's own default there.
  const values: JValue[] = result.options.map((o) => (o.t === 'omit' ? { t: 'str', value: MODULE_DEFAULTS[key] ?? '', via: [] } : o));
  const strings = values.filter((o): o is Extract<JValue, { t: 'str' }> => o.t === 'str');
  const firstBad = strings.find((o) => isBad(o.value) && o.origin);
  const span = firstBad?.origin ? { file: firstBad.origin.file, start: firstBad.origin.start, end: firstBad.origin.end } : useSite;
  const via = [...new Set(strings.flatMap((o) => (o.via.length > 0 ? [o.via.join(' → ')] : [])))].join(', ');
  // A failing value that came through variables names them, so that a finding reported at a
  // variable's definition says which task it is about: `optional (through web_tokens)`.
  const show = (o: Extract<JValue, { t: 'str' }>) => (describe && isBad(o.value) && o.via.length > 0 ? `${o.value} (through ${o.via.join(' → ')})` : o.value);
  const setting: Setting = { state: 'set', values: [...new Set(strings.map(show))], span, ...(via ? { via } : {}) };
  return { setting, values };
}

/** Edits that turn every value other than `required` into `required`; none if one cannot be edited. */
function replaceBad(values: readonly JValue[]): FileEdit[] {
  const bad = values.filter((v) => v.t === 'str' && v.value !== 'required');
  if (bad.some((v) => v.t !== 'str' || !v.origin)) return [];
  const edits = bad.map((v) => replaceLiteral((v as Extract<JValue, { t: 'str' }>).origin!, 'required'));
  const seen = new Set<string>();
  return edits.filter((e) => {
    const key = `${e.file}:${e.start}:${e.end}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

function nodeSpan(node: Node | null | undefined, file: YamlFile): Span {
  const range = node?.range ?? [0, 0, 0];
  return { file: file.source.file, start: range[0], end: range[1] };
}

