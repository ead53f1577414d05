/**
 * The flat configs the plugin ships. `recommended` turns on every rule that rules/ marks as
 * recommended, at the severity rules/ gives it, for every JavaScript and TypeScript extension; it
 * parses TypeScript with @typescript-eslint/parser (loaded on first use, so JavaScript-only
 * projects need no `typescript`) and JSX in .jsx files. It composes with typescript-eslint's
 * configs: theirs may set the parser and parserOptions for the same files; the rules need no types.
 */
import { createRequire } from 'node:module';
import type { ESLint, Linter } from 'eslint';
import { getRule } from '@imds-guard/core';

export const JS_FILES = ['**/*.js', '**/*.mjs', '**/*.cjs', '**/*.jsx'];
export const TS_FILES = ['**/*.ts', '**/*.tsx', '**/*.mts', '**/*.cts'];

const require = createRequire(import.meta.url);
let tsParser: Linter.Parser | undefined;
const loadParser = (): Linter.Parser => (tsParser ??= require('@typescript-eslint/parser') as Linter.Parser);

/** @typescript-eslint/parser, required only when a TypeScript file is parsed. */
export const typescriptParser = {
  meta: { name: '@typescript-eslint/parser (via eslint-plugin-imds-guard)' },
  parseForESLint(code: string, options?: Record<string, unknown>) {
    const parser = loadParser();
    if ('parseForESLint' in parser && parser.parseForESLint) return parser.parseForESLint(code, options);
    return { ast: (parser as { parse: (c: string, o?: unknown) => unknown }).parse(code, options) };
  },
} as unknown as Linter.Parser;

const SEVERITY = { error: 'error', warning: 'warn', note: 'warn' } as const;

export function recommendedConfig(plugin: ESLint.Plugin, namespace: string, ruleIds: readonly string[]): Linter.Config[] {
  const rules: Linter.RulesRecord = {};
  for (const id of ruleIds) {
    const meta = getRule(id);
    if (meta?.recommended) rules[`${namespace}/${id}`] = SEVERITY[meta.severity];
  }
  return [
    { name: `${namespace}/recommended`, files: [...JS_FILES, ...TS_FILES], plugins: { [namespace]: plugin }, rules },
    { name: `${namespace}/recommended/jsx`, files: ['**/*.jsx'], languageOptions: { parserOptions: { ecmaFeatures: { jsx: true } } } },
    { name: `${namespace}/recommended/typescript`, files: TS_FILES, languageOptions: { parser: typescriptParser } },
  ];
}
