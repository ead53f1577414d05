/**
 * Inline test annotations for fixture files (see fixtures/README.md).
 *
 *   <leader> ruleid: <rule-id>[/<messageId>] [col=<n>] ["<message substring>"]
 *   <leader> ok: <rule-id>
 *   <leader> todoruleid: <rule-id>      known false negative
 *   <leader> todook: <rule-id>          known false positive
 *
 * An annotation alone on its line applies to the next line that is not an annotation; one written
 * after code on the same line (a trailing annotation) applies to that line. Annotations stack, and
 * each `ruleid` stands for exactly one finding.
 */

export type AnnotationKind = 'ruleid' | 'ok' | 'todoruleid' | 'todook';

export interface Expectation {
  readonly kind: AnnotationKind;
  readonly ruleId: string;
  readonly messageId?: string;
  /** 1-based line the annotation applies to. */
  readonly line: number;
  /** 1-based column the finding must start at. */
  readonly col?: number;
  /** A substring the finding's message must contain. */
  readonly text?: string;
  /** 1-based line the annotation itself is written on (for error messages). */
  readonly annotationLine: number;
}

/** Options from an optional first-line `<leader> fixture: {…}` directive. */
export interface FixtureOptions {
  readonly filename?: string;
  readonly options?: unknown[];
  readonly rules?: string[];
  readonly [key: string]: unknown;
}

export interface ParsedAnnotations {
  readonly expectations: Expectation[];
  /** Every rule id that an annotation (or the directive's `rules`) names. */
  readonly rulesNamed: Set<string>;
  /** Malformed or misplaced annotations; a fixture with errors should fail. */
  readonly errors: string[];
  readonly options?: FixtureOptions;
}

/** The part of a finding that annotations are compared with. */
export interface ActualFinding {
  readonly ruleId: string;
  readonly messageId: string;
  readonly line: number;
  readonly column: number;
  readonly message: string;
}

const KINDS = 'todoruleid|todook|ruleid|ok';

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}

interface RawAnnotation {
  kind: AnnotationKind;
  body: string;
  annotationLine: number;
}

export function parseAnnotations(text: string, leader = '#'): ParsedAnnotations {
  const lead = escapeRegExp(leader);
  // A whole line that is one annotation.
  const ownLine = new RegExp(`^\\s*${lead}\\s*(${KINDS})\\s*:(.*)$`);
  // An annotation in a comment after code: the leader must follow whitespace (so `$#` or a URL
  // fragment does not start one), and the rest of the line is the annotation.
  const trailing = new RegExp(`\\s${lead}\\s*(${KINDS})\\s*:(.*)$`);
  // Something that looks like an attempt at an annotation, to catch typos such as `# ruleid no-…`
  // (a plain `# ok` in prose is left alone unless a rule id follows it).
  const suspicious = new RegExp(
    `${lead}\\s*(?:(?:todo-ruleid|todo-ok|rule-id)\\b|(?:todoruleid|todook|ruleid)\\b(?!\\s*:)|ok\\s+[a-z0-9]+(?:-[a-z0-9]+){2,}(?:\\/\\w+)?\\s*$)`,
    'i',
  );
  const directive = new RegExp(`^\\s*${lead}\\s*fixture\\s*:(.*)$`);

  const lines = text.split(/\r?\n/);
  const expectations: Expectation[] = [];
  const rulesNamed = new Set<string>();
  const errors: string[] = [];
  let options: FixtureOptions | undefined;
  let pending: RawAnnotation[] = [];

  const emit = (raw: RawAnnotation, target: number) => {
    const parsed = parseBody(raw.body);
    if (typeof parsed === 'string') {
      errors.push(`line ${raw.annotationLine}: ${parsed}`);
      return;
    }
    rulesNamed.add(parsed.ruleId);
    expectations.push({ kind: raw.kind, ...parsed, line: target, annotationLine: raw.annotationLine });
  };

  for (let i = 0; i < lines.length; i++) {
    const lineNo = i + 1;
    const line = lines[i]!;

    const dir = directive.exec(line);
    if (dir) {
      if (lineNo !== 1) {
        errors.push(`line ${lineNo}: the fixture directive is only allowed on the first line`);
        continue;
      }
      try {
        const value: unknown = JSON.parse(dir[1]!.trim());
        if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new Error('not an object');
        options = value as FixtureOptions;
        if (options.rules !== undefined) {
          if (!Array.isArray(options.rules) || options.rules.some((r) => typeof r !== 'string')) {
            errors.push(`line 1: the fixture directive's "rules" must be an array of rule ids`);
          } else {
            for (const r of options.rules) rulesNamed.add(r);
          }
        }
      } catch (e) {
        errors.push(`line 1: the fixture directive is not a JSON object: ${(e as Error).message}`);
      }
      continue;
    }

    const own = ownLine.exec(line);
    if (own) {
      pending.push({ kind: own[1] as AnnotationKind, body: own[2]!, annotationLine: lineNo });
      continue;
    }

    // Any other line is the target of the annotations stacked above it.
    if (pending.length > 0) {
      if (line.trim() === '') {
        for (const raw of pending) {
          errors.push(`line ${raw.annotationLine}: the annotation is followed by an empty line; put it directly above the line it is about`);
        }
      } else {
        for (const raw of pending) emit(raw, lineNo);
      }
      pending = [];
    }

    const tr = trailing.exec(line);
    if (tr) {
      emit({ kind: tr[1] as AnnotationKind, body: tr[2]!, annotationLine: lineNo }, lineNo);
    } else if (suspicious.test(line) && new RegExp(`(^|\\s)${lead}`).test(line)) {
      errors.push(`line ${lineNo}: looks like an annotation but does not parse (expected "${leader} <kind>: <rule-id>")`);
    }
  }
  for (const raw of pending) {
    errors.push(`line ${raw.annotationLine}: the annotation is at the end of the file and applies to no line`);
  }
  return { expectations, rulesNamed, errors, ...(options !== undefined ? { options } : {}) };
}

type Body = { ruleId: string; messageId?: string; col?: number; text?: string };

function parseBody(body: string): Body | string {
  const m = /^\s*([a-z0-9][a-z0-9-]*)(?:\/([A-Za-z][A-Za-z0-9]*))?(?:\s+col=(\d+))?(?:\s+("(?:[^"\\]|\\.)*"))?\s*$/.exec(body);
  if (!m) return `cannot parse annotation "${body.trim()}" (expected <rule-id>[/<messageId>] [col=<n>] ["<text>"])`;
  const out: Body = { ruleId: m[1]! };
  if (m[2] !== undefined) out.messageId = m[2];
  if (m[3] !== undefined) {
    const col = Number(m[3]);
    if (col < 1) return `col must be 1 or more, got ${m[3]}`;
    out.col = col;
  }
  if (m[4] !== undefined) {
    try {
      out.text = JSON.parse(m[4]) as string;
    } catch {
      return `cannot parse the message text ${m[4]}`;
    }
  }
  return out;
}

function describe(e: Expectation): string {
  let s = `${e.kind}: ${e.ruleId}${e.messageId ? `/${e.messageId}` : ''}`;
  if (e.col !== undefined) s += ` col=${e.col}`;
  if (e.text !== undefined) s += ` ${JSON.stringify(e.text)}`;
  return s;
}

function describeFinding(f: ActualFinding): string {
  return `${f.ruleId}/${f.messageId} at ${f.line}:${f.column} (${JSON.stringify(f.message)})`;
}

function matches(e: Expectation, f: ActualFinding): boolean {
  return (
    e.ruleId === f.ruleId &&
    e.line === f.line &&
    (e.messageId === undefined || e.messageId === f.messageId) &&
    (e.col === undefined || e.col === f.column) &&
    (e.text === undefined || f.message.includes(e.text))
  );
}

/** Maximum bipartite matching (Kuhn's algorithm) of expectations to findings; returns finding index per expectation. */
function matchAll(exps: readonly Expectation[], finds: readonly ActualFinding[]): (number | undefined)[] {
  const ownerOf: (number | undefined)[] = finds.map(() => undefined);
  const tryAssign = (ei: number, seen: boolean[]): boolean => {
    for (let fi = 0; fi < finds.length; fi++) {
      if (seen[fi] || !matches(exps[ei]!, finds[fi]!)) continue;
      seen[fi] = true;
      const owner = ownerOf[fi];
      if (owner === undefined || tryAssign(owner, seen)) {
        ownerOf[fi] = ei;
        return true;
      }
    }
    return false;
  };
  for (let ei = 0; ei < exps.length; ei++) tryAssign(ei, finds.map(() => false));
  const result: (number | undefined)[] = exps.map(() => undefined);
  ownerOf.forEach((ei, fi) => {
    if (ei !== undefined) result[ei] = fi;
  });
  return result;
}

/**
 * Compares a fixture's annotations with what an analyser reported. Returns one human-readable
 * message per mismatch; an empty array means the fixture passes.
 *
 * - every `ruleid` needs its own finding starting on its line (and matching messageId/col/text);
 * - strict mode: a finding of a rule in `rulesUnderTest` that no `ruleid` accounts for fails,
 *   unless a `todook` on that line excuses it;
 * - a `todoruleid` whose finding now appears, and a `todook` whose finding is gone, fail and ask
 *   for the annotation to be promoted to `ruleid` / `ok`.
 */
export function compareFindings(
  expectations: readonly Expectation[],
  findings: readonly ActualFinding[],
  rulesUnderTest: ReadonlySet<string>,
): string[] {
  const out: { line: number; order: number; text: string }[] = [];
  const report = (line: number, text: string) => out.push({ line, order: out.length, text });

  const relevant = findings.filter((f) => rulesUnderTest.has(f.ruleId) || expectations.some((e) => e.ruleId === f.ruleId));
  const consumed = new Set<number>();

  // Contradictory annotations on one line are a fixture bug, whatever the analyser says.
  const byLineRule = new Map<string, Expectation[]>();
  for (const e of expectations) {
    const key = `${e.line}\u0000${e.ruleId}`;
    byLineRule.set(key, [...(byLineRule.get(key) ?? []), e]);
  }
  for (const group of byLineRule.values()) {
    const ok = group.find((e) => e.kind === 'ok' && e.messageId === undefined);
    const other = group.find((e) => e.kind === 'ruleid' || e.kind === 'todook');
    if (ok && other) {
      report(ok.line, `line ${ok.line}: contradictory annotations for ${ok.ruleId}: "${describe(ok)}" (line ${ok.annotationLine}) and "${describe(other)}" (line ${other.annotationLine})`);
    }
  }

  // 1. ruleid: one finding each.
  const ruleids = expectations.filter((e) => e.kind === 'ruleid');
  const assignment = matchAll(ruleids, relevant);
  ruleids.forEach((e, i) => {
    const fi = assignment[i];
    if (fi !== undefined) {
      consumed.add(fi);
      return;
    }
    const sameLine = relevant.filter((f) => f.ruleId === e.ruleId && f.line === e.line);
    const hint = sameLine.length > 0 ? `; on that line the rule reported ${sameLine.map(describeFinding).join(', ')}` : ', but none was reported';
    report(e.line, `line ${e.line}: expected a finding for "${describe(e)}" (annotation on line ${e.annotationLine})${hint}`);
  });

  // 2. todoruleid: a known false negative must still be missing.
  for (const e of expectations.filter((x) => x.kind === 'todoruleid')) {
    const fi = relevant.findIndex((f, i) => !consumed.has(i) && matches(e, f));
    if (fi >= 0) {
      consumed.add(fi);
      report(e.line, `line ${e.line}: "${describe(e)}" (line ${e.annotationLine}) is now reported (${describeFinding(relevant[fi]!)}): promote the annotation to ruleid`);
    }
  }

  // 3. todook: a known false positive must still be reported; it excuses the findings it covers.
  for (const e of expectations.filter((x) => x.kind === 'todook')) {
    const covered = relevant.map((f, i) => [f, i] as const).filter(([f, i]) => !consumed.has(i) && matches(e, f));
    if (covered.length === 0) {
      report(e.line, `line ${e.line}: "${describe(e)}" (line ${e.annotationLine}) is no longer reported: promote the annotation to ok`);
    }
    for (const [, i] of covered) consumed.add(i);
  }

  // 4. ok and strict mode: whatever is left over is unexpected.
  relevant.forEach((f, i) => {
    if (consumed.has(i)) return;
    const ok = expectations.find((e) => e.kind === 'ok' && e.ruleId === f.ruleId && e.line === f.line && (e.messageId === undefined || e.messageId === f.messageId));
    if (ok) {
      report(f.line, `line ${f.line}: "${describe(ok)}" (line ${ok.annotationLine}) but the rule reported ${describeFinding(f)}`);
    } else {
      report(f.line, `line ${f.line}: unexpected finding ${describeFinding(f)}: add a "ruleid" annotation if it is right`);
    }
  });

  return out.sort((a, b) => a.line - b.line || a.order - b.order).map((o) => o.text);
}
