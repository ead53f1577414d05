/**
 * The JavaScript and TypeScript rules of eslint-plugin-imds-guard, as a plugin of their own: the
 * scanner runs them through ESLint's Linter for JS/TS files, and the published plugin (which also
 * brings the languages for shell, Terraform and CloudFormation, built on the scanner) wraps them.
 * Keeping them apart keeps the packages acyclic: core <- eslint-rules <- scanner <- eslint-plugin.
 */
import { createRequire } from 'node:module';
import type { ESLint, Linter } from 'eslint';
import { recommendedConfig } from './configs.js';
import noImdsv1InstanceConfig from './rules/no-imdsv1-instance-config.js';
import noImdsv1Request from './rules/no-imdsv1-request.js';
import noInvalidImdsTokenRequest from './rules/no-invalid-imds-token-request.js';

const pkg = createRequire(import.meta.url)('../package.json') as { name: string; version: string };

export const NAMESPACE = 'imds-guard';

/** The JavaScript/TypeScript rules, as RuleCreator made them (no `meta.languages`: JS only). */
export const rules = {
  'no-imdsv1-instance-config': noImdsv1InstanceConfig,
  'no-imdsv1-request': noImdsv1Request,
  'no-invalid-imds-token-request': noInvalidImdsTokenRequest,
};

export type RuleName = keyof typeof rules;

interface Plugin extends ESLint.Plugin {
  readonly meta: { readonly name: string; readonly version: string; readonly namespace: string };
  readonly rules: NonNullable<ESLint.Plugin['rules']>;
  readonly configs: { readonly recommended: Linter.Config[] };
}

const configs = { recommended: [] as Linter.Config[] };

const plugin: Plugin = {
  meta: { name: pkg.name, version: pkg.version, namespace: NAMESPACE },
  rules: rules as unknown as NonNullable<ESLint.Plugin['rules']>,
  configs,
};
configs.recommended.push(...recommendedConfig(plugin, NAMESPACE, Object.keys(rules)));

export { mayMakeImdsRequests, REQUEST_NEEDLES } from './analysis/file-requests.js';
export { LAUNCH_NEEDLES, mayConfigureInstances } from './analysis/launches.js';
export { JS_FILES, recommendedConfig, TS_FILES, typescriptParser } from './configs.js';
export { ruleMeta } from './util/create-rule.js';
export default plugin;
