/**
 * User data and instance settings judged together. When the instances that run a script require
 * IMDSv2, a tokenless request in it fails at boot (`requiredBy` makes it a `breaksAtBoot` error);
 * when they still accept IMDSv1, the IMDS002 finding that asks for `required` names the user-data
 * lines to fix first, and its fix carries their fixes along where they are in the same file.
 */
import { posix } from 'node:path';
import { judgeLaunch, type Edit, type Finding, type IacFinding, type LaunchConfig, type LaunchDefaults } from '@imds-guard/core';
import { isTokenlessRequest } from '../embedded/index.js';

export interface LaunchTokens {
  /** The instances require tokens (set, or by the account default or a v2.0 AMI). */
  readonly required: boolean;
  /** Where `required` would be set: the resource, or the launch template it takes its options from. */
  readonly owner: string;
}

/** How each launching resource's tokens are judged, by address; absent when that cannot be said. */
export function launchTokens(configs: readonly LaunchConfig[], defaults: LaunchDefaults): (address: string) => LaunchTokens | undefined {
  const byAddress = new Map(configs.map((c) => [c.address, c]));
  const templates = new Map(configs.filter((c) => c.kind === 'launch-template').map((c) => [c.address, c]));
  const judge = (config: LaunchConfig, depth: number): LaunchTokens | undefined => {
    const endpoint = config.metadata?.httpEndpoint;
    // With the endpoint off, nothing answers at all: not the failure this check is about.
    if (endpoint?.state === 'set' && endpoint.values.every((v) => v === 'disabled')) return undefined;
    const verdict = judgeLaunch(config, defaults, templates);
    switch (verdict.kind) {
      case 'pass':
      case 'covered-by-default':
        return { required: true, owner: config.address };
      case 'tokens-optional':
      case 'tokens-missing':
        return { required: false, owner: config.address };
      case 'delegated': {
        const template = templates.get(verdict.to);
        return template && depth === 0 ? judge(template, 1) : undefined;
      }
      default:
        return undefined;
    }
  };
  return (address) => {
    const config = byAddress.get(address);
    return config ? judge(config, 0) : undefined;
  };
}

/** A tokenless request in code that runs on the instances of `launcher`, which do not require tokens yet. */
export interface PendingRequest {
  readonly launcher: string;
  /** `user data`, `remote-exec commands` */
  readonly role: string;
  readonly owner: string;
  readonly finding: Finding;
}

const ASKS_FOR_REQUIRED = new Set(['tokensOptional', 'tokensMissing', 'tokensMissingToolDefault']);

/**
 * The IMDS002 findings of the owners, each naming the user-data lines that must be fixed before
 * tokens can be required (`; fix its user data first (line 12, 14)`), and with the safe fixes of
 * those lines that are in the finding's own file added to its fix.
 */
export function linkUserData(findings: readonly IacFinding[], pending: readonly PendingRequest[]): IacFinding[] {
  return findings.map((f) => {
    if (f.ruleId !== 'no-imdsv1-instance-config' || !ASKS_FOR_REQUIRED.has(f.messageId)) return f;
    const own = pending.filter((p) => p.owner === f.data.resource && isTokenlessRequest(p.finding));
    if (own.length === 0) return f;
    const context = `${f.data.context ?? ''}; fix ${whose(own, f.data.resource!)} first (${describeLines(own.map((p) => p.finding), f.span.file)})`;
    const edits = f.edits && f.edits.length > 0 ? withUserDataEdits(f.edits, own, f.span.file) : undefined;
    return { ...f, data: { ...f.data, context }, ...(edits ? { edits } : {}) };
  });
}

/** `its user data`, `the user data of aws_instance.a, aws_instance.b`, `its user data and remote-exec commands`. */
function whose(pending: readonly PendingRequest[], resource: string): string {
  const launchers = [...new Set(pending.map((p) => p.launcher))];
  const roles = [...new Set(pending.map((p) => p.role))].sort((a, b) => (a === 'user data' ? -1 : b === 'user data' ? 1 : 0)).join(' and ');
  return launchers.length === 1 && launchers[0] === resource ? `its ${roles}` : `the ${roles} of ${launchers.join(', ')}`;
}

/** `line 12, 14` for lines of `file`, `templates/boot.sh.tpl:4` (from the module) for another file's. */
function describeLines(findings: readonly Finding[], file: string): string {
  const dir = posix.dirname(file);
  const byFile = new Map<string, Set<number>>();
  for (const f of findings) byFile.set(f.file, (byFile.get(f.file) ?? new Set()).add(f.line));
  const sorted = (lines: Set<number>) => [...lines].sort((a, b) => a - b).join(', ');
  const parts: string[] = [];
  const own = byFile.get(file);
  if (own) parts.push(`line ${sorted(own)}`);
  for (const [other, lines] of [...byFile].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    if (other !== file) parts.push(`${posix.relative(dir, other)}:${sorted(lines)}`);
  }
  return parts.join('; ');
}

/** The template's edits plus the safe fixes of its user data in the same file, each edit once. */
function withUserDataEdits(edits: readonly Edit[], pending: readonly PendingRequest[], file: string): Edit[] {
  const out = [...edits];
  const seen = new Set(out.map((e) => `${e.start}:${e.end}:${e.text}`));
  for (const { finding } of pending) {
    if (finding.file !== file || finding.fix?.safety !== 'safe') continue;
    for (const e of finding.fix.edits) {
      const key = `${e.start}:${e.end}:${e.text}`;
      if (!seen.has(key)) out.push(e);
      seen.add(key);
    }
  }
  return out.sort((a, b) => a.start - b.start);
}
