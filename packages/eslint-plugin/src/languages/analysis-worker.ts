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

async function answer(request: Request): Promise<void> {
  let reply: Reply;
  try {
    const analyser = (await loaded).find((a) => a.name === request.analyser);
    if (!analyser) throw new Error(`the scanner has no analyser named ${request.analyser}`);
    reply = { analyses: await analyser.analyse(request.sources) };
  } catch (err) {
    reply = { failure: message(err) };
  }
  try {
    port.postMessage(reply);
  } catch (err) {
    port.postMessage({ failure: `its results could not be passed back: ${message(err)}` } satisfies Reply);
  }
  Atomics.store(signal, 0, 1);
  Atomics.notify(signal, 0);
}
