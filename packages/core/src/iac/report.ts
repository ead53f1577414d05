import type { Edit } from '../finding.js';
import { hopLimitAboveOne, judgeLaunch } from './judge.js';
import type { LaunchConfig, LaunchDefaults, Span } from './model.js';

/** A finding of an IaC analyser before it gets its position, message and severity. */
export interface IacFinding {
  readonly ruleId: 'no-imdsv1-instance-config' | 'no-imds-hop-limit-above-one';
  readonly messageId: string;
  readonly data: Record<string, string>;
  readonly span: Span;
  readonly edits?: readonly Edit[];
}

export const REQUIRE_TOKENS_FIX =
  'Require IMDSv2 tokens. Code that calls IMDS without a token (user data, scripts, old SDKs) breaks once this is applied: fix it first';

/**
 * Judges every launch configuration of one configuration (a Terraform module, a CloudFormation
 * template, …) and words the findings. A launch template used by several consumers is reported
 * once, at the template; `consumers` maps a template address to the resources that use it.
 */
export function reportLaunches(
  configs: readonly LaunchConfig[],
  defaults: LaunchDefaults,
  tool: string,
  consumers: ReadonlyMap<string, readonly string[]> = new Map(),
): IacFinding[] {
  const templates = new Map(configs.filter((c) => c.kind === 'launch-template').map((c) => [c.address, c]));
  const findings: IacFinding[] = [];
  for (const config of configs) {
    const resource = config.address;
    const users = consumers.get(resource);
    const context = users && users.length > 0 ? ` (used by ${users.join(', ')})` : '';
    const verdict = judgeLaunch(config, defaults, templates);
    const fix = config.requireTokens?.edits;
    switch (verdict.kind) {
      case 'tokens-optional':
        findings.push({
          ruleId: 'no-imdsv1-instance-config',
          messageId: config.kind === 'notebook' ? 'notebookMinimumV1' : 'tokensOptional',
          data: { resource, value: verdict.values.join(' or '), context },
          span: verdict.at.span,
          edits: fix,
        });
        break;
      case 'tokens-missing':
        findings.push({
          ruleId: 'no-imdsv1-instance-config',
          messageId: config.kind === 'notebook' ? 'notebookMinimumMissing' : verdict.toolSendsOptional ? 'tokensMissingToolDefault' : 'tokensMissing',
          data: { resource, tool: config.moduleDefault ? `${config.moduleDefault.module}${config.moduleDefault.version ? ` ${config.moduleDefault.version}` : ''}` : (config.optionalSentBy ?? tool), context },
          span: config.metadata?.span ?? config.span,
          edits: fix,
        });
        break;
      case 'covered-by-default':
        findings.push({ ruleId: 'no-imdsv1-instance-config', messageId: 'coveredByDefault', data: { resource, source: verdict.by }, span: config.span, edits: fix });
        break;
      case 'cannot-determine':
        findings.push({ ruleId: 'no-imdsv1-instance-config', messageId: 'cannotDetermine', data: { resource, reason: verdict.reason }, span: config.span });
        break;
      case 'pass':
      case 'delegated':
        break;
    }
    const hop = hopLimitAboveOne(config);
    if (hop) findings.push({ ruleId: 'no-imds-hop-limit-above-one', messageId: 'hopLimitAboveOne', data: { resource, value: hop.values.join(' or ') }, span: hop.span });
  }
  return findings;
}
