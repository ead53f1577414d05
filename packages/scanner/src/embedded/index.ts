export { analyseEmbeddedShell, hostEdits, isTokenlessRequest, type RawAnalyser } from './analyse.js';
export { nested, ShellTextBuilder, type EmbeddedShell } from './shell-text.js';
export { userDataPieces, type UserDataExtractor } from './user-data.js';
