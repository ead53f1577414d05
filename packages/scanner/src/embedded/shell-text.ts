/**
 * Shell code that lives inside another file (Terraform heredocs, YAML block scalars, Dockerfile
 * RUN lines, Makefile recipes…). A host adapter decodes the host's escaping into plain shell text
 * and records, piece by piece, where each character came from, so that findings and fixes found in
 * the shell text land on the right characters of the host file.
 */
export interface EmbeddedShell {
  /** The shell text as the shell will see it. */
  readonly text: string;
  /** The host offset of shell offset `offset` (0 ≤ offset ≤ text.length); never decreases. */
  toHost(offset: number): number;
  /** The host offset just after shell character `offset - 1`: where a range ending at `offset` ends. */
  toHostEnd(offset: number): number;
  /**
   * Encodes shell text for insertion into the host at host offset `at`, applying the host's
   * escaping (`$$` in Makefiles, `$${` in Terraform, indentation in YAML…). Undefined when the host
   * cannot hold it safely; the finding is then reported without a fix.
   */
  escape?(shellText: string, at: number): string | undefined;
  /** Said after the finding's message, e.g. "in the user_data of aws_instance.web". */
  readonly context?: string;
  /**
   * The resource (e.g. `aws_instance.web`) whose instances run this code and require IMDSv2:
   * tokenless requests in it are reported as breaking (`breaksAtBoot`), naming the resource.
   */
  readonly requiredBy?: string;
  /** Which shell runs it; `powershell` pieces go to the PowerShell analyser. */
  readonly language?: 'sh' | 'powershell';
}

interface Segment {
  readonly shellStart: number;
  readonly hostStart: number;
  readonly hostEnd: number;
  /** Verbatim segments map character for character; others map every offset to hostStart. */
  readonly verbatim: boolean;
}

/** Builds an EmbeddedShell's text and offset map from verbatim and decoded pieces of the host. */
export class ShellTextBuilder {
  private text = '';
  private readonly segments: Segment[] = [];

  /** Host text that is also shell text, character for character (starting at host offset `hostStart`). */
  verbatim(hostStart: number, text: string): this {
    if (text.length === 0) return this;
    this.segments.push({ shellStart: this.text.length, hostStart, hostEnd: hostStart + text.length, verbatim: true });
    this.text += text;
    return this;
  }

  /** Host text `[hostStart, hostEnd)` that the shell sees as `shellText` (an escape, a stripped indent, a placeholder). */
  decoded(hostStart: number, hostEnd: number, shellText: string): this {
    this.segments.push({ shellStart: this.text.length, hostStart, hostEnd, verbatim: false });
    this.text += shellText;
    return this;
  }

  get length(): number {
    return this.text.length;
  }

  build(extra: Omit<EmbeddedShell, 'text' | 'toHost' | 'toHostEnd'> = {}): EmbeddedShell {
    const text = this.text;
    const segments = [...this.segments];
    const end = segments.at(-1)?.hostEnd ?? 0;
    return {
      ...extra,
      text,
      toHost(offset: number): number {
        if (offset >= text.length) return end;
        const s = segments[lastAtOrBefore(segments, offset)];
        if (!s) return segments[0]?.hostStart ?? 0;
        return s.verbatim ? s.hostStart + (offset - s.shellStart) : s.hostStart;
      },
      toHostEnd(offset: number): number {
        if (offset <= 0) return segments[0]?.hostStart ?? 0;
        const s = segments[lastAtOrBefore(segments, offset - 1)]!;
        return s.verbatim ? s.hostStart + (offset - s.shellStart) : s.hostEnd;
      },
    };
  }
}

function lastAtOrBefore(segments: readonly Segment[], offset: number): number {
  let lo = 0;
  let hi = segments.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (segments[mid]!.shellStart <= offset) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

/**
 * Code embedded twice over, e.g. a cloud-config `runcmd` item inside Terraform `user_data`: `inner`
 * is a piece of `outer.text`; the result maps straight to the outermost host and escapes for both.
 */
export function nested(outer: EmbeddedShell, inner: EmbeddedShell): EmbeddedShell {
  const escape = inner.escape && outer.escape
    ? (text: string, at: number) => {
        // `at` is a host offset; the inner escape needs the matching offset in outer.text.
        const innerAt = outerOffset(outer, at);
        const once = innerAt === undefined ? undefined : inner.escape!(text, innerAt);
        return once === undefined ? undefined : outer.escape!(once, at);
      }
    : undefined;
  return {
    text: inner.text,
    toHost: (offset) => outer.toHost(inner.toHost(offset)),
    toHostEnd: (offset) => outer.toHostEnd(inner.toHostEnd(offset)),
    ...(escape ? { escape } : {}),
    context: inner.context ?? outer.context,
    requiredBy: inner.requiredBy ?? outer.requiredBy,
    language: inner.language ?? outer.language,
  };
}

/** The offset in `piece.text` that maps to host offset `at`, if one does. */
function outerOffset(piece: EmbeddedShell, at: number): number | undefined {
  let lo = 0;
  let hi = piece.text.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (piece.toHost(mid) < at) lo = mid + 1;
    else hi = mid;
  }
  return piece.toHost(lo) === at ? lo : undefined;
}
