// The thread behind sync-analysis.ts: runs the scanner's analysers, which are asynchronous, and
// wakes the waiting thread once each answer is on the port.
import { type MessagePort, parentPort, workerData } from 'node:worker_threads';
import type { Analyser, FileAnalysis, SourceFile } from '@imds-guard/scanner';

export interface Request {
  readonly analyser: string;
  readonly sources: readonly SourceFile[];
}

export type Reply = { readonly analyses: FileAnalysis[] } | { readonly failure: string };

export interface Channel {
  readonly signal: Int32Array;
  readonly port: MessagePort;
}

const { signal, port } = workerData as Channel;
const message = (err: unknown) => (err instanceof Error ? err.message : String(err));

// Loaded once; a failure to load is answered to every request rather than leaving the caller waiting.
const loaded: Promise<readonly Analyser[]> = import('@imds-guard/scanner').then((m) => m.ANALYSERS);
loaded.catch(() => undefined);

parentPort!.on('message', (request: Request) => {
  void answer(request);
});

// An error thrown outside the awaited analysis (a stray timer) would end the thread with the
// caller still waiting: answer the waiting call with it instead.
process.on('uncaughtException', (err) => reply({ failure: message(err) }));

async function answer(request: Request): Promise<void> {
  let outcome: Reply;
  try {
    const analyser = (await loaded).find((a) => a.name === request.analyser);
    if (!analyser) throw new Error(`the scanner has no analyser named ${request.analyser}`);
    outcome = { analyses: await analyser.analyse(request.sources) };
  } catch (err) {
    outcome = { failure: message(err) };
  }
  reply(outcome);
}

function reply(outcome: Reply): void {
  try {
    port.postMessage(outcome);
  } catch (err) {
    port.postMessage({ failure: `its results could not be passed back: ${message(err)}` } satisfies Reply);
  }
  Atomics.store(signal, 0, 1);
  Atomics.notify(signal, 0);
}
