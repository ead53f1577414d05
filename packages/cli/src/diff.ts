/**
 * Unified diffs for --fix-dry-run, in the format `git apply` and `patch -p1` read. Lines are
 * compared with Myers' algorithm after the common head and tail are cut off; it costs
 * O((N + M) · D) time and O(D²) memory for D changed lines, so a large script with a few fixes is
 * cheap.
 */

const CONTEXT = 3;

/** `''` when the texts are equal. Lines keep their `\r`, so CRLF files diff as they are. */
export function unifiedDiff(before: string, after: string, oldName: string, newName: string): string {
  if (before === after) return '';
  const a = splitLines(before);
  const b = splitLines(after);
  const ops = diffLines(a.lines, b.lines);
  const hunks = toHunks(ops);
  const out = [`--- ${oldName}`, `+++ ${newName}`];
  for (const h of hunks) {
    out.push(`@@ -${range(h.oldStart, h.oldCount)} +${range(h.newStart, h.newCount)} @@`);
    for (const op of h.ops) {
      out.push(op.kind + op.line.text);
      if (op.line.last && !op.line.newline) out.push('\\ No newline at end of file');
    }
  }
  return `${out.join('\n')}\n`;
}

interface Line {
  readonly text: string;
  /** Ends with a line break (only the last line of a text may not). */
  readonly newline: boolean;
  readonly last: boolean;
}

function splitLines(text: string): { lines: Line[] } {
  if (text === '') return { lines: [] };
  const parts = text.split('\n');
  const endsWithNewline = parts.at(-1) === '';
  if (endsWithNewline) parts.pop();
  return {
    lines: parts.map((t, i) => ({ text: t, newline: i < parts.length - 1 || endsWithNewline, last: i === parts.length - 1 })),
  };
}

type LineOp = { readonly kind: ' ' | '-' | '+'; readonly line: Line };

function same(x: Line, y: Line): boolean {
  return x.text === y.text && x.newline === y.newline;
}

function diffLines(a: readonly Line[], b: readonly Line[]): LineOp[] {
  let head = 0;
  while (head < a.length && head < b.length && same(a[head]!, b[head]!)) head++;
  let tail = 0;
  while (tail < a.length - head && tail < b.length - head && same(a[a.length - 1 - tail]!, b[b.length - 1 - tail]!)) tail++;
  const middle = deletionsFirst(myers(a.slice(head, a.length - tail), b.slice(head, b.length - tail)));
  return [
    ...a.slice(0, head).map((line): LineOp => ({ kind: ' ', line })),
    ...middle,
    ...a.slice(a.length - tail).map((line): LineOp => ({ kind: ' ', line })),
  ];
}

/** In each run of changed lines, the removed ones before the added ones, as diff(1) prints them. */
function deletionsFirst(ops: LineOp[]): LineOp[] {
  const out: LineOp[] = [];
  let removed: LineOp[] = [];
  let added: LineOp[] = [];
  const flush = () => {
    out.push(...removed, ...added);
    removed = [];
    added = [];
  };
  for (const op of ops) {
    if (op.kind === '-') removed.push(op);
    else if (op.kind === '+') added.push(op);
    else {
      flush();
      out.push(op);
    }
  }
  flush();
  return out;
}

/** The classic greedy forward algorithm, keeping only the live diagonals of each round. */
function myers(a: readonly Line[], b: readonly Line[]): LineOp[] {
  const n = a.length;
  const m = b.length;
  if (n === 0) return b.map((line) => ({ kind: '+', line }));
  if (m === 0) return a.map((line) => ({ kind: '-', line }));
  const max = n + m;
  const offset = max;
  let v = new Int32Array(2 * max + 2);
  const trace: Int32Array[] = [];
  let found = -1;
  for (let d = 0; d <= max && found < 0; d++) {
    trace.push(v.slice(offset - d - 1, offset + d + 2));
    const next = v;
    for (let k = -d; k <= d; k += 2) {
      let x = k === -d || (k !== d && v[offset + k - 1]! < v[offset + k + 1]!) ? v[offset + k + 1]! : v[offset + k - 1]! + 1;
      let y = x - k;
      while (x < n && y < m && same(a[x]!, b[y]!)) {
        x++;
        y++;
      }
      next[offset + k] = x;
      if (x >= n && y >= m) {
        found = d;
        break;
      }
    }
    v = next;
  }
  // Walk back through the saved rounds.
  const ops: LineOp[] = [];
  let x = n;
  let y = m;
  for (let d = found; d > 0; d--) {
    const saved = trace[d]!; // v as it was before round d, for diagonals -d-1 … d+1
    const at = (k: number) => saved[k + d + 1]!;
    const k = x - y;
    const down = k === -d || (k !== d && at(k - 1) < at(k + 1));
    const prevK = down ? k + 1 : k - 1;
    const prevX = at(prevK);
    const prevY = prevX - prevK;
    while (x > prevX && y > prevY) ops.push({ kind: ' ', line: a[--x]! }), y--;
    if (down) ops.push({ kind: '+', line: b[--y]! });
    else ops.push({ kind: '-', line: a[--x]! });
  }
  while (x > 0 && y > 0) ops.push({ kind: ' ', line: a[--x]! }), y--;
  return ops.reverse();
}

interface Hunk {
  oldStart: number;
  oldCount: number;
  newStart: number;
  newCount: number;
  ops: LineOp[];
}

function toHunks(ops: readonly LineOp[]): Hunk[] {
  const changed = ops.map((op, i) => (op.kind === ' ' ? -1 : i)).filter((i) => i >= 0);
  const hunks: Hunk[] = [];
  let i = 0;
  while (i < changed.length) {
    let from = Math.max(0, changed[i]! - CONTEXT);
    let to = changed[i]!;
    // Changes closer than twice the context share a hunk.
    while (i + 1 < changed.length && changed[i + 1]! - to <= 2 * CONTEXT) to = changed[++i]!;
    to = Math.min(ops.length - 1, to + CONTEXT);
    i++;
    let oldLine = 1;
    let newLine = 1;
    for (let j = 0; j < from; j++) {
      if (ops[j]!.kind !== '+') oldLine++;
      if (ops[j]!.kind !== '-') newLine++;
    }
    const slice = ops.slice(from, to + 1);
    const oldCount = slice.filter((o) => o.kind !== '+').length;
    const newCount = slice.filter((o) => o.kind !== '-').length;
    hunks.push({ oldStart: oldCount === 0 ? oldLine - 1 : oldLine, oldCount, newStart: newCount === 0 ? newLine - 1 : newLine, newCount, ops: slice });
    from = to + 1;
  }
  return hunks;
}

function range(start: number, count: number): string {
  return count === 1 ? String(start) : `${start},${count}`;
}
