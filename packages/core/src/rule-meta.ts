export type Severity = 'error' | 'warning' | 'note';
/** A language or file format: the shell rules also apply to the scripts in the host formats (Dockerfile RUN, CI steps, user data, …). */
export type Target =
  | 'bash'
  | 'javascript'
  | 'typescript'
  | 'terraform'
  | 'cloudformation'
  | 'ansible'
  | 'packer'
  | 'powershell'
  | 'dockerfile'
  | 'makefile'
  | 'systemd'
  | 'ci'
  | 'cloud-init';

export interface RuleMessage {
  readonly text: string;
  readonly severity?: Severity;
}

export interface RuleMeta {
  readonly id: string;
  readonly code: string;
  readonly title: string;
  readonly severity: Severity;
  readonly type: 'problem' | 'suggestion';
  readonly targets: readonly Target[];
  readonly recommended: boolean;
  readonly since: string;
  readonly aliases: readonly string[];
  readonly fix: { readonly availability: 'always' | 'sometimes' | 'none'; readonly safety: 'safe' | 'unsafe' };
  readonly messages: Readonly<Record<string, RuleMessage>>;
  readonly references: readonly string[];
}
