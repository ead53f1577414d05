export { analyseEmbeddedShell, isTokenlessRequest, registerEmbeddedLanguage, type RawAnalyser } from './analyse.js';
export { ShellTextBuilder, type EmbeddedShell } from './shell-text.js';
