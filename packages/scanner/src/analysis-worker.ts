// A worker thread of the analysis pool: imports the analysers, then runs jobs one at a time, in the
// order they come, and answers each (the pool blames a crash on the oldest unanswered job).
import { parentPort, workerData } from 'node:worker_threads';
import type { Analyser } from './analyser.js';
import type { JobOutcome, WorkerData, WorkerReply, WorkerRequest } from './worker-pool.js';

const data = workerData as WorkerData;
const port = parentPort!;
const analysers = ((await import(data.module)) as Record<string, readonly Analyser[] | undefined>)[data.exportName];
const names = analysers?.map((a) => a.name) ?? [];
if (names.join('\0') !== data.names.join('\0')) {
  throw new Error(`${data.module} exports analysers [${names.join(', ')}], not the scan's [${data.names.join(', ')}]`);
}

const queue: WorkerRequest[] = [];
const used = new Set<number>();
let busy = false;

port.on('message', (message: WorkerRequest) => {
  queue.push(message);
  if (!busy) void drain();
});
port.postMessage({ type: 'ready' } satisfies WorkerReply);

async function drain(): Promise<void> {
  busy = true;
  while (queue.length > 0) {
    const request = queue.shift()!;
    if ('warmUp' in request) {
      await warmUp(request.warmUp);
      continue;
    }
    const { id, job } = request;
    const first = !used.has(job.analyser);
    used.add(job.analyser);
    const started = performance.now();
    let outcome: JobOutcome;
    try {
      outcome = { analyses: await analysers![job.analyser]!.analyse(job.sources) };
    } catch (err) {
      outcome = { failure: err instanceof Error ? err.message : String(err) };
    }
    const ms = performance.now() - started;
    try {
      port.postMessage({ type: 'done', id, outcome, ms, first } satisfies WorkerReply);
    } catch (err) {
      // Something in the results that cannot be copied to another thread.
      const failure = `its results could not be passed back: ${err instanceof Error ? err.message : String(err)}`;
      port.postMessage({ type: 'done', id, outcome: { failure }, ms, first } satisfies WorkerReply);
    }
  }
  busy = false;
}

async function warmUp(analyser: number): Promise<void> {
  used.add(analyser);
  const started = performance.now();
  try {
    await analysers![analyser]!.warmUp?.();
  } catch {
    // The first file will fail the same way, and report it.
  }
  port.postMessage({ type: 'warmed', analyser, ms: performance.now() - started } satisfies WorkerReply);
}
