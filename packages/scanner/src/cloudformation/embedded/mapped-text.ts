import { ShellTextBuilder, type EmbeddedShell } from '../../embedded/index.js';

/**
 * A string value of the template (a scalar, or what `Fn::Sub` / `Fn::Join` make of scalars) with
 * the place in the file each of its characters came from. It is the step between the template
 * and an EmbeddedShell: CloudFormation functions are applied to it before the shell sees the text.
 */
export interface Segment {
  /** The characters of the value this segment stands for. */
  readonly text: string;
  readonly hostStart: number;
  readonly hostEnd: number;
  /** The file holds `text` itself at [hostStart, hostEnd); otherwise it is an escape, a fold, a placeholder. */
  readonly verbatim: boolean;
}

/**
 * How new text is written at a place of the file: a host range (a scalar's content) and the
 * encoding that makes value text out of it there. Undefined means it cannot be written safely.
 */
export interface Region {
  readonly start: number;
  readonly end: number;
  readonly escape: (text: string, at: number) => string | undefined;
  /**
   * For a plain YAML scalar: the insertions (`at`, then text) its escape let through although they
   * need quotes (`: `, ` #`); the analysis then rewrites the scalar single-quoted (see requote.ts).
   */
  readonly unquoted?: Set<string>;
}

export class MappedText {
  constructor(
    readonly segments: readonly Segment[],
    readonly regions: readonly Region[] = [],
  ) {}

  get text(): string {
    return this.segments.map((s) => s.text).join('');
  }

  static empty(): MappedText {
    return new MappedText([]);
  }

  /** Text that stands for host text [hostStart, hostEnd) without being it (a placeholder word). */
  static decoded(hostStart: number, hostEnd: number, text: string): MappedText {
    return new MappedText([{ text, hostStart, hostEnd, verbatim: false }]);
  }

  concat(...others: readonly MappedText[]): MappedText {
    return new MappedText(
      [this, ...others].flatMap((m) => m.segments),
      [this, ...others].flatMap((m) => m.regions),
    );
  }

  /** The same text with every region's escape passed through `wrap` (Fn::Sub's `${` → `${!`). */
  withEscape(wrap: (escape: Region['escape']) => Region['escape']): MappedText {
    return new MappedText(this.segments, this.regions.map((r) => ({ ...r, escape: wrap(r.escape) })));
  }

  /** The first `length` characters (a block scalar's chomping drops trailing line breaks). */
  truncate(length: number): MappedText {
    const out: Segment[] = [];
    let at = 0;
    for (const s of this.segments) {
      if (at >= length) break;
      const room = length - at;
      if (s.text.length <= room) out.push(s);
      else if (s.verbatim) out.push({ ...s, text: s.text.slice(0, room), hostEnd: s.hostStart + room });
      else out.push({ ...s, text: s.text.slice(0, room) });
      at += s.text.length;
    }
    return new MappedText(out, this.regions);
  }

  /**
   * Replaces the value's characters [from, to) with `text`, which stands for the host text they
   * came from (a `${Param}` becoming a placeholder word). Verbatim segments are split exactly.
   */
  replace(from: number, to: number, text: string): MappedText {
    const out: Segment[] = [];
    let hostStart: number | undefined;
    let hostEnd = 0;
    let placed = false;
    const place = () => {
      if (placed || hostStart === undefined) return;
      out.push({ text, hostStart, hostEnd, verbatim: false });
      placed = true;
    };
    let at = 0;
    for (const s of this.segments) {
      const start = at;
      const end = at + s.text.length;
      at = end;
      if (end <= from) {
        out.push(s);
        continue;
      }
      if (start >= to) {
        place();
        out.push(s);
        continue;
      }
      let suffix: Segment | undefined;
      if (s.verbatim) {
        if (start < from) out.push({ ...s, text: s.text.slice(0, from - start), hostEnd: s.hostStart + (from - start) });
        if (end > to) suffix = { ...s, text: s.text.slice(to - start), hostStart: s.hostStart + (to - start) };
        hostStart ??= s.hostStart + Math.max(0, from - start);
        hostEnd = s.hostStart + (Math.min(end, to) - start);
      } else {
        // A decoded piece cut by the range keeps its outer parts, mapped to the same host text
        // (a scalar the walk could not follow is one such piece, and holds the whole script).
        if (start < from) out.push({ ...s, text: s.text.slice(0, from - start) });
        if (end > to) suffix = { ...s, text: s.text.slice(to - start) };
        hostStart ??= s.hostStart;
        hostEnd = s.hostEnd;
      }
      if (suffix) {
        place();
        out.push(suffix);
      }
    }
    place();
    return placed ? new MappedText(out, this.regions) : this;
  }

  /** The shell piece: its text, offset map, and an escape that writes in the host at `at`'s region. */
  piece(extra: Omit<EmbeddedShell, 'text' | 'toHost' | 'toHostEnd' | 'escape'>): EmbeddedShell {
    const builder = new ShellTextBuilder();
    for (const s of this.segments) {
      if (s.verbatim) builder.verbatim(s.hostStart, s.text);
      else builder.decoded(s.hostStart, s.hostEnd, s.text);
    }
    const regions = this.regions;
    return builder.build({
      ...extra,
      escape: (text, at) => regions.find((r) => r.start <= at && at <= r.end)?.escape(text, at),
    });
  }
}
