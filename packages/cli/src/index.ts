export { main, EXIT_CLEAN, EXIT_PROBLEMS, EXIT_USAGE, type CliIo } from './main.js';
export { parseCommand, UsageError, HELP, type Command } from './args.js';
export { writeFileAtomic, type AtomicWriteOptions } from './atomic-write.js';
export { fixFiles, type FixRun } from './fix.js';
export { REPORTERS, isFormatName, jsonReporter, sarifReporter, textReporter, type FormatName, type Reporter, type ReportInput } from './reporters/index.js';
export { sarifLog } from './reporters/sarif.js';
