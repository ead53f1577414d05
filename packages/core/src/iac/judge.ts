import type { LaunchConfig, LaunchDefaults, Setting } from './model.js';

export type LaunchVerdict =
  | { readonly kind: 'pass' }
  | { readonly kind: 'tokens-optional'; readonly at: Setting & { state: 'set' }; readonly values: readonly string[] }
  | { readonly kind: 'tokens-missing'; readonly blockPresent: boolean; readonly toolSendsOptional: boolean }
  | { readonly kind: 'covered-by-default'; readonly by: string }
  | { readonly kind: 'cannot-determine'; readonly reason: string }
  | { readonly kind: 'delegated'; readonly to: string };

const REQUIRED = 'required';

/**
 * The IMDSv1 check, written once against the model (AWS semantics in the order of precedence):
 * the endpoint switched off passes; tokens set to anything but required allow IMDSv1 (every branch
 * of a condition counts); unset tokens fall back to the launch template, then to the tool's own
 * default, then to the AMI or account default.
 */
export function judgeLaunch(config: LaunchConfig, defaults: LaunchDefaults, templates: ReadonlyMap<string, LaunchConfig>): LaunchVerdict {
  if (config.kind === 'notebook') return judgeNotebook(config);
  if (config.moduleDefault) return judgeModule(config, defaults);
  const metadata = config.metadata;
  const endpoint = metadata?.httpEndpoint;
  if (endpoint?.state === 'set' && endpoint.values.every((v) => v === 'disabled')) return { kind: 'pass' };

  const tokens = metadata?.httpTokens ?? { state: 'missing' };
  if (tokens.state === 'set') {
    const bad = tokens.values.filter((v) => v !== REQUIRED);
    return bad.length === 0 ? { kind: 'pass' } : { kind: 'tokens-optional', at: tokens, values: bad };
  }
  if (tokens.state === 'unresolved') return { kind: 'cannot-determine', reason: tokens.reason };

  // Tokens unset: an instance takes them from its launch template (instance arguments win).
  if (config.launchTemplate) {
    const template = config.launchTemplate.address ? templates.get(config.launchTemplate.address) : undefined;
    if (!template) return { kind: 'cannot-determine', reason: `the launch template ${config.launchTemplate.reference} is not in this configuration` };
    return { kind: 'delegated', to: template.address };
  }
  const toolSendsOptional = config.whenMissing === 'optional' || (metadata !== undefined && config.kind === 'build-instance');
  if (!toolSendsOptional) {
    const covered = coveringDefault(config, defaults);
    if (covered) return covered;
  }
  return { kind: 'tokens-missing', blockPresent: metadata !== undefined, toolSendsOptional };
}

/** The account default, else an AMI registered with v2.0, when one makes unset tokens required. */
function coveringDefault(config: LaunchConfig, defaults: LaunchDefaults): LaunchVerdict | undefined {
  if (defaults.accountRequires) return { kind: 'covered-by-default', by: defaults.accountRequires };
  const ami = config.v2Ami ?? defaults.v2Ami;
  if (ami) return { kind: 'covered-by-default', by: ami };
  return undefined;
}

function judgeNotebook(config: LaunchConfig): LaunchVerdict {
  const version = config.minimumImdsVersion ?? { state: 'missing' };
  if (version.state === 'unresolved') return { kind: 'cannot-determine', reason: version.reason };
  if (version.state === 'missing') return { kind: 'tokens-missing', blockPresent: config.metadata !== undefined, toolSendsOptional: false };
  const bad = version.values.filter((v) => v !== '2');
  return bad.length === 0 ? { kind: 'pass' } : { kind: 'tokens-optional', at: version, values: bad };
}

function judgeModule(config: LaunchConfig, defaults: LaunchDefaults): LaunchVerdict {
  const module = config.moduleDefault!;
  const tokens = config.metadata?.httpTokens;
  if (tokens && tokens.state !== 'missing') return judgeLaunch({ ...config, moduleDefault: undefined }, defaults, new Map());
  // The endpoint switched off passes whatever the module sends for the tokens.
  const endpoint = config.metadata?.httpEndpoint;
  if (endpoint?.state === 'set' && endpoint.values.every((v) => v === 'disabled')) return { kind: 'pass' };
  switch (module.tokens) {
    case 'required':
      return { kind: 'pass' };
    case 'optional':
      return { kind: 'tokens-missing', blockPresent: config.metadata !== undefined, toolSendsOptional: true };
    case 'aws-default':
      // The module sends no metadata options, so the AWS defaults apply as to any other launch.
      return coveringDefault(config, defaults) ?? { kind: 'tokens-missing', blockPresent: false, toolSendsOptional: false };
    default:
      return { kind: 'cannot-determine', reason: module.reason ?? `the default of ${module.module}${module.version ? ` ${module.version}` : ''} is not known` };
  }
}

/** Hop limits above 1 let containers on the instance reach IMDS; informational, not an IMDSv1 finding. */
export function hopLimitAboveOne(config: LaunchConfig): (Setting & { state: 'set' }) | undefined {
  const hop = config.metadata?.hopLimit;
  if (hop?.state !== 'set') return undefined;
  return hop.values.some((v) => Number(v) > 1) ? hop : undefined;
}
