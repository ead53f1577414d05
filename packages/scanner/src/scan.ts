import { availableParallelism } from 'node:os';
import { relative, resolve, sep } from 'node:path';
import type { FileError, Finding } from '@imds-guard/core';
import type { Analyser, SourceFile, SyntaxProblem } from './analyser.js';
import { ANALYSERS } from './analysers.js';
import { discoverFiles, type DiscoveredFile, type DiscoverOptions } from './discover.js';
import { isTokenlessRequest } from './embedded/analyse.js';
import { needleGroupsTest } from './prefilter.js';
import { checkSourceBytes, decodeChecked, readSourceBytes, readSourceFile } from './read.js';
import { AnalysisPool, type AnalysisJob, type JobOutcome, type WorkerSource } from './worker-pool.js';
import { DIRECTIVE, settleFindings, type RuleSettings } from './suppressions.js';

/**
 * Below this many files to analyse a scan runs on the main thread. A worker costs ~0.4 s of CPU to
 * start (importing the analysers, ESLint among them) and ~0.3 s more to warm up the parsers it
 * uses, and a file takes 5-10 ms to analyse, so workers pay for themselves from about this many
 * files, when they also run while the main thread is still reading (see README, Performance).
 */
export const WORKER_THRESHOLD = 50;

/** Files an analyser with a costly start must claim for a scan to warm it up in a worker ahead. */
const WARM_UP_AT = 100;
/** A repository this large has files enough to analyse for the workers to pay for themselves. */
const EARLY_POOL_AT = 10_000;
/** Files still waiting for a worker when the main thread is done reading, for one more worker. */
const GROW_AT = 16;

export interface ScanOptions {
  /** Paths are resolved against it, and findings name files relative to it. */
  readonly cwd: string;
  /** Files larger than this are reported and skipped; defaults to DEFAULT_MAX_FILE_BYTES (10 MB). */
  readonly maxFileBytes?: number;
  /** Directory names skipped in a walk; defaults to DEFAULT_EXCLUDES. */
  readonly exclude?: readonly string[];
  /** `--include`: .gitignore-syntax patterns relative to cwd; files found in a walk must match one. */
  readonly includeGlobs?: readonly string[];
  /** `--exclude`: .gitignore-syntax patterns relative to cwd; files found in a walk that match one are skipped. */
  readonly excludeGlobs?: readonly string[];
  /** Scan `cdk.out` directories too, even when .gitignore lists them. */
  readonly includeCdkOut?: boolean;
  /** Honour .gitignore files in walks (default true). */
  readonly gitignore?: boolean;
  /** How directories are listed; see DiscoverOptions. */
  readonly lister?: DiscoverOptions['lister'];
  /**
   * Threads for analysis, default os.availableParallelism(): that many worker threads at most (one
   * fewer while the main thread is reading). 0 or 1: everything on the main thread.
   */
  readonly threads?: number;
  /** Use the threads only from this many files to analyse; default WORKER_THRESHOLD. */
  readonly workerThreshold?: number;
  /** Called as the scan goes (often: throttle any drawing). */
  readonly onProgress?: (progress: ScanProgress) => void;
  /** Severity overrides and rules turned off, by rule id (the configuration file's `rules`). */
  readonly rules?: RuleSettings;
  /** Only files (absolute paths) this accepts are scanned: `--changed-since`. */
  readonly only?: (path: string) => boolean;
}

export interface ScanProgress {
  /** Files found by discovery (known once it is done). */
  readonly found: number;
  /** Of those, read and prefiltered (or passed over, when no analyser claims them). */
  readonly checked: number;
  /** Files handed to an analyser so far… */
  readonly queued: number;
  /** …and of those, analysed. */
  readonly analysed: number;
  readonly findings: number;
  readonly done: boolean;
}

/** A file that was handed to an analyser, kept so that reporters can quote it and --fix can edit it. */
export interface ScannedFile {
  /** Absolute path. */
  readonly path: string;
  /** Relative to the scan's cwd with forward slashes: the `file` of its findings. */
  readonly file: string;
  /** Without the BOM; finding offsets index into this. */
  readonly text: string;
  readonly bom: boolean;
}

export interface ScanResult {
  /** Sorted by file, line and column. */
  readonly findings: Finding[];
  /** Sorted by file. */
  readonly errors: FileError[];
  /** Only the files that were analysed (those that passed an analyser's prefilter, and their groups), in path order. */
  readonly files: ScannedFile[];
  /** Findings that an `imds-guard-ignore` comment suppressed; not in `findings`. */
  readonly suppressed?: Finding[];
}

/** The registry, which worker threads can import for themselves. */
const REGISTRY: WorkerSource = {
  module: new URL(import.meta.url.endsWith('.ts') ? './analysers.ts' : './analysers.js', import.meta.url).href,
  exportName: 'ANALYSERS',
};

export function scan(paths: readonly string[], options: ScanOptions): Promise<ScanResult> {
  return scanWith(ANALYSERS, paths, options, REGISTRY);
}

interface Member extends DiscoveredFile {
  readonly file: string;
  /** Decoded when some analyser needed it; else read again if the group turns out to matter. */
  text?: string;
  bom?: boolean;
}

interface Group {
  readonly analyser: number;
  /** What groupOf returned: a path every member starts with. */
  readonly path: string;
  readonly members: Member[];
  matters: boolean;
}

/**
 * Discovers, reads and prefilters on the main thread (synchronous reads: the fastest way through
 * many small files in a warm cache), and analyses the files that pass on a pool of worker threads
 * when there are enough of them (`workers` says where a thread finds the same analysers; without
 * it everything runs here). Results are the same, in the same order, either way.
 */
export async function scanWith(
  analysers: readonly Analyser[],
  paths: readonly string[],
  options: ScanOptions,
  workers?: WorkerSource,
): Promise<ScanResult> {
  const cwd = resolve(options.cwd);
  const progress = new Progress(options.onProgress);
  const runner = new JobRunner(analysers, workers, options, progress);
  const discovery = await discoverFiles(paths.length > 0 ? paths : ['.'], {
    cwd,
    exclude: options.exclude,
    includeGlobs: options.includeGlobs,
    excludeGlobs: options.excludeGlobs,
    includeCdkOut: options.includeCdkOut,
    gitignore: options.gitignore,
    lister: options.lister,
    onTrackedListing: (paths) => runner.foresee(options.only ? paths.filter(options.only) : paths),
  });
  const errors: FileError[] = discovery.errors.map((e) => ({ file: displayPath(cwd, e.file), message: e.message }));
  progress.found = discovery.files.length;
  runner.foresee(discovery.files.flatMap((f) => (!options.only || options.only(f.path) ? [f.path] : [])));
  progress.report();
  const scanned = new Map<string, ScannedFile>();
  const groups = new Map<string, Group>();
  const maxBytes = options.maxFileBytes;
  const needles = needleGroupsTest([...analysers.map((a) => a.needles ?? []), [DIRECTIVE]]);
  const directiveBit = 1 << analysers.length;
  const cwdPrefix = cwd.endsWith(sep) ? cwd : cwd + sep;

  /** Hands a group to the analysers once all its members are known (reading what was not read). */
  const submitGroup = (group: Group) => {
    groups.delete(`${group.analyser}\0${group.path}`);
    if (!group.matters) return;
    const sources: SourceFile[] = [];
    for (const member of group.members) {
      if (discovery.belowSymlink(member)) continue;
      if (member.text === undefined) {
        const reread = readSourceFile(member.path, { maxBytes, file: member.file });
        if (!reread.ok) {
          errors.push(reread.error);
          continue;
        }
        member.text = reread.text;
        member.bom = reread.bom;
      }
      if (!scanned.has(member.path)) scanned.set(member.path, { path: member.path, file: member.file, text: member.text, bom: member.bom ?? false });
      sources.push({ path: member.path, file: member.file, text: member.text });
    }
    if (sources.length > 0) runner.submit({ analyser: group.analyser, sources });
  };

  try {
    let lastYield = performance.now();
    for (const candidate of discovery.files) {
      // Files come in path order, so a group none of whose members can follow is complete: its
      // analysis can start while the reading goes on.
      for (const group of groups.values()) if (!isWithin(candidate.path, group.path)) submitGroup(group);
      if (options.only && !options.only(candidate.path)) continue;
      // With a pool, let its messages through now and then: the reads below never wait.
      if (runner.pooled && performance.now() - lastYield > 5) {
        await new Promise((r) => setImmediate(r));
        lastYield = performance.now();
      }
      progress.checked++;
      const claiming: number[] = [];
      analysers.forEach((a, i) => {
        if (a.claims(candidate.path, candidate.explicit)) claiming.push(i);
      });
      if (claiming.length === 0) {
        progress.report();
        continue;
      }
      const file = displayPath(cwd, candidate.path, cwdPrefix);
      const walked = !candidate.explicit;
      const indexed = candidate.indexRoot !== undefined;
      const read = readSourceBytes(candidate.path, { maxBytes, file, noFollow: walked, listedAsFile: walked, reuse: true, missingOk: indexed });
      if (!read.ok) {
        if ('error' in read && !discovery.belowSymlink(candidate)) errors.push(read.error);
        progress.report();
        continue;
      }
      const checked = checkSourceBytes(read.bytes);
      if ('message' in checked) {
        if (!discovery.belowSymlink(candidate)) errors.push({ file, message: checked.message });
        progress.report();
        continue;
      }
      // Decoded at most once, and only when an analyser's needles are in the bytes.
      let text: string | undefined;
      const textOf = () => (text ??= decodeChecked(read.bytes, checked.bom));
      const source = () => {
        if (!scanned.has(candidate.path)) scanned.set(candidate.path, { path: candidate.path, file, text: textOf(), bom: checked.bom });
        return { path: candidate.path, file, text: textOf() };
      };
      // One pass over the bytes for the needles of every claiming analyser, and for a
      // imds-guard-ignore comment: a file with one is analysed even when nothing else matters in
      // it, so that a comment left behind after a fix is reported as unused.
      const wanted = claiming.reduce((m, i) => (analysers[i]!.needles ? m | (1 << i) : m), directiveBit);
      const found = needles(read.bytes, wanted);
      const hasDirective = (found & directiveBit) !== 0;
      // (A group's members are checked when the group turns out to matter.)
      const used = (i: number) => !analysers[i]!.groupOf && (!analysers[i]!.needles || (found & (1 << i)) !== 0);
      if (indexed && (hasDirective || claiming.some(used)) && discovery.belowSymlink(candidate)) {
        progress.report();
        continue;
      }
      for (const index of claiming) {
        const analyser = analysers[index]!;
        const matters = (!analyser.needles || (found & (1 << index)) !== 0) && analyser.mayMatter(textOf());
        if (analyser.groupOf) {
          const key = `${index}\0${analyser.groupOf(candidate.path)}`;
          let group = groups.get(key);
          if (!group) {
            group = { analyser: index, path: analyser.groupOf(candidate.path), members: [], matters: false };
            groups.set(key, group);
          }
          group.members.push({ ...candidate, file, text, bom: checked.bom });
          group.matters ||= matters || hasDirective;
        } else if (matters || hasDirective) {
          runner.submit({ analyser: index, sources: [source()] });
        }
      }
      progress.report();
    }

    for (const group of groups.values()) submitGroup(group);

    const findings: Finding[] = [];
    const analysed = new Set<string>();
    const referenced: string[] = [];
    const throughReference = new Set<Finding>();
    for (const { job, outcome } of await runner.finish()) {
      for (const source of job.sources) analysed.add(source.path);
      if ('failure' in outcome) {
        // One file the analyser chokes on must not cost the user the results for all the others.
        for (const source of job.sources) errors.push({ file: source.file, message: `analysis failed: ${outcome.failure}` });
        continue;
      }
      for (const analysis of outcome.analyses) {
        if (analysis.source && !scanned.has(analysis.source.path)) {
          const { path, text, bom = false } = analysis.source;
          scanned.set(path, { path, file: analysis.file, text, bom });
          referenced.push(path);
        }
        if (analysis.source) analysed.add(analysis.source.path);
        for (const finding of analysis.findings) {
          const stamped = { ...finding, file: analysis.file };
          findings.push(stamped);
          if (analysis.source) throughReference.add(stamped);
        }
        if (analysis.syntaxProblems.length > 0) errors.push({ file: analysis.file, message: syntaxMessage(analysis.syntaxProblems) });
      }
    }
    progress.finish();

    errors.sort((a, b) => compareStrings(a.file, b.file));
    const listed = new Set(discovery.files.map((f) => f.path));
    const files = [
      ...discovery.files.filter((f) => analysed.has(f.path)).map((f) => scanned.get(f.path)!),
      ...referenced.filter((p) => !listed.has(p)).sort(compareStrings).map((p) => scanned.get(p)!),
    ];
    const settled = settleFindings(withoutDuplicates(findings, throughReference), files, options.rules);
    return { findings: settled.findings.sort(compareFindings), errors, files, suppressed: settled.suppressed };
  } finally {
    await runner.close();
  }
}

/** Runs jobs inline, or on a pool once there are enough of them; hands back the outcomes in submission order. */
class JobRunner {
  private readonly jobs: { job: AnalysisJob; outcome?: Promise<JobOutcome> }[] = [];
  private files = 0;
  private pool: AnalysisPool | undefined;
  private warmUps: number[] = [];
  /** The analysers with a costly start (Analyser.warmUp). */
  private readonly slowStart: ReadonlySet<number>;
  private foreseen = false;
  private readonly threads: number;
  private readonly threshold: number;

  constructor(
    private readonly analysers: readonly Analyser[],
    private readonly workers: WorkerSource | undefined,
    options: ScanOptions,
    private readonly progress: Progress,
  ) {
    this.threads = Math.max(0, Math.floor(options.threads ?? availableParallelism()));
    this.threshold = options.workerThreshold ?? WORKER_THRESHOLD;
    this.slowStart = new Set(analysers.flatMap((a, i) => (a.warmUp ? [i] : [])));
  }

  /**
   * Prepares for the files to come, from a listing of (most of) them; the first listing decides.
   * The analysers with a costly start (Analyser.warmUp) that claim many of them are warmed up by a
   * worker first thing, so that the cost is paid while the main thread reads, not at the end: in a
   * repository with that many JavaScript files, some surely import the AWS SDK or the CDK. And in
   * a large repository the workers start now, on a core that would otherwise wait for the listing.
   */
  foresee(paths: readonly string[]): void {
    if (this.foreseen) return;
    this.foreseen = true;
    this.warmUps = [...this.slowStart].filter((index) => {
      let claimed = 0;
      for (const path of paths) if (this.analysers[index]!.claims(path, false) && ++claimed >= WARM_UP_AT) return true;
      return false;
    });
    if (paths.length >= EARLY_POOL_AT) this.startPool();
  }

  get pooled(): boolean {
    return this.pool !== undefined;
  }

  submit(job: AnalysisJob): void {
    this.jobs.push({ job });
    this.files += job.sources.length;
    this.progress.queued += job.sources.length;
    if (!this.pool && this.files >= this.threshold) this.startPool();
    if (this.pool) this.jobs.at(-1)!.outcome = this.track(job, this.pool.run(job));
  }

  /**
   * Starts the workers (if it may), and hands them the jobs so far. One thread fewer than the
   * cores while the main thread reads and prefilters: more would only take turns with it.
   */
  startPool(): void {
    if (this.pool || !this.workers || this.threads <= 1) return;
    const names = this.analysers.map((a) => a.name);
    this.pool = new AnalysisPool({ ...this.workers, names }, this.threads - 1, (j) => this.inline(j));
    for (const analyser of this.warmUps) this.pool.warmUp(analyser);
    for (const entry of this.jobs) entry.outcome = this.track(entry.job, this.pool.run(entry.job));
  }

  async finish(): Promise<{ job: AnalysisJob; outcome: JobOutcome }[]> {
    if (this.pool) {
      // The reading is done, and this thread joins the workers: it is running already, where a
      // new worker would first spend ~0.4 s of CPU importing the analysers.
      if (this.pool.backlog >= GROW_AT) this.pool.grow(this.threads - 1);
      await this.helpThePool(this.pool);
    }
    const done: { job: AnalysisJob; outcome: JobOutcome }[] = [];
    for (const entry of this.jobs) {
      // Without a pool, one after another, as the scan always did.
      done.push({ job: entry.job, outcome: await (entry.outcome ?? this.track(entry.job, this.inline(entry.job))) });
    }
    return done;
  }

  async close(): Promise<void> {
    await this.pool?.close();
  }

  private async helpThePool(pool: AnalysisPool): Promise<void> {
    const warm = new Set<number>();
    for (let pending = pool.take(warm, this.slowStart); pending; pending = pool.take(warm, this.slowStart)) {
      warm.add(pending.job.analyser);
      pending.resolve(await this.inline(pending.job));
      // Let the workers' answers in, so they get their next jobs.
      await new Promise((r) => setImmediate(r));
    }
  }

  private async inline(job: AnalysisJob): Promise<JobOutcome> {
    try {
      return { analyses: await this.analysers[job.analyser]!.analyse(job.sources) };
    } catch (err) {
      return { failure: err instanceof Error ? err.message : String(err) };
    }
  }

  private async track(job: AnalysisJob, outcome: Promise<JobOutcome>): Promise<JobOutcome> {
    const result = await outcome;
    this.progress.analysed += job.sources.length;
    if ('analyses' in result) for (const a of result.analyses) this.progress.findings += a.findings.length;
    this.progress.report();
    return result;
  }
}

class Progress {
  found = 0;
  checked = 0;
  queued = 0;
  analysed = 0;
  findings = 0;

  constructor(private readonly listener: ((progress: ScanProgress) => void) | undefined) {}

  report(done = false): void {
    this.listener?.({ found: this.found, checked: this.checked, queued: this.queued, analysed: this.analysed, findings: this.findings, done });
  }

  finish(): void {
    this.report(true);
  }
}

/** `path` is `prefix` or below it. */
function isWithin(path: string, prefix: string): boolean {
  return path === prefix || (path.startsWith(prefix) && (path[prefix.length] === sep || prefix.endsWith(sep)));
}

/** Relative to cwd with forward slashes, so output is the same on every platform. */
export function displayPath(cwd: string, path: string, cwdPrefix?: string): string {
  // The common case, an absolute path below cwd, without path.resolve's normalising (100,000 times).
  const below = cwdPrefix !== undefined && path.startsWith(cwdPrefix) && !/(^|[\\/])\.\.?([\\/]|$)/.test(path.slice(cwdPrefix.length));
  const rel = below ? path.slice(cwdPrefix.length) : relative(cwd, resolve(cwd, path)) || '.';
  return sep === '/' ? rel : rel.split(sep).join('/');
}

function syntaxMessage(problems: readonly SyntaxProblem[]): string {
  const first = problems.reduce((a, b) => (b.line < a.line || (b.line === a.line && b.column < a.column) ? b : a));
  const more = problems.length > 1 ? ` (and ${problems.length - 1} more)` : '';
  return `syntax error at line ${first.line}:${first.column}${more}; findings elsewhere in the file are still reported`;
}

const SEVERITY_RANK: Record<Finding['severity'], number> = { error: 3, warning: 2, note: 1 };

/**
 * One finding per rule and span: a script reached two ways (scanned as a file, and through the
 * Terraform resource whose user data it is) is reported once. The graver of the two wins (the one
 * that knows the instance requires IMDSv2); between equals, the one found through the reference
 * only when its fix differs, as it does when the file is a template (`$${`). Returns them sorted.
 */
function withoutDuplicates(findings: Finding[], throughReference: ReadonlySet<Finding>): Finding[] {
  const rank = (f: Finding) => [SEVERITY_RANK[f.severity], Number(f.messageId === 'breaksAtBoot')];
  const kept = new Map<string, Finding>();
  for (const f of findings) {
    const kind = isTokenlessRequest(f) ? 'tokenless' : f.messageId;
    const key = `${f.file}\0${f.start}\0${f.end}\0${f.ruleId}\0${kind}`;
    const other = kept.get(key);
    const order = other ? compareRanks(rank(f), rank(other)) : 1;
    // Otherwise the file's own finding stays, as `eslint` reports it, unless the fixes differ.
    const templated = order === 0 && throughReference.has(f) !== throughReference.has(other!) && JSON.stringify(f.fix) !== JSON.stringify(other!.fix);
    if (order > 0 || (templated && throughReference.has(f))) kept.set(key, f);
  }
  return [...kept.values()].sort(compareFindings);
}

function compareRanks(a: readonly number[], b: readonly number[]): number {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return a[i]! - b[i]!;
  return 0;
}

export function compareFindings(a: Finding, b: Finding): number {
  return (
    compareStrings(a.file, b.file) ||
    a.line - b.line ||
    a.column - b.column ||
    a.endLine - b.endLine ||
    a.endColumn - b.endColumn ||
    compareStrings(a.ruleId, b.ruleId)
  );
}

/** Code-unit order, not locale order: the same on every machine. */
function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
