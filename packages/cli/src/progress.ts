import type { ScanProgress } from '@imds-guard/scanner';

/** The part of stderr the progress bar uses; a test passes a fake with `isTTY: true`. */
export interface ProgressStream {
  write(chunk: string): unknown;
  readonly isTTY?: boolean;
  /** Terminal width; 80 when unknown. */
  readonly columns?: number;
}

export interface ProgressOptions {
  /** Milliseconds; injectable for tests. */
  readonly now?: () => number;
  /** Least time between two redraws, in ms. */
  readonly interval?: number;
}

const BAR_WIDTH = 20;
const CLEAR_LINE = '\r\x1b[K';

/**
 * A one-line progress display on stderr, for people at a terminal: files found and checked, files
 * analysed, findings. Redrawn at most every `interval` ms, because the scan reports every file.
 * When stderr is not a terminal (CI logs, a pipe), or with --quiet, there is none: `progressBar`
 * returns undefined and nothing is written.
 */
export class ProgressBar {
  private readonly now: () => number;
  private readonly interval: number;
  private readonly started: number;
  private lastDraw = -Infinity;
  private drawn = false;
  private last: ScanProgress | undefined;

  constructor(
    private readonly stream: ProgressStream,
    options: ProgressOptions = {},
  ) {
    this.now = options.now ?? (() => performance.now());
    this.interval = options.interval ?? 100;
    this.started = this.now();
    this.draw('imds-guard: looking for files…');
  }

  /** The scan's onProgress. */
  readonly update = (progress: ScanProgress): void => {
    this.last = progress;
    const now = this.now();
    if (now - this.lastDraw < this.interval) return;
    this.lastDraw = now;
    this.draw(render(progress));
  };

  /** Removes the bar, so that the report starts on a clean line. */
  clear(): void {
    if (this.drawn) this.stream.write(CLEAR_LINE);
    this.drawn = false;
  }

  /** The closing line, after the report: what was scanned, how long it took. */
  summary(): void {
    this.clear();
    const p = this.last;
    const seconds = ((this.now() - this.started) / 1000).toFixed(1);
    const what = p ? `${count(p.found, 'file')} scanned, ${count(p.analysed, 'file')} analysed, ${count(p.findings, 'finding')}` : 'done';
    this.stream.write(`imds-guard: ${what} in ${seconds} s\n`);
  }

  private draw(line: string): void {
    const width = Math.max(20, (this.stream.columns ?? 80) - 1);
    this.stream.write(CLEAR_LINE + (line.length > width ? line.slice(0, width) : line));
    this.drawn = true;
  }
}

export function progressBar(stream: ProgressStream, quiet: boolean, options?: ProgressOptions): ProgressBar | undefined {
  return !quiet && stream.isTTY === true ? new ProgressBar(stream, options) : undefined;
}

/** `[########------------]  48% 48,213/100,000 files · 212 analysed · 17 findings` */
export function render(p: ScanProgress): string {
  // Reading and prefiltering first; then, if analysis is still running, its share of the queue.
  const reading = p.checked < p.found;
  const [part, whole] = reading || p.queued === 0 ? [p.checked, p.found] : [p.analysed, p.queued];
  const fraction = whole === 0 ? 1 : Math.min(1, part / whole);
  const filled = Math.round(fraction * BAR_WIDTH);
  const bar = `[${'#'.repeat(filled)}${'-'.repeat(BAR_WIDTH - filled)}]`;
  const percent = `${Math.floor(fraction * 100)}%`.padStart(4);
  const files = `${p.checked.toLocaleString('en-US')}/${count(p.found, 'file')}`;
  return `${bar} ${percent} ${files} · ${p.analysed.toLocaleString('en-US')} analysed · ${count(p.findings, 'finding')}`;
}

function count(n: number, word: string): string {
  return `${n.toLocaleString('en-US')} ${word}${n === 1 ? '' : 's'}`;
}
