import type { Edit, Finding, IacFinding, LaunchConfig } from '@imds-guard/core';
import { isTokenlessRequest } from '../../embedded/index.js';
import type { ShellSite } from './site.js';

/** A site with what the analysis found in it. */
export interface AnalysedSite {
  readonly site: ShellSite;
  readonly findings: readonly Finding[];
}

/**
 * Which resource's metadata options apply to the instances that run `owner`'s code: its own
 * HttpTokens when it sets them, else those of the launch template it launches from (in this
 * template). `requires` is true when every possible value is `required` and the endpoint is on.
 */
export function tokenDecider(owner: string | undefined, configs: readonly LaunchConfig[]): { decider: string; requires: boolean } | undefined {
  const config = configs.find((c) => c.address === owner);
  if (!config) return undefined;
  const own = config.metadata?.httpTokens;
  const template = config.launchTemplate?.address ? configs.find((c) => c.address === config.launchTemplate!.address) : undefined;
  const decides = own?.state === 'missing' || own === undefined ? (template ?? config) : config;
  return { decider: decides.address, requires: requiresTokens(decides) };
}

function requiresTokens(config: LaunchConfig): boolean {
  const tokens = config.metadata?.httpTokens;
  const endpoint = config.metadata?.httpEndpoint;
  if (endpoint?.state === 'set' && endpoint.values.includes('disabled')) return false;
  return tokens?.state === 'set' && tokens.values.every((v) => v === 'required');
}

const ALLOWS_V1 = new Set(['tokensOptional', 'tokensMissing', 'tokensMissingToolDefault']);

/**
 * A resource whose instances accept IMDSv1 and run code that calls IMDS without a token: its
 * finding names the lines to fix before tokens can be required, and its fix (which requires
 * them) carries the fixes of those lines, so that applying it does not break them. When one of
 * them has no fix, requiring tokens would break it, and the finding offers no fix either.
 */
export function withTokenlessCallers(finding: IacFinding, analysed: readonly AnalysedSite[], configs: readonly LaunchConfig[]): IacFinding {
  if (finding.ruleId !== 'no-imdsv1-instance-config' || !ALLOWS_V1.has(finding.messageId)) return finding;
  const resource = finding.data.resource;
  const callers = analysed
    .filter((a) => a.site.owner !== undefined && tokenDecider(a.site.owner, configs)?.decider === resource)
    .map((a) => ({ site: a.site, findings: a.findings.filter(isTokenlessRequest) }))
    .filter((a) => a.findings.length > 0)
    .sort((a, b) => a.findings[0]!.start - b.findings[0]!.start);
  if (callers.length === 0) return finding;
  const parts = callers.map(({ site, findings }) => {
    const lines = [...new Set(findings.map((f) => f.line))].sort((a, b) => a - b);
    const name = site.owner === resource ? `its ${site.label}` : `the ${site.label} of ${site.owner}`;
    return `${name} (line${lines.length > 1 ? 's' : ''} ${listed(lines.map(String))})`;
  });
  const unfixable = [...new Set(callers.flatMap((c) => c.findings.filter((f) => f.fix?.safety !== 'safe').map((f) => f.line)))];
  const blocked = unfixable.length > 0
    ? `; the request${unfixable.length > 1 ? 's' : ''} on line${unfixable.length > 1 ? 's' : ''} ${listed(unfixable.map(String))} cannot be fixed automatically, so neither is this setting`
    : '';
  const context = `${finding.data.context ?? ''}; before requiring tokens, fix the IMDS requests without a token in ${listed(parts)}${blocked}`;
  // Requiring tokens while a caller stays tokenless breaks it: no fix then.
  const edits: Edit[] | undefined = finding.edits && finding.edits.length > 0 && unfixable.length === 0
    ? dedupe([...finding.edits, ...callers.flatMap((c) => c.findings.flatMap((f) => f.fix!.edits))])
    : undefined;
  const { edits: _, ...rest } = finding;
  return { ...rest, data: { ...finding.data, context }, ...(edits ? { edits } : {}) };
}

function listed(items: readonly string[]): string {
  return items.length <= 1 ? (items[0] ?? '') : `${items.slice(0, -1).join(', ')} and ${items.at(-1)}`;
}

function dedupe(edits: readonly Edit[]): Edit[] {
  const seen = new Set<string>();
  return edits.filter((e) => {
    const key = `${e.start}:${e.end}:${e.text}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
