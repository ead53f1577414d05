/**
 * The SourceCode of the plugin's languages: the plain tree, the file's comments (for
 * `eslint-disable…` directives and inline `eslint` rule configuration, written in the format's own
 * comment syntax), and the scanner's findings for the file, which the rules report.
 */
import type { Finding } from '@imds-guard/core';
import { ConfigCommentParser, Directive, TextSourceCodeBase, VisitNodeStep } from '@eslint/plugin-kit';
import type { AstNode, Comment } from './ast.js';

const commentParser = new ConfigCommentParser();

const DIRECTIVES = new Set(['eslint-disable', 'eslint-enable', 'eslint-disable-next-line', 'eslint-disable-line']);

type DirectiveType = 'disable' | 'enable' | 'disable-next-line' | 'disable-line';

interface FileProblem {
  ruleId: null;
  message: string;
  loc: Comment['loc'];
}

export class ImdsSourceCode extends TextSourceCodeBase<{
  LangOptions: Record<string, unknown>;
  RootNode: AstNode;
  SyntaxElementWithLoc: AstNode | Comment;
  ConfigNode: Comment;
}> {
  /** The comments, in order. */
  readonly comments: readonly Comment[];
  /** What `imds-guard scan` reports for this file, in order. */
  readonly findings: readonly Finding[];
  private readonly parents = new WeakMap<AstNode, AstNode>();

  constructor({ text, ast, comments, findings }: { text: string; ast: AstNode; comments: readonly Comment[]; findings: readonly Finding[] }) {
    super({ text, ast });
    this.comments = comments;
    this.findings = findings;
  }

  getParent(node: AstNode | Comment): AstNode | undefined {
    return node.type === 'Comment' ? undefined : this.parents.get(node as AstNode);
  }

  /** Depth-first, enter and exit, without recursion (trees can be thousands of levels deep). */
  *traverse(): Iterable<VisitNodeStep> {
    const stack: { node: AstNode; parent?: AstNode; exit: boolean }[] = [{ node: this.ast, exit: false }];
    while (stack.length > 0) {
      const { node, parent, exit } = stack.pop()!;
      if (exit) {
        yield new VisitNodeStep({ target: node, phase: 2, args: [node, parent] });
        continue;
      }
      if (parent) this.parents.set(node, parent);
      yield new VisitNodeStep({ target: node, phase: 1, args: [node, parent] });
      stack.push({ node, parent, exit: true });
      for (let i = node.children.length - 1; i >= 0; i--) stack.push({ node: node.children[i]!, parent: node, exit: false });
    }
  }

  getDisableDirectives(): { problems: FileProblem[]; directives: Directive[] } {
    const problems: FileProblem[] = [];
    const directives: Directive[] = [];
    for (const comment of this.comments) {
      const parsed = commentParser.parseDirective(comment.value);
      if (!parsed || !DIRECTIVES.has(parsed.label)) continue;
      const type = parsed.label.slice('eslint-'.length) as DirectiveType;
      if (type === 'disable-line' && comment.loc.start.line !== comment.loc.end.line) {
        problems.push({ ruleId: null, message: `${parsed.label} comment should not span multiple lines.`, loc: comment.loc });
        continue;
      }
      directives.push(new Directive({ type, node: comment, value: parsed.value, justification: parsed.justification }));
    }
    return { problems, directives };
  }

  /** Comments such as `# eslint imds-guard/no-imdsv1-request: off`. */
  getInlineConfigNodes(): Comment[] {
    return this.comments.filter((c) => commentParser.parseDirective(c.value)?.label === 'eslint');
  }

  applyInlineConfig(): { configs: { loc: Comment['loc']; config: { rules: Record<string, unknown> } }[]; problems: FileProblem[] } {
    const configs: { loc: Comment['loc']; config: { rules: Record<string, unknown> } }[] = [];
    const problems: FileProblem[] = [];
    for (const comment of this.getInlineConfigNodes()) {
      const parsed = commentParser.parseDirective(comment.value)!;
      const result = commentParser.parseJSONLikeConfig(parsed.value);
      if (result.ok) configs.push({ loc: comment.loc, config: { rules: result.config } });
      else problems.push({ ruleId: null, message: result.error.message, loc: comment.loc });
    }
    return { configs, problems };
  }
}
