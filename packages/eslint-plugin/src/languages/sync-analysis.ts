/**
 * ESLint parses and runs rules synchronously, but the scanner's analysers are asynchronous (they
 * load tree-sitter grammars and may read files a template names). So the analysis runs on a
 * worker thread of its own while this thread waits on a shared flag (Atomics.wait) and then takes
 * the answer off the port synchronously (receiveMessageOnPort). The analysers stay the one
 * implementation; the plugin holds no copy of the detection logic.
 *
 * The thread is started on the first file that needs an analysis, so a lint run whose files
 * mention nothing IMDS-related never starts it, and it is unref'd so it never keeps ESLint alive.
 */
import { MessageChannel, type MessagePort, receiveMessageOnPort, Worker } from 'node:worker_threads';
import type { FileAnalysis, SourceFile } from '@imds-guard/scanner';
import type { Channel, Reply, Request } from './analysis-worker.js';

/** Long enough for a cold start and a large module; a dead thread must not hang ESLint forever. */
const TIMEOUT_MS = 120_000;

interface Thread {
  readonly worker: Worker;
  readonly signal: Int32Array;
  readonly port: MessagePort;
}

let thread: Thread | undefined;

function start(): Thread {
  const signal = new Int32Array(new SharedArrayBuffer(4));
  const { port1, port2 } = new MessageChannel();
  const channel: Channel = { signal, port: port2 };
  const worker = spawn(channel, [port2]);
  worker.unref();
  port1.unref();
  // A thread that dies is replaced on the next call; the waiting call times out or reads its error.
  worker.on('error', () => undefined);
  worker.on('exit', () => {
    if (thread?.worker === worker) thread = undefined;
  });
  return { worker, signal, port: port1 };
}

/**
 * The compiled worker next to the compiled plugin; from the TypeScript sources (the repository's
 * tests, with tsx), a bootstrap that registers tsx in the thread first, since Node 20 does not
 * pass loader hooks on to worker threads.
 */
function spawn(workerData: Channel, transferList: MessagePort[]): Worker {
  const here = import.meta.url;
  if (!here.endsWith('.ts')) return new Worker(new URL('./analysis-worker.js', here), { workerData, transferList });
  const tsx = import.meta.resolve('tsx/esm/api');
  const entry = new URL('./analysis-worker.ts', here).href;
  const code = `import(${JSON.stringify(tsx)}).then((tsx) => { tsx.register(); return import(${JSON.stringify(entry)}); });`;
  return new Worker(code, { eval: true, workerData, transferList });
}

/**
 * Runs the scanner's analyser `analyser` on `sources` and waits for the result. A thread that
 * stops without an answer (out of memory, say) is replaced and asked once more; one that is still
 * busy after the timeout is not.
 */
export function analyseSync(analyser: string, sources: readonly SourceFile[]): FileAnalysis[] {
  let reply = ask(analyser, sources);
  if (reply === 'stopped') reply = ask(analyser, sources);
  if (reply === 'timed-out') throw new Error(`the ${analyser} analysis gave no answer within ${TIMEOUT_MS / 1000} s`);
  if (reply === 'stopped') throw new Error(`the ${analyser} analysis thread stopped, twice`);
  if ('failure' in reply) throw new Error(`the ${analyser} analysis failed: ${reply.failure}`);
  return reply.analyses;
}

const sleeper = new Int32Array(new SharedArrayBuffer(4));

function ask(analyser: string, sources: readonly SourceFile[]): Reply | 'timed-out' | 'stopped' {
  const t = (thread ??= start());
  // Anything left over (an answer to an error thrown after a reply) belongs to no one now.
  while (receiveMessageOnPort(t.port)) continue;
  Atomics.store(t.signal, 0, 0);
  t.worker.postMessage({ analyser, sources } satisfies Request);
  const waited = Atomics.wait(t.signal, 0, 0, TIMEOUT_MS);
  // The answer is posted before the flag is set, so it is there; a few short waits cover a late one.
  for (let i = 0; waited !== 'timed-out' && i < 50; i++) {
    const received = receiveMessageOnPort(t.port);
    if (received) return received.message as Reply;
    Atomics.wait(sleeper, 0, 0, 2);
  }
  void t.worker.terminate();
  if (thread === t) thread = undefined;
  return waited === 'timed-out' ? 'timed-out' : 'stopped';
}
