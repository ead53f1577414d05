import type { Edit } from '../finding.js';

/** A source range as UTF-16 offsets into one file. */
export interface Span {
  readonly file: string;
  readonly start: number;
  readonly end: number;
}

/**
 * A setting as far as static analysis knows it. `values` has more than one entry when the value
 * depends on a condition (`cond ? "required" : "optional"`, `Fn::If`): each is possible.
 */
export type Setting =
  | { readonly state: 'set'; readonly values: readonly string[]; readonly span: Span; readonly via?: string }
  | { readonly state: 'unresolved'; readonly reason: string; readonly span: Span }
  | { readonly state: 'missing' };

export const MISSING: Setting = { state: 'missing' };

/** The metadata options block of any format: Terraform `metadata_options`, CFN `MetadataOptions`, … */
export interface MetadataOptions {
  readonly span: Span;
  readonly httpTokens: Setting;
  readonly httpEndpoint: Setting;
  readonly hopLimit: Setting;
}

export type LaunchKind =
  | 'instance'
  | 'launch-template'
  | 'launch-configuration'
  | 'spot-request'
  | 'image-builder'
  | 'build-instance'
  | 'notebook';

/**
 * "Something that launches EC2 instances, and its metadata options": the one model every IaC
 * adapter (Terraform, CloudFormation, Ansible, Packer) maps its resources onto, so that the checks
 * below are written once.
 */
export interface LaunchConfig {
  readonly kind: LaunchKind;
  /** `aws_instance.web`, a CFN logical id, an Ansible task, a Packer source. */
  readonly address: string;
  /** Where a finding about a missing setting is reported: the resource header. */
  readonly span: Span;
  readonly metadata?: MetadataOptions;
  /**
   * What the tool sends when the block or `http_tokens` is absent: `aws-default` leaves it to
   * AWS (optional unless the AMI or the account default says otherwise); `optional` means the tool
   * itself sends optional (Packer always, Ansible when `metadata_options` is given).
   */
  readonly whenMissing: 'aws-default' | 'optional';
  /**
   * Who sends optional when `whenMissing` is `optional`, if not the tool the report is about: a
   * service with its own default (`Image Builder`). Used only in the message.
   */
  readonly optionalSentBy?: string;
  /**
   * An AMI this resource launches from that is registered with `ImdsSupport: v2.0`, as the message
   * should name it. Unlike `LaunchDefaults.v2Ami` it covers only this resource: instances launched
   * from other images do not benefit.
   */
  readonly v2Ami?: string;
  /** The launch template this resource launches from, when it names one. */
  readonly launchTemplate?: { readonly address?: string; readonly reference: string };
  /** For `notebook`: the minimum IMDS version ("1" or "2"). */
  readonly minimumImdsVersion?: Setting;
  /** Edits that make tokens required, in the file's own style; absent when no safe edit exists. */
  readonly requireTokens?: { readonly edits: readonly Edit[]; readonly note?: string };
  /** For a module call judged by the module's defaults. */
  readonly moduleDefault?: {
    readonly module: string;
    readonly version?: string;
    readonly tokens: 'required' | 'optional' | 'aws-default' | 'unknown';
    /** For `unknown`: why (e.g. the version constraint allows versions with different defaults). */
    readonly reason?: string;
  };
}

/** What else in the same configuration changes the default of an unset HttpTokens. */
export interface LaunchDefaults {
  /** `aws_ec2_instance_metadata_defaults` / an account-level default that requires tokens. */
  readonly accountRequires?: string;
  /** An AMI in the same configuration registered with `imds_support = "v2.0"`. */
  readonly v2Ami?: string;
}
