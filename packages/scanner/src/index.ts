export { analyseShell, type ShellAnalysis, type SyntaxProblem } from './bash/index.js';
export { looksLikeShell } from './bash/shell-file.js';
export { getBashParser, withBashTree } from './tree-sitter.js';
