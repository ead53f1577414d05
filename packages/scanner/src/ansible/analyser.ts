import { reportLaunches } from '@imds-guard/core';
import { isMap } from 'yaml';
import type { Analyser, FileAnalysis, SourceFile } from '../analyser.js';
import { toFileAnalyses } from '../iac/to-findings.js';
import { adaptTasks } from './adapter.js';
import { findTasks, type RoleVars, type VarSource } from './walk.js';
import { countYamlErrors, parseYamlFile, type YamlFile } from './yaml.js';

/**
 * Module names the analyser can report on. A YAML file that mentions none of them holds no task
 * we look at (the short names are substrings of the qualified ones).
 */
export const ANSIBLE_NEEDLES: readonly string[] = ['ec2_instance', 'ec2_launch_template', 'autoscaling_launch_config', 'ec2_lc'];

/** `…/roles/<name>/<part>/…`: the role root and the part. */
const ROLE_PATH = /^(.*[\\/]roles[\\/][^\\/]+)[\\/](tasks|handlers|defaults|vars)[\\/]/;

/**
 * Ansible playbooks, task files, handlers and roles. A role's task files are analysed together
 * with its `defaults/` and `vars/`, so that `{{ var }}` resolves; any other file stands alone.
 */
export function ansibleAnalyser(): Analyser {
  return {
    name: 'ansible',
    claims: (path) => /\.ya?ml$/i.test(path),
    mayMatter: (text) => ANSIBLE_NEEDLES.some((needle) => text.includes(needle)),
    needles: ANSIBLE_NEEDLES,
    groupOf: (path) => ROLE_PATH.exec(path)?.[1] ?? path,
    async analyse(files) {
      return analyseAnsible(files);
    },
    countSyntaxErrors: async (text) => countYamlErrors(text),
  };
}

export function analyseAnsible(files: readonly SourceFile[]): FileAnalysis[] {
  const parsed = files.map(parseYamlFile);
  const role = roleVars(parsed);
  const sites = parsed.flatMap((file) => {
    const part = ROLE_PATH.exec(file.source.path)?.[2];
    const own = part === 'tasks' || part === 'handlers' ? role : { vars: [], defaults: [] };
    return part === 'defaults' || part === 'vars' ? [] : findTasks(file, own);
  });
  const { configs, consumers, modules } = adaptTasks(sites);
  // Each task names its own module in the message ("… and the amazon.aws.ec2_instance module then sends optional").
  const findings = reportLaunches(configs, {}, 'Ansible', consumers).map((f) =>
    f.messageId === 'tokensMissingToolDefault' ? { ...f, data: { ...f.data, tool: `the ${modules.get(f.data.resource ?? '') ?? 'Ansible'} module` } } : f,
  );
  return toFileAnalyses(files, findings, new Map(parsed.map((p) => [p.source.file, p.syntaxProblems])));
}

function roleVars(files: readonly YamlFile[]): RoleVars {
  const vars: VarSource[] = [];
  const defaults: VarSource[] = [];
  for (const file of files) {
    const part = ROLE_PATH.exec(file.source.path)?.[2];
    if (part !== 'vars' && part !== 'defaults') continue;
    for (const doc of file.docs) {
      if (isMap(doc.contents)) (part === 'vars' ? vars : defaults).push({ map: doc.contents, file, doc });
    }
  }
  return { vars, defaults };
}
