/**
 * eslint-plugin-imds-guard: finds EC2 IMDSv1 requests and infrastructure that lets instances
 * accept IMDSv1, in JavaScript and TypeScript (its own rules) and, through ESLint languages
 * backed by the imds-guard scanner, in shell scripts, Terraform and CloudFormation templates.
 *
 *   import imdsGuard from 'eslint-plugin-imds-guard';
 *   export default [...imdsGuard.configs.recommended, ...imdsGuard.configs['recommended-languages']];
 *
 * ESM-only: the tree-sitter grammars are loaded with a top-level await, because ESLint's `parse`
 * is synchronous.
 */
import { createRequire } from 'node:module';
import type { ESLint, Linter } from 'eslint';
import { recommendedConfig } from '@imds-guard/eslint-rules';
import { languageConfigs } from './configs.js';
import { languages } from './languages/languages.js';
import { JS_RULE_IDS, NAMESPACE, rules } from './rules.js';

const pkg = createRequire(import.meta.url)('../package.json') as { name: string; version: string };

export { NAMESPACE, rules };
export type RuleName = keyof typeof rules;

interface Plugin extends ESLint.Plugin {
  readonly meta: { readonly name: string; readonly version: string; readonly namespace: string };
  readonly rules: NonNullable<ESLint.Plugin['rules']>;
  readonly languages: NonNullable<ESLint.Plugin['languages']>;
  readonly configs: { readonly recommended: Linter.Config[]; readonly 'recommended-languages': Linter.Config[] };
}

const configs = { recommended: [] as Linter.Config[], 'recommended-languages': [] as Linter.Config[] };

const plugin: Plugin = {
  meta: { name: pkg.name, version: pkg.version, namespace: NAMESPACE },
  rules: rules as unknown as NonNullable<ESLint.Plugin['rules']>,
  languages: languages as unknown as NonNullable<ESLint.Plugin['languages']>,
  configs,
};
configs.recommended.push(...recommendedConfig(plugin, NAMESPACE, JS_RULE_IDS));
configs['recommended-languages'].push(...languageConfigs(plugin, NAMESPACE));

export { LAUNCH_NEEDLES, mayConfigureInstances, mayMakeImdsRequests, REQUEST_NEEDLES, JS_FILES, TS_FILES, typescriptParser } from '@imds-guard/eslint-rules';
export { LANGUAGE_FILES } from './configs.js';
export default plugin;
