/**
 * The plugin's ESLint languages (ESLint ≥ 9.7 `languages` API): `sh` for shell scripts,
 * `terraform` for .tf/.tfvars and `cloudformation` for templates in YAML or JSON. Each parses the
 * file into a plain tree for selectors and directives and, in the same synchronous `parse`, runs
 * the scanner's analysers on it; the rules then report those findings.
 */
import type { File, Language, OkParseResult } from '@eslint/core';
import type { Finding } from '@imds-guard/core';
import type { AstNode, Comment } from './ast.js';
import { emptyTree, parseCloudFormation, syntaxOf, VISITOR_KEYS } from './cloudformation-ast.js';
import { analyseFile, mayMatter, type FileFindings } from './file-analysis.js';
import { ImdsSourceCode } from './source-code.js';
import { parseTree, visitorKeysOf, type ParsedTree } from './tree-sitter-ast.js';

export type LanguageName = 'sh' | 'terraform' | 'cloudformation';

interface Parsed extends OkParseResult<AstNode> {
  readonly comments: readonly Comment[];
  readonly findings: readonly Finding[];
}

type ParseOutcome = Parsed | { ok: false; errors: { message: string; line: number; column: number }[] };

const textOf = (file: File) => (typeof file.body === 'string' ? file.body : new TextDecoder().decode(file.body));
/** The file on disk, which the analysers name findings by and read a Terraform module's other files next to. */
const pathOf = (file: File) => file.physicalPath || file.path;

/**
 * An analysis that fails is reported for its file only, as a parsing error (the scan lists it as
 * "analysis failed" and goes on): one file must not stop the whole lint run.
 */
function guarded(parse: (text: string, path: string) => ParseOutcome): (text: string, path: string) => ParseOutcome {
  return (text, path) => {
    try {
      return parse(text, path);
    } catch (err) {
      return { ok: false, errors: [{ message: `imds-guard could not analyse this file: ${err instanceof Error ? err.message : String(err)}`, line: 1, column: 1 }] };
    }
  };
}

function language(visitorKeys: Record<string, string[]>, unguarded: (text: string, path: string) => ParseOutcome): Language {
  const parse = guarded(unguarded);
  return {
    fileType: 'text',
    lineStart: 1,
    columnStart: 0,
    nodeTypeKey: 'type',
    visitorKeys,
    defaultLanguageOptions: {},
    validateLanguageOptions(options: Record<string, unknown>) {
      const unknown = Object.keys(options ?? {});
      if (unknown.length > 0) throw new Error(`imds-guard languages take no languageOptions, got: ${unknown.join(', ')}`);
    },
    parse: (file: File) => parse(textOf(file), pathOf(file)),
    createSourceCode(file: File, result: OkParseResult<AstNode>) {
      const { comments, findings } = result as Parsed;
      return new ImdsSourceCode({ text: textOf(file), ast: result.ast, comments, findings });
    },
  } as unknown as Language;
}

const ok = (tree: ParsedTree, analysis: FileFindings): Parsed => ({ ok: true, ast: tree.ast, comments: tree.comments, findings: analysis.findings });

/**
 * Shell scripts. tree-sitter recovers from any syntax error, and so does the analysis: findings
 * elsewhere in a broken script are still reported, never a parsing error.
 */
const sh = language(visitorKeysOf('bash'), (text, path) => ok(parseTree('bash', text), analyseFile(path, text, 'shell')));

/** Terraform: the file is analysed with the other .tf/.tfvars files of its directory (its module), as the scan does. */
const terraform = language(visitorKeysOf('terraform'), (text, path) => ok(parseTree('terraform', text), analyseFile(path, text, 'terraform')));

/**
 * CloudFormation templates, YAML or JSON. Any YAML or JSON file can be given to it: a file that
 * the scanner's prefilter passes over gets an empty tree and no analysis, so ordinary YAML and
 * JSON cost one text search (and YAML a parse when it holds ESLint directive comments). A file
 * the scanner recognises as a template but cannot read is a parsing error, with its positions.
 */
const cloudformation = language(VISITOR_KEYS, (text, path) => {
  const syntax = syntaxOf(path, text);
  const matters = mayMatter(path, text, 'cloudformation');
  // A YAML file's comments may hold ESLint directives (for other rules too); JSON has no comments.
  const directives = syntax === 'yaml' && text.includes('eslint');
  const tree = matters || directives ? parseCloudFormation(syntax, text) : emptyTree(syntax, text);
  if (!matters) return ok(tree, { findings: [], syntaxProblems: [] });
  const analysis = analyseFile(path, text, 'cloudformation');
  if (analysis.syntaxProblems.length > 0) {
    const kind = syntax === 'json' ? 'JSON' : 'YAML';
    return { ok: false, errors: analysis.syntaxProblems.map((p) => ({ message: `this template is not valid ${kind}`, line: p.line, column: p.column })) };
  }
  return ok(tree, analysis);
});

export const languages: Record<LanguageName, Language> = { sh, terraform, cloudformation };
