import { Worker } from 'node:worker_threads';
import type { FileAnalysis, SourceFile } from './analyser.js';

/** One call of an analyser's `analyse`: a file, or a group of files analysed together. */
export interface AnalysisJob {
  /** Index into the scan's analysers (and the worker's, which are the same list). */
  readonly analyser: number;
  readonly sources: readonly SourceFile[];
}

/** What `analyse` returned, or the message of what it threw (or of how its thread died). */
export type JobOutcome = { readonly analyses: readonly FileAnalysis[] } | { readonly failure: string };

/**
 * Where a worker finds the analysers: a module URL and the name of its export, the same list in
 * the same order as the scan's (a worker checks the names). Analysers are objects with methods, so
 * they cannot be sent to a thread; each worker imports its own.
 */
export interface WorkerSource {
  readonly module: string;
  readonly exportName: string;
}

export interface WorkerData extends WorkerSource {
  readonly names: readonly string[];
}

/** A job, or an analyser to warm up (see Analyser.warmUp); a worker takes them in order. */
export type WorkerRequest = { readonly id: number; readonly job: AnalysisJob } | { readonly warmUp: number };

export type WorkerReply =
  | { readonly type: 'ready' }
  | { readonly type: 'warmed'; readonly analyser: number; readonly ms: number }
  | {
      readonly type: 'done';
      readonly id: number;
      readonly outcome: JobOutcome;
      /** How long `analyse` took, and whether it was the thread's first job of that analyser. */
      readonly ms: number;
      readonly first: boolean;
    };

/**
 * Jobs sent ahead to each worker, so that it is not idle while the main thread is busy reading
 * files: the main thread hands out jobs only every few milliseconds (see scan's yields), and a
 * script takes a worker well under one, so two ahead left it waiting a tenth of the time.
 */
const DEPTH = 16;
/**
 * Jobs sent ahead once the main thread is done reading and takes jobs too: a job sent to a worker
 * is that worker's, so the rest wait in the queue for whichever thread is free first.
 */
const SHARING_DEPTH = 2;
/** A first job at most this long (warm-up included) is one the main thread may take over (see take). */
const CHEAP_WARMUP_MS = 150;
/** Workers that die while analysing are replaced this many times; after that the rest runs inline. */
const RESPAWNS = 8;
/**
 * An analyser's jobs go to the worker that already ran it. Another worker takes them only when the
 * files waiting would take the first one longer than the second needs to warm up: the first file
 * an analyser parses in a thread costs far more than the next (tree-sitter's WASM, and for ESLint
 * TypeScript's parser: up to 1.5 s and 100 MB), so a second thread paying that for a handful of
 * files makes the scan slower and bigger, not faster. Both costs are measured as the scan goes.
 */
interface Cost {
  /** The slowest first job in a thread: the warm-up plus one file. */
  first: number;
  warmTotal: number;
  warmCount: number;
}

export interface Pending {
  readonly id: number;
  readonly job: AnalysisJob;
  readonly resolve: (outcome: JobOutcome) => void;
}

interface Slot {
  readonly worker: Worker;
  ready: boolean;
  /** Sent and not answered, oldest first: a worker runs its jobs one at a time, in order. */
  readonly inFlight: Pending[];
  /** The analysers it has been given jobs of. */
  readonly warm: Set<number>;
  lastError?: string;
}

/**
 * A pool of worker threads that run analysis jobs. Results come back per job, so the caller keeps
 * the order; a worker that dies (an uncaught exception, process.exit, running out of memory) costs
 * only the job it was running, which fails with a message, and is replaced. A worker that dies
 * before it has loaded the analysers (say, a source tree without tsx) breaks the pool: every job
 * it had, and all later ones, run on the main thread through `inline`.
 */
export class AnalysisPool {
  private readonly slots = new Set<Slot>();
  private readonly queue: Pending[] = [];
  private nextId = 0;
  private respawns = RESPAWNS;
  private readonly costs = new Map<number, Cost>();
  private closing = false;
  private broken = false;
  /** Set once the caller takes jobs too (see take). */
  private caller: { readonly warm: ReadonlySet<number>; readonly slowStart: ReadonlySet<number> } | undefined;

  constructor(
    private readonly data: WorkerData,
    size: number,
    private readonly inline: (job: AnalysisJob) => Promise<JobOutcome>,
  ) {
    for (let i = 0; i < size; i++) this.spawn();
  }

  run(job: AnalysisJob): Promise<JobOutcome> {
    return new Promise((resolve) => {
      this.queue.push({ id: this.nextId++, job, resolve });
      this.pump();
    });
  }

  /** Jobs waiting for a worker. */
  get backlog(): number {
    return this.queue.length;
  }

  /**
   * More workers, up to `size` in all (unless the pool is broken), if a new one would get work:
   * jobs of an analyser no worker has run, or enough of one to be worth its warm-up.
   */
  grow(size: number): void {
    const analysers = new Set(this.queue.map((p) => p.job.analyser));
    if (![...analysers].some((a) => this.worthAnotherThread(a))) return;
    while (!this.broken && !this.closing && this.slots.size < size) this.spawn();
    this.pump();
  }

  /** Has the least busy worker warm `analyser` up ahead of its jobs, which then go to that worker. */
  warmUp(analyser: number): void {
    const slot = [...this.slots].sort((a, b) => a.inFlight.length - b.inFlight.length)[0];
    if (!slot || slot.warm.has(analyser)) return;
    slot.warm.add(analyser);
    slot.worker.postMessage({ warmUp: analyser } satisfies WorkerRequest);
  }

  /**
   * Hands a queued job to the caller (the main thread, done reading) instead of a worker: the last
   * one of an analyser the caller has run (`warm`), or whose warm-up is cheap: measured so in a
   * worker, or not measured yet and not a `slowStart` one. So the workers keep the jobs they are
   * warm for and the caller does not load ESLint for one file. Its `resolve` must be called with
   * the outcome. From the first call on, workers are sent fewer jobs ahead (SHARING_DEPTH), and
   * the jobs the caller would not take first.
   */
  take(warm: ReadonlySet<number>, slowStart: ReadonlySet<number>): Pending | undefined {
    this.caller = { warm, slowStart };
    for (let i = this.queue.length - 1; i >= 0; i--) {
      if (this.callerTakes(this.queue[i]!.job.analyser)) return this.queue.splice(i, 1)[0];
    }
    return undefined;
  }

  private callerTakes(analyser: number): boolean {
    if (!this.caller) return false;
    const first = this.costs.get(analyser)?.first;
    const cheap = first === undefined ? !this.caller.slowStart.has(analyser) : first <= CHEAP_WARMUP_MS;
    return cheap || this.caller.warm.has(analyser);
  }

  async close(): Promise<void> {
    this.closing = true;
    await Promise.all([...this.slots].map((slot) => slot.worker.terminate()));
    this.slots.clear();
  }

  private spawn(): void {
    let worker: Worker;
    try {
      worker = startWorker(this.data);
    } catch {
      this.broken = true;
      return;
    }
    const slot: Slot = { worker, ready: false, inFlight: [], warm: new Set() };
    this.slots.add(slot);
    worker.on('message', (reply: WorkerReply) => {
      if (reply.type === 'ready') {
        slot.ready = true;
        return;
      }
      if (reply.type === 'warmed') {
        this.costOf(reply.analyser).first = Math.max(this.costOf(reply.analyser).first, reply.ms);
        return;
      }
      const index = slot.inFlight.findIndex((p) => p.id === reply.id);
      if (index < 0) return;
      const [pending] = slot.inFlight.splice(index, 1);
      const cost = this.costOf(pending!.job.analyser);
      if (reply.first) cost.first = Math.max(cost.first, reply.ms);
      else {
        cost.warmTotal += reply.ms;
        cost.warmCount++;
      }
      pending!.resolve(reply.outcome);
      this.pump();
    });
    worker.on('error', (err) => {
      slot.lastError = err instanceof Error ? err.message : String(err);
    });
    worker.on('exit', (code) => {
      this.slots.delete(slot);
      if (this.closing) return;
      const lost = slot.inFlight.splice(0);
      if (!slot.ready) {
        // It never ran a job: nothing to blame, but the analysers cannot be loaded in a thread.
        this.broken = true;
      } else {
        const culprit = lost.shift();
        culprit?.resolve({ failure: `worker thread crashed: ${slot.lastError ?? `it exited with code ${code}`}` });
        if (this.respawns-- > 0) this.spawn();
      }
      this.queue.unshift(...lost);
      this.pump();
    });
  }

  private pump(): void {
    if (this.broken || this.slots.size === 0) {
      this.broken = true;
      for (const slot of this.slots) this.queue.unshift(...slot.inFlight.splice(0));
      for (const pending of this.queue.splice(0)) void this.inline(pending.job).then(pending.resolve);
      return;
    }
    for (;;) {
      const depth = this.caller ? SHARING_DEPTH : DEPTH;
      const free = [...this.slots].filter((slot) => slot.inFlight.length < depth).sort((a, b) => a.inFlight.length - b.inFlight.length);
      if (free.length === 0 || this.queue.length === 0) return;
      let sent = false;
      for (const slot of free) {
        const mine = this.queue.findIndex((p) => this.fits(slot, p.job.analyser) && !this.callerTakes(p.job.analyser));
        const index = mine >= 0 ? mine : this.queue.findIndex((p) => this.fits(slot, p.job.analyser));
        if (index < 0) continue;
        const [pending] = this.queue.splice(index, 1);
        slot.inFlight.push(pending!);
        slot.warm.add(pending!.job.analyser);
        slot.worker.postMessage({ id: pending!.id, job: pending!.job } satisfies WorkerRequest);
        sent = true;
        break;
      }
      if (!sent) return;
    }
  }

  private costOf(analyser: number): Cost {
    let cost = this.costs.get(analyser);
    if (!cost) this.costs.set(analyser, (cost = { first: 0, warmTotal: 0, warmCount: 0 }));
    return cost;
  }

  /** Whether `slot` should take a job of `analyser` now (see Cost). */
  private fits(slot: Slot, analyser: number): boolean {
    return slot.warm.has(analyser) || this.worthAnotherThread(analyser);
  }

  private worthAnotherThread(analyser: number): boolean {
    if (![...this.slots].some((s) => s.warm.has(analyser))) return true;
    const cost = this.costs.get(analyser);
    // Until a warm job has been timed, nothing says a second thread would pay for itself.
    if (!cost || cost.warmCount === 0) return false;
    const perFile = cost.warmTotal / cost.warmCount;
    let waiting = 0;
    for (const p of this.queue) if (p.job.analyser === analyser) waiting += p.job.sources.length;
    return waiting * perFile > cost.first;
  }
}

/**
 * From the built package, the compiled worker. From the TypeScript sources (tests, run through
 * tsx): Node 20 does not pass tsx's loader hooks to worker threads, so a small bootstrap registers
 * tsx in the thread first; tsx is a dev dependency of the repository, found from this file.
 */
function startWorker(workerData: WorkerData): Worker {
  const here = import.meta.url;
  if (!here.endsWith('.ts')) return new Worker(new URL('./analysis-worker.js', here), { workerData });
  const tsx = import.meta.resolve('tsx/esm/api');
  const entry = new URL('./analysis-worker.ts', here).href;
  const code = `import(${JSON.stringify(tsx)}).then((tsx) => { tsx.register(); return import(${JSON.stringify(entry)}); });`;
  return new Worker(code, { eval: true, workerData });
}
