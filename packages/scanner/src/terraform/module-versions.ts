/**
 * Terraform version constraints (`"5.7.1"`, `"~> 5.0"`, `">= 5.8, < 6.0"`) and the IMDS defaults
 * of the terraform-aws-modules modules by version (iac-semantics.md (c)). A constraint usually
 * allows many versions; the verdict is the module's default only when every allowed version has
 * the same one. When they differ (`~> 5.0` allows 5.0–5.7.1, which send optional, and 5.8+, which
 * send required) the lock file decides which version is installed, so the answer is "cannot
 * determine" — a warning that says to pin a version with the safe default or set `http_tokens`.
 */

export type Version = readonly [number, number, number];

export function parseVersion(text: string): Version | undefined {
  const match = /^v?(\d+)(?:\.(\d+))?(?:\.(\d+))?(?:[-+][0-9A-Za-z.-]+)?$/.exec(text.trim());
  if (!match) return undefined;
  return [Number(match[1]), Number(match[2] ?? 0), Number(match[3] ?? 0)];
}

export function compareVersions(a: Version, b: Version): number {
  return a[0] - b[0] || a[1] - b[1] || a[2] - b[2];
}

export const formatVersion = (v: Version) => v.join('.');

interface Bound {
  readonly version: Version;
  readonly inclusive: boolean;
}

/** The versions a constraint allows: one interval, minus single excluded versions (`!=`). */
export interface VersionRange {
  readonly low?: Bound;
  readonly high?: Bound;
  readonly excluded: readonly Version[];
}

export const ANY_VERSION: VersionRange = { excluded: [] };

/**
 * Parses a constraint string. `~> 5.7.1` allows 5.7.x from 5.7.1, `~> 5.7` allows 5.x from 5.7,
 * and `~> 5` allows any version from 5 (only the right-most given part may grow, as Terraform
 * documents). Undefined for a string that is not a constraint.
 */
export function parseConstraint(text: string): VersionRange | undefined {
  let range: VersionRange = ANY_VERSION;
  const clauses = text.split(',').map((c) => c.trim());
  if (clauses.length === 0 || clauses.some((c) => c === '')) return undefined;
  for (const clause of clauses) {
    const match = /^(~>|>=|<=|!=|=|>|<)?\s*(\S+)$/.exec(clause);
    if (!match) return undefined;
    const operator = match[1] ?? '=';
    const version = parseVersion(match[2]!);
    if (!version) return undefined;
    const given = match[2]!.replace(/^v/, '').split(/[-+]/)[0]!.split('.').length;
    switch (operator) {
      case '=':
        range = narrow(range, { version, inclusive: true }, { version, inclusive: true });
        break;
      case '!=':
        range = { ...range, excluded: [...range.excluded, version] };
        break;
      case '>':
        range = narrow(range, { version, inclusive: false }, undefined);
        break;
      case '>=':
        range = narrow(range, { version, inclusive: true }, undefined);
        break;
      case '<':
        range = narrow(range, undefined, { version, inclusive: false });
        break;
      case '<=':
        range = narrow(range, undefined, { version, inclusive: true });
        break;
      case '~>': {
        const upper: Version | undefined = given >= 3 ? [version[0], version[1] + 1, 0] : given === 2 ? [version[0] + 1, 0, 0] : undefined;
        range = narrow(range, { version, inclusive: true }, upper ? { version: upper, inclusive: false } : undefined);
        break;
      }
    }
  }
  return range;
}

function narrow(range: VersionRange, low: Bound | undefined, high: Bound | undefined): VersionRange {
  return { low: tighter(range.low, low, 1), high: tighter(range.high, high, -1), excluded: range.excluded };
}

/** The stricter of two bounds: the higher low bound (sign 1) or the lower high bound (sign -1). */
function tighter(a: Bound | undefined, b: Bound | undefined, sign: 1 | -1): Bound | undefined {
  if (!a) return b;
  if (!b) return a;
  const order = compareVersions(a.version, b.version) * sign;
  if (order !== 0) return order > 0 ? a : b;
  return a.inclusive ? b : a;
}

/** Whether some version in [from, to) satisfies the range. */
export function allowsSomeVersionIn(range: VersionRange, from: Version, to: Version | undefined): boolean {
  const low = tighter(range.low, { version: from, inclusive: true }, 1)!;
  const high = to ? tighter(range.high, { version: to, inclusive: false }, -1) : range.high;
  if (!high) return true;
  const order = compareVersions(low.version, high.version);
  if (order > 0) return false;
  if (order === 0) {
    if (!low.inclusive || !high.inclusive) return false;
    return !range.excluded.some((v) => compareVersions(v, low.version) === 0);
  }
  return true;
}

/** What a module sends for HttpTokens when the caller leaves it out. */
export type ModuleTokens = 'required' | 'optional' | 'aws-default' | 'unknown';

/**
 * How the caller passed `metadata_options`: not at all, as `null`, as an object without
 * `http_tokens` (`partial`), or `{}` (`empty`).
 */
export type CallerInput = 'absent' | 'null' | 'empty' | 'partial';

interface Period {
  readonly from: Version;
  readonly to?: Version;
  readonly tokens: Readonly<Record<CallerInput, ModuleTokens>>;
}

export interface ModuleSpec {
  /** `terraform-aws-modules/ec2-instance/aws` (with `//modules/…` for a submodule). */
  readonly source: string;
  readonly periods: readonly Period[];
}

const all = (tokens: ModuleTokens): Record<CallerInput, ModuleTokens> => ({ absent: tokens, null: tokens, empty: tokens, partial: tokens });

/** What the IMDS defaults of each module were, by version (iac-semantics.md (c)). */
export const MODULE_SPECS: Readonly<Record<string, ModuleSpec>> = {
  // < 5.8.0: the default map (5.x) or the dynamic block's fallback (3.x/4.x) sends optional, and a
  // caller's map without http_tokens falls back to optional too; `{}` gives no block from 5.0.
  // 5.8.0 (2025-03-30): try(…, "required"); 6.x: object with optional(string, "required"),
  // `null` gives no block.
  'ec2-instance': {
    source: 'terraform-aws-modules/ec2-instance/aws',
    periods: [
      { from: [0, 0, 0], to: [5, 0, 0], tokens: { ...all('optional'), null: 'unknown' } },
      { from: [5, 0, 0], to: [5, 8, 0], tokens: { absent: 'optional', partial: 'optional', empty: 'aws-default', null: 'unknown' } },
      { from: [5, 8, 0], to: [6, 0, 0], tokens: { absent: 'required', partial: 'required', empty: 'aws-default', null: 'unknown' } },
      { from: [6, 0, 0], tokens: { absent: 'required', partial: 'required', empty: 'required', null: 'aws-default' } },
    ],
  },
  // < 9.0.0: no metadata_options block unless the caller gives one, and then only what the caller
  // gives (lookup(…, null)). 9.0.0 (2025-06-26): required by default (Guess: the object type
  // fills http_tokens for a partial object, as ec2-instance 6.x does).
  autoscaling: {
    source: 'terraform-aws-modules/autoscaling/aws',
    periods: [
      { from: [0, 0, 0], to: [9, 0, 0], tokens: all('aws-default') },
      { from: [9, 0, 0], tokens: { absent: 'required', partial: 'required', empty: 'required', null: 'aws-default' } },
    ],
  },
  // Node groups of the eks module (and its node-group submodules): required from v18.0.0
  // (2022-01). How v18–v20 treat a caller's map without http_tokens is not modelled; v21 uses an
  // object type like ec2-instance 6.x (Guess).
  eks: {
    source: 'terraform-aws-modules/eks/aws',
    periods: [
      { from: [0, 0, 0], to: [18, 0, 0], tokens: all('unknown') },
      { from: [18, 0, 0], to: [21, 0, 0], tokens: { absent: 'required', partial: 'unknown', empty: 'unknown', null: 'unknown' } },
      { from: [21, 0, 0], tokens: { absent: 'required', partial: 'required', empty: 'required', null: 'aws-default' } },
    ],
  },
};

export interface ModuleVerdict {
  readonly tokens: ModuleTokens;
  readonly reason?: string;
}

const DESCRIBE: Record<ModuleTokens, string> = {
  required: 'required',
  optional: 'optional',
  'aws-default': 'no metadata options (the AWS default, optional)',
  unknown: 'a default that is not modelled',
};

/**
 * The module's default for the versions `constraint` allows (undefined constraint: any version,
 * as an unpinned module gets whatever is newest when it is installed).
 */
export function moduleDefault(spec: ModuleSpec, constraint: string | undefined, input: CallerInput): ModuleVerdict {
  const range = constraint === undefined ? ANY_VERSION : parseConstraint(constraint);
  if (!range) return { tokens: 'unknown', reason: `the version constraint "${constraint}" of ${spec.source} cannot be read` };
  const outcomes = new Map<ModuleTokens, string[]>();
  for (const period of spec.periods) {
    if (!allowsSomeVersionIn(range, period.from, period.to)) continue;
    const tokens = period.tokens[input];
    const label = period.to ? `${formatVersion(period.from)} to before ${formatVersion(period.to)}` : `${formatVersion(period.from)} and later`;
    outcomes.set(tokens, [...(outcomes.get(tokens) ?? []), label]);
  }
  if (outcomes.size === 0) return { tokens: 'unknown', reason: `no known version of ${spec.source} satisfies "${constraint}"` };
  if (outcomes.size === 1) {
    const [tokens] = outcomes.keys();
    if (tokens !== 'unknown') return { tokens: tokens! };
  }
  const which = [...outcomes].map(([tokens, labels]) => `${labels.join(', ')}: ${DESCRIBE[tokens]}`).join('; ');
  const pinned = constraint === undefined ? 'no version is pinned' : `the version constraint "${constraint}" allows versions with different defaults`;
  const what = input === 'absent' ? 'when metadata_options is not given' : input === 'partial' ? 'for metadata_options without http_tokens' : `for metadata_options = ${input === 'null' ? 'null' : '{}'}`;
  if (outcomes.size === 1) return { tokens: 'unknown', reason: `what ${spec.source} sends ${what} is not modelled for ${which.split(':')[0]}` };
  return { tokens: 'unknown', reason: `${pinned}, and what ${spec.source} sends ${what} depends on it (${which}); pin the version or set http_tokens` };
}
