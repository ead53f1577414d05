/**
 * The JavaScript/TypeScript rules as the scanner gets them: exactly the rules that rules/ targets
 * at JavaScript and TypeScript, with no `meta.languages` (JavaScript only; the published plugin
 * adds its languages), and a JS-only recommended config under the plugin's namespace.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { allRules, getRule } from '@imds-guard/core';
import plugin, { NAMESPACE, rules } from '../src/index.ts';

describe('@imds-guard/eslint-rules', () => {
  it('implements exactly the rules that rules/ targets at JavaScript and TypeScript', () => {
    const targeted = allRules().filter((r) => r.targets.includes('javascript') || r.targets.includes('typescript')).map((r) => r.id).sort();
    assert.deepEqual(Object.keys(rules).sort(), targeted);
    for (const id of targeted) assert.deepEqual(getRule(id)!.targets.filter((t) => t === 'javascript' || t === 'typescript'), ['javascript', 'typescript'], id);
    for (const rule of Object.values(rules)) assert.equal((rule.meta as { languages?: unknown }).languages, undefined);
  });

  it('recommends them for JS/TS files under the imds-guard namespace', () => {
    assert.equal(NAMESPACE, 'imds-guard');
    assert.equal(plugin.meta.namespace, 'imds-guard');
    const [main] = plugin.configs.recommended;
    assert.deepEqual(main!.plugins, { 'imds-guard': plugin });
    assert.deepEqual(Object.keys(main!.rules!).sort(), Object.keys(rules).map((id) => `imds-guard/${id}`).sort());
  });
});
