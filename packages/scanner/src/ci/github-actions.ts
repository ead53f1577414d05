import { isMap, isScalar, isSeq, type Document, type Node } from 'yaml';
import type { EmbeddedShell } from '../embedded/index.js';
import { get, getMap, scalarText, entries } from './yaml.js';
import { YamlShellBuilder, type OpaqueSplitter } from './yaml-shell.js';

/** Workflow folders of GitHub and of the forges that run the same format (Gitea, Forgejo). */
const WORKFLOW_DIR = /(^|[\\/])\.(github|gitea|forgejo)[\\/]workflows[\\/][^\\/]+\.ya?ml$/i;

/**
 * The `run:` steps of a GitHub Actions workflow or composite action, as shell pieces. Undefined when
 * the document is neither: a workflow has a `jobs` map whose jobs have `steps` or `runs-on`; a
 * composite action has `runs: { using: composite, steps }`.
 */
export function githubActionsPieces(host: string, doc: Document, path: string): EmbeddedShell[] | undefined {
  const root = doc.contents;
  const runs = getMap(root, 'runs', doc);
  if (runs && scalarText(get(runs, 'using', doc))?.toLowerCase() === 'composite') {
    return stepPieces(host, doc, get(runs, 'steps', doc), { shell: undefined, windows: false, env: [] }, () => 'of this composite action');
  }
  const jobs = getMap(root, 'jobs', doc);
  if (!jobs) return undefined;
  const list = entries(jobs, doc).filter(([, job]) => isMap(job));
  const looksLikeJobs = list.some(([, job]) => isSeq(get(job, 'steps', doc)) || get(job, 'runs-on', doc) !== undefined);
  if (!looksLikeJobs && !WORKFLOW_DIR.test(path)) return undefined;
  const workflowShell = defaultShell(root, doc);
  const workflowEnv = entries(get(root, 'env', doc), doc);
  return list.flatMap(([id, job]) => {
    const defaults = {
      shell: defaultShell(job, doc) ?? workflowShell,
      windows: runsOnWindows(get(job, 'runs-on', doc)),
      env: [...workflowEnv, ...entries(get(job, 'env', doc), doc)],
    };
    return stepPieces(host, doc, get(job, 'steps', doc), defaults, () => `of job ${id}`);
  });
}

interface Defaults {
  readonly shell: string | undefined;
  /** The job runs on a Windows runner, where the default shell is pwsh. */
  readonly windows: boolean;
  /** `env:` of the workflow and the job, in that order (a step's own comes last). */
  readonly env: readonly [string, Node | undefined][];
}

function stepPieces(host: string, doc: Document, steps: Node | undefined, defaults: Defaults, owner: () => string): EmbeddedShell[] {
  if (!isSeq(steps)) return [];
  const pieces: EmbeddedShell[] = [];
  steps.items.forEach((step, index) => {
    const run = get(step, 'run', doc);
    if (!run) return;
    const language = languageOf(scalarText(get(step, 'shell', doc)) ?? defaults.shell ?? (defaults.windows ? 'pwsh' : 'bash'));
    if (!language) return;
    // PowerShell reads the environment as $env:NAME, not $NAME: no assignments for it.
    const env = language === 'sh' ? [...defaults.env, ...entries(get(step, 'env', doc), doc)] : [];
    const builder = new YamlShellBuilder(host, splitExpressions).environment(env);
    if (!builder.scalar(run)) return;
    const name = scalarText(get(step, 'name', doc)) ?? scalarText(get(step, 'id', doc));
    const label = name ? `the run step '${name}'` : `run step ${index + 1}`;
    pieces.push(builder.build({ context: `in ${label} ${owner()}`, language }));
  });
  return pieces;
}

function defaultShell(map: unknown, doc: Document): string | undefined {
  return scalarText(get(getMap(getMap(map, 'defaults', doc), 'run', doc), 'shell', doc));
}

function runsOnWindows(runsOn: Node | undefined): boolean {
  const labels = isSeq(runsOn) ? runsOn.items : isMap(runsOn) ? runsOn.items.map((p) => p.value) : [runsOn];
  return labels.some((label) => {
    if (isSeq(label)) return label.items.some((l) => isScalar(l) && /windows/i.test(String(l.value)));
    return isScalar(label) && /windows/i.test(String(label.value));
  });
}

/**
 * The language of a `shell:` value: a name (`bash`, `pwsh`), or a command template such as
 * `bash --noprofile --norc -eo pipefail {0}`. Undefined for shells we do not analyse (cmd, python).
 */
export function languageOf(shell: string): EmbeddedShell['language'] | undefined {
  const program = (shell.trim().split(/\s+/)[0] ?? '').split(/[\\/]/).pop()!.toLowerCase().replace(/\.exe$/, '');
  if (['bash', 'sh', 'dash', 'zsh', 'ksh', 'ash'].includes(program)) return 'sh';
  if (program === 'pwsh' || program === 'powershell') return 'powershell';
  return undefined;
}

/**
 * `${{ … }}` is replaced by the runner before the shell starts: its value is unknown here, so the
 * shell sees one opaque word, and a fix never edits inside it.
 */
export const splitExpressions: OpaqueSplitter = (text) => {
  const out: { text: string; opaque?: string }[] = [];
  let at = 0;
  let n = 0;
  for (;;) {
    const open = text.indexOf('${{', at);
    const close = open < 0 ? -1 : text.indexOf('}}', open + 3);
    if (close < 0) break;
    if (open > at) out.push({ text: text.slice(at, open) });
    out.push({ text: text.slice(open, close + 2), opaque: `__GHA_EXPR_${++n}__` });
    at = close + 2;
  }
  if (at < text.length) out.push({ text: text.slice(at) });
  return out;
};
