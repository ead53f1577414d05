import { isMap, isScalar, isSeq, type Document, type Node } from 'yaml';
import type { EmbeddedShell } from '../embedded/index.js';
import { deref, entries, get } from './yaml.js';
import { YamlShellBuilder } from './yaml-shell.js';

/** `.gitlab-ci.yml`, `deploy.gitlab-ci.yml`, and files under `.gitlab/` or `gitlab-ci/` that it includes. */
const GITLAB_PATH = /(^|[\\/.])gitlab-ci\.ya?ml$|(^|[\\/])\.?gitlab(-ci)?[\\/](.+[\\/])?[^\\/]+\.ya?ml$/i;

/** Top-level keys that are settings, not jobs. */
const GLOBAL_KEYS = new Set(['default', 'include', 'stages', 'variables', 'workflow', 'image', 'services', 'cache', 'before_script', 'after_script', 'spec']);

/** Keys only GitLab jobs have; with a `script`, one of them tells a job from an Ansible task or anything else. */
const JOB_MARKERS = ['stage', 'image', 'rules', 'only', 'except', 'needs', 'artifacts', 'tags', 'extends', 'environment', 'when', 'services'];

/**
 * The scripts of a GitLab CI configuration, as shell pieces: for each job, its `before_script` and
 * `script` (GitLab joins them into one shell script, a list item per line) and its `after_script`
 * (a shell of its own); the `default:` (or top-level) `before_script` and `after_script` once.
 * Undefined when the document is not GitLab CI: recognised by its file name, or by a job with a
 * `script` and another key only GitLab jobs have.
 */
export function gitlabCiPieces(host: string, doc: Document, path: string): EmbeddedShell[] | undefined {
  const root = doc.contents;
  if (!isMap(root)) return undefined;
  const jobs = entries(root, doc).filter(([key, value]) => !GLOBAL_KEYS.has(key) && isMap(value) && get(value, 'script', doc) !== undefined);
  const byName = GITLAB_PATH.test(path);
  const byContent = jobs.some(([, job]) => JOB_MARKERS.some((k) => get(job, k, doc) !== undefined)) || (jobs.length > 0 && get(root, 'stages', doc) !== undefined);
  if (!byName && !byContent) return undefined;

  const pieces: EmbeddedShell[] = [];
  const globals = variables(root, doc);
  const add = (parts: (Node | undefined)[], context: string, job?: Node) => {
    const builder = new YamlShellBuilder(host).environment([...globals, ...(job ? variables(job, doc) : [])]);
    let last: number | undefined;
    for (const part of parts) {
      for (const line of scriptLines(part, doc)) {
        if (last !== undefined) builder.joiner(last, '\n');
        if (builder.scalar(line, { item: true })) last = line.range![1];
      }
    }
    if (!builder.isEmpty) pieces.push(builder.build({ context }));
  };
  const defaults = get(root, 'default', doc);
  for (const key of ['before_script', 'after_script']) {
    add([get(defaults, key, doc) ?? get(root, key, doc)], `in the default ${key} of this GitLab CI configuration`);
  }
  for (const [name, job] of jobs) {
    add([get(job, 'before_script', doc), get(job, 'script', doc)], `in GitLab CI job ${name}`, job);
    add([get(job, 'after_script', doc)], `in the after_script of GitLab CI job ${name}`, job);
  }
  return pieces;
}

/** `variables:` of the configuration or a job: a value, or `{ value, description }`. */
function variables(map: unknown, doc: Document): [string, Node | undefined][] {
  return entries(get(map, 'variables', doc), doc).map(([name, value]) => [name, isMap(value) ? get(value, 'value', doc) : value]);
}

/**
 * The command lines of a `script:`: a string, or a list of strings and nested lists. A
 * `!reference [job, script]` names lines defined elsewhere (analysed there), so it adds none.
 */
function scriptLines(node: unknown, doc: Document): Node[] {
  const n = deref(node, doc);
  if (isScalar(n)) return [n];
  if (!isSeq(n) || n.tag === '!reference') return [];
  return n.items.flatMap((item) => scriptLines(item, doc));
}
