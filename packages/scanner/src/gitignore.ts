import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import ignore, { type Ignore } from 'ignore';
import type { FileError } from '@imds-guard/core';
import { describeFsError } from './fs-errors.js';

/**
 * .gitignore rules as git applies them (gitignore(5)), for a directory walk that git does not do
 * for us. Paths are relative to the walk's root with `/` separators.
 *
 * - The rules of a .gitignore are relative to its directory and apply to everything below it.
 * - For each path the deepest .gitignore with a matching rule decides, and within one file the
 *   last matching rule; `$GIT_DIR/info/exclude` comes after every .gitignore.
 * - A directory that is ignored is not entered: nothing below it can be re-included. But a
 *   directory that a deeper `!pattern` re-includes is entered, and its files are matched only
 *   against the patterns themselves. (Asking `ignore` about `a/logs/x` would also ask about
 *   `a/logs/`, and get the shallower file's verdict, not git's.)
 * - The user's global excludes file (core.excludesFile) is not read, here nor in the git fast
 *   path: a CI run and a laptop must agree on what was scanned.
 */

/** The rules of one file, and how to turn a walk-relative path into one relative to their directory. */
export interface RuleSource {
  readonly rules: Ignore;
  /** Characters cut from the front of a walk-relative path (the rules' directory and its `/`)… */
  readonly drop: number;
  /** …and what is put in their place (the walk root relative to a rules' directory above it). */
  readonly prefix: string;
}

interface DirRules {
  readonly ignored: boolean;
  /** Below a directory the user asked to scan whatever .gitignore says (cdk.out, opted in). */
  readonly exempt: boolean;
  /** Deepest first. */
  readonly sources: readonly RuleSource[];
}

const IGNORED: DirRules = { ignored: true, exempt: false, sources: [] };
const EXEMPT: DirRules = { ignored: false, exempt: true, sources: [] };

export function parseRules(text: string): Ignore {
  // git matches case-sensitively unless core.ignoreCase (case-insensitive file systems).
  return ignore({ ignorecase: false }).add(text);
}

export class GitignoreMatcher {
  private readonly dirs = new Map<string, DirRules>();

  /**
   * @param own the rules of each .gitignore inside the walk, by directory ('' is the root)
   * @param above rules from outside the walk (its parents' .gitignore, info/exclude), deepest first
   * @param exemptDir directory names whose contents are listed whatever the rules say
   */
  constructor(
    private readonly own: ReadonlyMap<string, Ignore>,
    private readonly above: readonly RuleSource[] = [],
    private readonly exemptDir?: (name: string) => boolean,
  ) {}

  /** `rel` relative to the walk root, `/`-separated, without a trailing slash. */
  ignores(rel: string, isDirectory: boolean): boolean {
    const cut = rel.lastIndexOf('/');
    const parent = this.dir(cut < 0 ? '' : rel.slice(0, cut));
    if (parent.ignored) return true;
    if (parent.exempt || (isDirectory && this.exemptDir?.(rel.slice(cut + 1)))) return false;
    return decide(parent.sources, isDirectory ? `${rel}/` : rel);
  }

  /**
   * What applies below a directory, worked out when first asked: a walk adds each directory's
   * rules to `own` when it reads the directory, before it asks about anything in it.
   */
  private dir(rel: string): DirRules {
    const known = this.dirs.get(rel);
    if (known) return known;
    if (rel === '') {
      const root = this.own.get('');
      const rules = { ignored: false, exempt: false, sources: root ? [{ rules: root, drop: 0, prefix: '' }, ...this.above] : this.above };
      this.dirs.set('', rules);
      return rules;
    }
    const cut = rel.lastIndexOf('/');
    const parent = this.dir(cut < 0 ? '' : rel.slice(0, cut));
    let rules: DirRules;
    if (parent.ignored) rules = IGNORED;
    else if (parent.exempt || this.exemptDir?.(rel.slice(cut + 1))) rules = EXEMPT;
    else if (decide(parent.sources, `${rel}/`)) rules = IGNORED;
    else {
      const own = this.own.get(rel);
      rules = own ? { ignored: false, exempt: false, sources: [{ rules: own, drop: rel.length + 1, prefix: '' }, ...parent.sources] } : parent;
    }
    this.dirs.set(rel, rules);
    return rules;
  }
}

function decide(sources: readonly RuleSource[], path: string): boolean {
  for (const source of sources) {
    const verdict = testOnly(source.rules, source.prefix + path.slice(source.drop));
    if (verdict.ignored) return true;
    if (verdict.unignored) return false;
  }
  return false;
}

interface Verdict {
  readonly ignored: boolean;
  readonly unignored: boolean;
}

/**
 * The verdict of the rules on the path alone, without `ignore`'s check of its parent directories
 * (this module walks those itself, deepest .gitignore first, as git does). `ignore` 7.0.16, pinned
 * exactly, has it as `_rules.test(path, 'regex')`; the public `test` is the fallback, right in all
 * but the case of a directory re-included by a deeper .gitignore. A test pins the behaviour.
 */
function testOnly(rules: Ignore, path: string): Verdict {
  const list = (rules as unknown as { _rules?: { test?: (path: string, mode: string) => Verdict } })._rules;
  return typeof list?.test === 'function' ? list.test(path, 'regex') : rules.test(path);
}

/**
 * The rules that reach into `root` from above: the .gitignore of each directory between it and the
 * top of its git work tree, and that repository's info/exclude. Outside a git repository only the
 * rules inside `root` count, as git would have none to read.
 */
export function rulesAbove(root: string, errors: FileError[], stopAt?: string): RuleSource[] {
  const sources: RuleSource[] = [];
  let dir = root;
  for (;;) {
    if (dir !== root) {
      const rules = readRules(join(dir, '.gitignore'), errors);
      if (rules) sources.push({ rules, drop: 0, prefix: toPrefix(relative(dir, root)) });
    }
    // `stopAt`: the top is given (a walk inside a git listing, through nested repositories).
    if (stopAt !== undefined ? dir === stopAt : existsSync(join(dir, '.git'))) {
      const exclude = readRules(join(gitDir(dir), 'info', 'exclude'), errors);
      if (exclude) sources.push({ rules: exclude, drop: 0, prefix: toPrefix(relative(dir, root)) });
      return sources;
    }
    const up = dirname(dir);
    if (up === dir) return stopAt !== undefined ? sources : []; // not in a git work tree: nothing from above
    dir = up;
  }
}

/**
 * The repository's own directory: `.git`, or for a linked worktree or a submodule, where the
 * `.git` file points (and for a worktree, the main repository's, which holds info/exclude).
 */
function gitDir(top: string): string {
  const dotGit = join(top, '.git');
  try {
    if (statSync(dotGit).isDirectory()) return dotGit;
    const pointer = /^gitdir: (.+)$/m.exec(readFileSync(dotGit, 'utf8'))?.[1]?.trim();
    if (!pointer) return dotGit;
    const dir = resolve(top, pointer);
    const common = existsSync(join(dir, 'commondir')) ? readFileSync(join(dir, 'commondir'), 'utf8').trim() : '.';
    return resolve(dir, common);
  } catch {
    return dotGit;
  }
}

/** Reads a rules file; absent or not a file gives undefined, unreadable is reported. */
export function readRules(path: string, errors: FileError[]): Ignore | undefined {
  try {
    if (!statSync(path, { throwIfNoEntry: false })?.isFile()) return undefined;
    return parseRules(readFileSync(path, 'utf8'));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOTDIR') return undefined;
    errors.push({ file: path, message: `cannot read ignore rules: ${describeFsError(err)}` });
    return undefined;
  }
}

function toPrefix(rel: string): string {
  if (rel === '') return '';
  return `${sep === '/' ? rel : rel.split(sep).join('/')}/`;
}
