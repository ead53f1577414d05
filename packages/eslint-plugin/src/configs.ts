/**
 * `recommended-languages`: the plugin's languages for the file types the scanner reads besides
 * JavaScript, with every rule rules/ recommends, at its severity (a note is a warning in ESLint).
 * It is a config of its own, not part of `recommended`: it makes ESLint lint .sh, .tf, .yaml and
 * .json files, where rules of other configs that apply to every file would then run too.
 */
import type { ESLint, Linter } from 'eslint';
import { getRule } from '@imds-guard/core';
import type { LanguageName } from './languages/languages.js';
import { rules, severityOf } from './rules.js';

export const LANGUAGE_FILES: Record<LanguageName, string[]> = {
  sh: ['**/*.sh', '**/*.bash'],
  terraform: ['**/*.tf', '**/*.tfvars'],
  cloudformation: ['**/*.yaml', '**/*.yml', '**/*.json', '**/*.template'],
};

export function languageConfigs(plugin: ESLint.Plugin, namespace: string): Linter.Config[] {
  const ruleSettings: Linter.RulesRecord = {};
  for (const id of Object.keys(rules)) {
    if (getRule(id)?.recommended) ruleSettings[`${namespace}/${id}`] = severityOf(id);
  }
  return (Object.keys(LANGUAGE_FILES) as LanguageName[]).map((name) => ({
    name: `${namespace}/recommended-languages/${name}`,
    files: LANGUAGE_FILES[name],
    plugins: { [namespace]: plugin },
    language: `${namespace}/${name}`,
    rules: ruleSettings,
  }));
}
