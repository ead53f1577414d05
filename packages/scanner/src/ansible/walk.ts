import { isMap, isScalar, isSeq, type Document, type Node, type Scalar, type YAMLMap } from 'yaml';
import type { VarDef, VarScope } from './jinja.js';
import { LineIndex } from '@imds-guard/core';
import { deref, findPair, getMap, getNode, keyName, scalarText, type YamlFile } from './yaml.js';

export type Family = 'instance' | 'launch-template' | 'launch-configuration' | 'autoscaling-group';

/** The modules that launch instances or hold their metadata options, by every name they are called. */
export const MODULES: ReadonlyMap<string, Family> = new Map([
  ['amazon.aws.ec2_instance', 'instance'],
  ['community.aws.ec2_instance', 'instance'],
  ['ec2_instance', 'instance'],
  ['amazon.aws.ec2_launch_template', 'launch-template'],
  ['community.aws.ec2_launch_template', 'launch-template'],
  ['ec2_launch_template', 'launch-template'],
  ['community.aws.autoscaling_launch_config', 'launch-configuration'],
  ['autoscaling_launch_config', 'launch-configuration'],
  ['community.aws.ec2_lc', 'launch-configuration'],
  ['ec2_lc', 'launch-configuration'],
  ['amazon.aws.autoscaling_group', 'autoscaling-group'],
  ['community.aws.autoscaling_group', 'autoscaling-group'],
  ['autoscaling_group', 'autoscaling-group'],
  ['community.aws.ec2_asg', 'autoscaling-group'],
  ['amazon.aws.ec2_asg', 'autoscaling-group'],
  ['ec2_asg', 'autoscaling-group'],
]);

/** `module_defaults` groups that cover the EC2 modules. */
const DEFAULT_GROUPS = new Set(['group/aws', 'group/amazon.aws.aws', 'group/community.aws.aws']);
const SET_FACT = new Set(['set_fact', 'ansible.builtin.set_fact', 'ansible.legacy.set_fact']);
const PLAY_KEYS = ['hosts', 'import_playbook', 'ansible.builtin.import_playbook', 'tasks', 'pre_tasks', 'post_tasks', 'roles'];
const TASK_LISTS = ['pre_tasks', 'tasks', 'post_tasks', 'handlers'];
const BLOCK_LISTS = ['block', 'rescue', 'always'];

/** A mapping whose keys are variables. */
export interface VarSource {
  readonly map: YAMLMap;
  readonly file: YamlFile;
  readonly doc: Document;
}

/** One task that calls one of MODULES. */
export interface TaskSite {
  readonly file: YamlFile;
  readonly doc: Document;
  readonly task: YAMLMap;
  /** The key that names the module (`amazon.aws.ec2_instance:`), or the `action` value. */
  readonly moduleNode: Scalar;
  readonly module: string;
  readonly family: Family;
  /** The module's arguments when written as a mapping. */
  readonly args: YAMLMap | undefined;
  /** The arguments are something else: a `k=v` string, a template. */
  readonly argsOpaque: boolean;
  /** The task's `args:` mapping. */
  readonly extraArgs: YAMLMap | undefined;
  /** `module_defaults` entries that apply, innermost first. */
  readonly moduleDefaults: readonly VarSource[];
  readonly scope: VarScope;
  readonly name: string | undefined;
  /** 1-based line where the task starts. */
  readonly line: number;
}

export interface RoleVars {
  /** `vars/main.yml` of the task file's role: above play vars. */
  readonly vars: readonly VarSource[];
  /** `defaults/main.yml`: below everything. */
  readonly defaults: readonly VarSource[];
}

interface Frame {
  readonly vars: readonly VarSource[];
  readonly moduleDefaults: readonly VarSource[];
  /** `set_fact` tasks seen so far in the play (or task file), in order. */
  readonly facts: VarSource[];
  readonly playVars: readonly VarSource[];
}

/** A task as the walker meets it, with the variables visible to it. */
export interface VisitedTask {
  readonly task: YAMLMap;
  readonly doc: Document;
  readonly scope: VarScope;
  readonly name: string | undefined;
  /** 1-based line where the task starts. */
  readonly line: number;
}

/** Every task of a playbook, a task file or a handler file that calls one of MODULES. */
export function findTasks(file: YamlFile, role: RoleVars): TaskSite[] {
  const sites: TaskSite[] = [];
  walkTasks(file, role, (visited, frame) => {
    const site = moduleSite(visited, frame, file);
    if (site) sites.push(site);
  });
  return sites;
}

/** Calls `visit` for every task (not block) of the file, in order, with its variable scope. */
export function eachTask(file: YamlFile, role: RoleVars, visit: (task: VisitedTask) => void): void {
  walkTasks(file, role, (visited) => visit(visited));
}

type Visit = (task: VisitedTask, frame: Frame) => void;
/** A task as walkTask finds it: `start` is its offset, turned into a line once per walk. */
type Found = (task: Omit<VisitedTask, 'line'> & { readonly start: number }, frame: Frame) => void;

function walkTasks(file: YamlFile, role: RoleVars, visit: Visit): void {
  // One index per walk: counting lines from the top for every task would be quadratic.
  const lines = new LineIndex(file.source.text);
  const counted: Found = ({ start, ...task }, frame) => visit({ ...task, line: lines.position(start).line }, frame);
  for (const doc of file.docs) {
    const top = doc.contents;
    if (!isSeq(top)) continue;
    const looseFacts: VarSource[] = [];
    for (const item of top.items) {
      const entry = deref(item, doc);
      if (!isMap(entry)) continue;
      if (isPlay(entry, doc)) {
        const playVars = varsOf(entry, file, doc);
        const frame: Frame = { vars: [], moduleDefaults: defaultsOf(entry, file, doc), facts: [], playVars };
        for (const key of TASK_LISTS) walkList(getNode(entry, key, doc), frame, file, doc, role, counted);
      } else {
        walkTask(entry, { vars: [], moduleDefaults: [], facts: looseFacts, playVars: [] }, file, doc, role, counted);
      }
    }
  }
}

function isPlay(map: YAMLMap, doc: Document): boolean {
  if (map.items.some((p) => MODULES.has(keyName(p) ?? ''))) return false;
  return PLAY_KEYS.some((k) => findPair(map, k, doc) !== undefined);
}

function varsOf(map: YAMLMap, file: YamlFile, doc: Document): VarSource[] {
  const vars = getMap(map, 'vars', doc);
  return vars ? [{ map: vars, file, doc }] : [];
}

function defaultsOf(map: YAMLMap, file: YamlFile, doc: Document): VarSource[] {
  const defaults = getMap(map, 'module_defaults', doc);
  return defaults ? [{ map: defaults, file, doc }] : [];
}

function walkList(list: Node | undefined, frame: Frame, file: YamlFile, doc: Document, role: RoleVars, visit: Found): void {
  if (!isSeq(list)) return;
  for (const item of list.items) {
    const task = deref(item, doc);
    if (isMap(task)) walkTask(task, frame, file, doc, role, visit);
  }
}

function walkTask(task: YAMLMap, frame: Frame, file: YamlFile, doc: Document, role: RoleVars, visit: Found): void {
  if (BLOCK_LISTS.some((k) => findPair(task, k, doc))) {
    const inner: Frame = {
      ...frame,
      vars: [...varsOf(task, file, doc), ...frame.vars],
      moduleDefaults: [...defaultsOf(task, file, doc), ...frame.moduleDefaults],
    };
    for (const key of BLOCK_LISTS) walkList(getNode(task, key, doc), inner, file, doc, role, visit);
    return;
  }
  for (const pair of task.items) {
    const name = keyName(pair);
    if (name && SET_FACT.has(name)) {
      const facts = deref(pair.value, doc);
      if (isMap(facts)) frame.facts.push({ map: facts, file, doc });
    }
  }
  const taskVars = varsOf(task, file, doc);
  // Ansible's precedence, highest first: set_fact, task vars, block vars, role vars, play vars, role defaults.
  const sources = [...[...frame.facts].reverse(), ...taskVars, ...frame.vars, ...role.vars, ...frame.playVars, ...role.defaults];
  const scope: VarScope = { lookup: (name) => lookupVar(sources, name) };
  const range = task.range ?? [0, 0, 0];
  visit({ task, doc, scope, name: scalarText(getNode(task, 'name', doc)), start: range[0] }, frame);
}

function moduleSite({ task, doc, scope, name, line }: VisitedTask, frame: Frame, file: YamlFile): TaskSite | undefined {
  const call = moduleCall(task, doc);
  if (!call) return undefined;
  const extra = getNode(task, 'args', doc);
  const moduleDefaults = frame.moduleDefaults.flatMap((d) => {
    const own = [...MODULES].filter(([, f]) => f === call.family).map(([m]) => m);
    return [...own, ...DEFAULT_GROUPS].flatMap((key) => {
      const entry = getMap(d.map, key, d.doc);
      return entry ? [{ map: entry, file: d.file, doc: d.doc }] : [];
    });
  });
  return {
    file,
    doc,
    task,
    moduleNode: call.node,
    module: call.module,
    family: call.family,
    args: call.args,
    argsOpaque: call.opaque,
    extraArgs: isMap(extra) ? extra : undefined,
    moduleDefaults,
    scope,
    name,
    line,
  };
}

function lookupVar(sources: readonly VarSource[], name: string): VarDef | undefined {
  for (const source of sources) {
    const pair = findPair(source.map, name, source.doc);
    if (pair) return { node: pair.value as Node | undefined, file: source.file, doc: source.doc };
  }
  return undefined;
}

interface ModuleCall {
  readonly node: Scalar;
  readonly module: string;
  readonly family: Family;
  readonly args: YAMLMap | undefined;
  readonly opaque: boolean;
}

function moduleCall(task: YAMLMap, doc: Document): ModuleCall | undefined {
  for (const pair of task.items) {
    const name = keyName(pair);
    if (!name || !isScalar(pair.key)) continue;
    const family = MODULES.get(name);
    if (family) {
      const value = deref(pair.value, doc);
      const args = isMap(value) ? value : undefined;
      const opaque = value !== undefined && !args && !(isScalar(value) && (value.value === null || value.value === ''));
      return { node: pair.key, module: name, family, args, opaque };
    }
    if (name === 'action' || name === 'local_action') {
      const value = deref(pair.value, doc);
      if (isScalar(value) && typeof value.value === 'string') {
        const [module, ...rest] = value.value.trim().split(/\s+/);
        const actionFamily = MODULES.get(module ?? '');
        if (actionFamily) return { node: value, module: module!, family: actionFamily, args: undefined, opaque: rest.length > 0 };
      } else if (isMap(value)) {
        const moduleNode = getNode(value, 'module', doc);
        const module = scalarText(moduleNode);
        const actionFamily = MODULES.get(module ?? '');
        if (actionFamily && isScalar(moduleNode)) return { node: moduleNode, module: module!, family: actionFamily, args: value, opaque: false };
      }
    }
  }
  return undefined;
}
