import { reportLaunches } from '@imds-guard/core';
import { isMap } from 'yaml';
import type { Analyser, FileAnalysis, SourceFile } from '../analyser.js';
import { toFileAnalyses } from '../iac/to-findings.js';
import { mayMentionImds, PREFILTER_NEEDLES } from '../prefilter.js';
import { adaptTasks } from './adapter.js';
import { analyseEmbeddedShell } from '../embedded/index.js';
import { commandPieces } from './command-tasks.js';
import { commandTaskFindings } from './shell-findings.js';
import { httpTaskFindings } from './uri-tasks.js';
import { instanceUserData } from './user-data.js';
import { eachTask, findTasks, type RoleVars, type VarSource, type VisitedTask } from './walk.js';
import { countYamlErrors, parseYamlFile, type YamlFile } from './yaml.js';

/**
 * Module names the analyser can report on. A YAML file that mentions none of them holds no task
 * we look at (the short names are substrings of the qualified ones).
 */
export const ANSIBLE_NEEDLES: readonly string[] = ['ec2_instance', 'ec2_launch_template', 'autoscaling_launch_config', 'ec2_lc'];

/** A file that mentions none of these has no `shell`, `command` or `uri` task that reaches IMDS. */
const REQUEST_NEEDLES = PREFILTER_NEEDLES;

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
    mayMatter: (text) => ANSIBLE_NEEDLES.some((needle) => text.includes(needle)) || mayMentionImds(text),
    needles: [...ANSIBLE_NEEDLES, ...REQUEST_NEEDLES],
    groupOf: (path) => ROLE_PATH.exec(path)?.[1] ?? path,
    async analyse(files) {
      return analyseAnsibleWithTasks(files);
    },
    countSyntaxErrors: async (text) => countYamlErrors(text),
  };
}

/** Launch settings, and the requests made by command, shell and uri tasks. */
export async function analyseAnsibleWithTasks(files: readonly SourceFile[]): Promise<FileAnalysis[]> {
  const parsed = files.map(parseYamlFile);
  const role = roleVars(parsed);
  const analyses = launchAnalyses(files, parsed, role);
  // The address may sit in the role's defaults, not in the task file that uses it.
  if (!files.some((f) => mayMentionImds(f.text))) return analyses;
  for (const file of parsed) {
    const part = ROLE_PATH.exec(file.source.path)?.[2];
    if (part === 'defaults' || part === 'vars') continue;
    const own = part === 'tasks' || part === 'handlers' ? role : { vars: [], defaults: [] };
    const tasks: VisitedTask[] = [];
    eachTask(file, own, (t) => tasks.push(t));
    const found = [
      ...(await commandTaskFindings(file, tasks.flatMap((t) => commandPieces(file, t)))),
      ...httpTaskFindings(file, tasks),
      ...(await analyseEmbeddedShell(file.source.text, file.source.file, instanceUserData(findTasks(file, own)))),
    ];
    if (found.length === 0) continue;
    const index = analyses.findIndex((a) => a.file === file.source.file);
    const analysis = analyses[index]!;
    analyses[index] = { ...analysis, findings: [...analysis.findings, ...found].sort((a, b) => a.start - b.start || a.ruleId.localeCompare(b.ruleId)) };
  }
  return analyses;
}

export function analyseAnsible(files: readonly SourceFile[]): FileAnalysis[] {
  const parsed = files.map(parseYamlFile);
  return launchAnalyses(files, parsed, roleVars(parsed));
}

function launchAnalyses(files: readonly SourceFile[], parsed: readonly YamlFile[], role: RoleVars): FileAnalysis[] {
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
