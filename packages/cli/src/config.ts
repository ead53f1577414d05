import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import type { Severity } from '@imds-guard/core';
import { findRule, knownRuleNames, type RuleSettings } from '@imds-guard/scanner';

export const CONFIG_FILE = 'imds-guard.config.json';
export const PACKAGE_KEY = 'imds-guard';

/** What a configuration file can set; command-line flags win over it. */
export interface Config {
  /** Where it came from (`imds-guard.config.json`, or `package.json` for the key), for messages; undefined: none found. */
  readonly source?: string;
  /** By canonical rule id. */
  readonly rules: RuleSettings;
  /** .gitignore-syntax patterns, relative to the directory the configuration file is in. */
  readonly exclude: string[];
  readonly failOn?: Severity;
  readonly maxFileSize?: number;
}

/** A configuration that cannot be used: the message names the file and the bad key. */
export class ConfigError extends Error {}

const SEVERITIES: readonly string[] = ['error', 'warning', 'note'];
const KEYS = ['$schema', 'rules', 'exclude', 'failOn', 'maxFileSize'] as const;

export const EMPTY_CONFIG: Config = { rules: {}, exclude: [] };

/**
 * Finds the configuration for a run in `cwd`: `imds-guard.config.json` or an `"imds-guard"` key in
 * `package.json`, in `cwd` or the nearest directory above it, up to the top of the git work tree
 * (or of the file system outside one). In one directory the dedicated file wins over package.json.
 * `explicit` (--config) skips the search.
 */
export function loadConfig(cwd: string, explicit?: string): Config {
  if (explicit !== undefined) {
    const path = resolve(cwd, explicit);
    return parseConfigFile(path, relative(cwd, path) || path, false, cwd);
  }
  for (let dir = resolve(cwd); ; dir = dirname(dir)) {
    const file = join(dir, CONFIG_FILE);
    if (isFile(file)) return parseConfigFile(file, display(cwd, file), false, cwd);
    const pkg = join(dir, 'package.json');
    if (isFile(pkg)) {
      const found = parseConfigFile(pkg, display(cwd, pkg), true, cwd);
      if (found.source !== undefined) return found;
    }
    if (existsSync(join(dir, '.git')) || dirname(dir) === dir) return EMPTY_CONFIG;
  }
}

function display(cwd: string, path: string): string {
  const rel = relative(cwd, path);
  return rel === '' ? path : rel.split('\\').join('/');
}

function isFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

function parseConfigFile(path: string, name: string, packageJson: boolean, cwd: string): Config {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new ConfigError(`${name}: cannot read: ${err instanceof Error ? err.message : String(err)}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text.replace(/^\ufeff/, ''));
  } catch (err) {
    throw new ConfigError(`${name}: not valid JSON: ${err instanceof Error ? err.message : String(err)}`);
  }
  if (packageJson) {
    if (!isObject(json) || !Object.hasOwn(json, PACKAGE_KEY)) return EMPTY_CONFIG;
    return { ...validateConfig(json[PACKAGE_KEY], `${name}: "${PACKAGE_KEY}"`, dirname(path), cwd), source: name };
  }
  return { ...validateConfig(json, name, dirname(path), cwd), source: name };
}

/**
 * Checks a parsed configuration; every error names the file and the key (`rules.no-such-rule`).
 * `base` is the directory relative patterns start from.
 */
export function validateConfig(value: unknown, where: string, base: string, cwd: string = base): Config {
  const fail = (key: string, problem: string): never => {
    throw new ConfigError(`${where}${key ? `: ${key}` : ''}: ${problem}`);
  };
  if (!isObject(value)) return fail('', `must be a JSON object, not ${describe(value)}`);
  for (const key of Object.keys(value)) {
    if (!(KEYS as readonly string[]).includes(key)) {
      fail(key, `unknown key${suggest(key, KEYS)}; the keys are ${KEYS.filter((k) => k !== '$schema').join(', ')}`);
    }
  }

  const rules: Record<string, Severity | 'off'> = {};
  if (value.rules !== undefined) {
    if (!isObject(value.rules)) fail('rules', `must be an object mapping rules to "error", "warning", "note", "on" or "off", not ${describe(value.rules)}`);
    const named = new Map<string, string>();
    for (const [name, setting] of Object.entries(value.rules as Record<string, unknown>)) {
      const rule = findRule(name);
      if (!rule) fail(`rules.${name}`, `not an imds-guard rule, code or alias; known rules: ${knownRuleNames()}`);
      const earlier = named.get(rule!.id);
      if (earlier !== undefined) fail(`rules.${name}`, `names the same rule as rules.${earlier} (${rule!.id})`);
      named.set(rule!.id, name);
      if (setting === 'on') continue;
      if (setting !== 'off' && !SEVERITIES.includes(setting as string)) {
        fail(`rules.${name}`, `must be "error", "warning", "note", "on" (its default severity) or "off", not ${describe(setting)}`);
      }
      rules[rule!.id] = setting as Severity | 'off';
    }
  }

  const exclude: string[] = [];
  if (value.exclude !== undefined) {
    if (!Array.isArray(value.exclude)) fail('exclude', `must be an array of patterns, not ${describe(value.exclude)}`);
    (value.exclude as unknown[]).forEach((p, i) => {
      if (typeof p !== 'string' || p.trim() === '') fail(`exclude[${i}]`, `must be a non-empty pattern string, not ${describe(p)}`);
      const rebased = rebase(p as string, base, cwd);
      if (rebased !== undefined) exclude.push(rebased);
    });
  }

  let failOn: Severity | undefined;
  if (value.failOn !== undefined) {
    if (!SEVERITIES.includes(value.failOn as string)) fail('failOn', `must be "error", "warning" or "note", not ${describe(value.failOn)}`);
    failOn = value.failOn as Severity;
  }

  let maxFileSize: number | undefined;
  if (value.maxFileSize !== undefined) {
    const n = value.maxFileSize;
    if (typeof n !== 'number' || !Number.isSafeInteger(n) || n <= 0) fail('maxFileSize', `must be a positive whole number of bytes, not ${describe(n)}`);
    maxFileSize = n as number;
  }

  return { rules, exclude, ...(failOn && { failOn }), ...(maxFileSize !== undefined && { maxFileSize }) };
}

// Patterns in the file are relative to its directory, but the scan takes them relative to the
// working directory. A pattern without a slash but a trailing one (`*.generated.sh`, `fixtures/`)
// matches at any depth and stays as it is, and so does one starting with `**/`; an anchored one
// (`infra/legacy/**`) is rewritten for the working directory, and dropped when it points outside
// it (it could not match anything scanned from there).
export function rebase(pattern: string, base: string, cwd: string): string | undefined {
  const negated = pattern.startsWith('!');
  const body = negated ? pattern.slice(1) : pattern;
  const anchored = body.replace(/\/$/, '').includes('/');
  if (!anchored || body.startsWith('**/')) return pattern;
  const rel = body.replace(/^\//, '');
  const down = relative(cwd, base).split('\\').join('/');
  const up = relative(base, cwd).split('\\').join('/');
  let out: string;
  if (down === '') out = rel;
  else if (!down.startsWith('..')) out = `${down}/${rel}`;
  else if (rel.startsWith(`${up}/`)) out = rel.slice(up.length + 1);
  else return undefined;
  return `${negated ? '!' : ''}/${out}`;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'object') return 'an object';
  return `${typeof value} ${String(value)}`;
}

/** ` (did you mean "rules"?)` for a near miss. */
function suggest(key: string, options: readonly string[]): string {
  const lower = key.toLowerCase();
  const close = options.find((o) => o.toLowerCase() === lower || distance(o.toLowerCase(), lower) <= 2);
  return close ? ` (did you mean "${close}"?)` : '';
}

function distance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const next = Math.min(row[j]! + 1, row[j - 1]! + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = row[j]!;
      row[j] = next;
    }
  }
  return row[b.length]!;
}
