import type { MappedText } from './mapped-text.js';

/** A place in a template (or SSM document) that holds code run on an instance. */
export interface ShellSite {
  /** The logical id of the resource whose instances run it, when it is one that launches instances. */
  readonly owner?: string;
  /** How a message names it next to its owner: `UserData`, `cfn-init command 01_register`. */
  readonly label: string;
  /** Said after each finding's message: `in the UserData of WebLaunchTemplate`. */
  readonly context: string;
  readonly text: MappedText;
  readonly language?: 'sh' | 'powershell';
  /** User data: its format (`#cloud-config`, `<powershell>`, a script) decides what runs. */
  readonly userData?: boolean;
}
