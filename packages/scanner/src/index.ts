export { analyseShell, type ShellAnalysis, type SyntaxProblem } from './bash/index.js';
export { looksLikeShell } from './bash/shell-file.js';
export { getBashParser, getParser, withBashTree, withTree, type Grammar } from './tree-sitter.js';
export { DEFAULT_EXCLUDES, discoverFiles, type DiscoveredFile, type DiscoverOptions, type Discovery, type Lister } from './discover.js';
export {
  checkSourceBytes,
  DEFAULT_MAX_FILE_BYTES,
  decodeChecked,
  decodeSource,
  readHead,
  readSourceBytes,
  readSourceFile,
  type BytesOutcome,
  type ReadOptions,
  type ReadOutcome,
  type SourceText,
} from './read.js';
export { mayMentionImds, needleTest, PREFILTER_NEEDLES, type NeedleTest } from './prefilter.js';
export {
  compareFindings,
  displayPath,
  scan,
  scanWith,
  WORKER_THRESHOLD,
  type ScannedFile,
  type ScanOptions,
  type ScanProgress,
  type ScanResult,
} from './scan.js';
export type { WorkerSource } from './worker-pool.js';
export { countSyntaxErrors, verifyFixedText, type FixVerdict } from './fix-check.js';
export type { Analyser, FileAnalysis, SourceFile } from './analyser.js';
export { ANALYSERS } from './analysers.js';
export { findRule, knownRuleNames, RULE_PREFIX } from './rule-names.js';
export { commentLeaders, DIRECTIVE, parseDirectives, settleFindings, SUPPRESSION_RULE, type Directive, type RuleSettings, type Settled } from './suppressions.js';
