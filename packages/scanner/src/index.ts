export { analyseShell, type ShellAnalysis, type SyntaxProblem } from './bash/index.js';
export { looksLikeShell } from './bash/shell-file.js';
export { getBashParser, withBashTree } from './tree-sitter.js';
export { DEFAULT_EXCLUDES, discoverFiles, type DiscoveredFile, type DiscoverOptions, type Discovery } from './discover.js';
export { DEFAULT_MAX_FILE_BYTES, decodeSource, readHead, readSourceFile, type ReadOptions, type ReadOutcome, type SourceText } from './read.js';
export { mayMentionImds, PREFILTER_NEEDLES } from './prefilter.js';
export { compareFindings, displayPath, scan, type ScannedFile, type ScanOptions, type ScanResult } from './scan.js';
export { countSyntaxErrors, verifyFixedText, type FixVerdict } from './fix-check.js';
