import { basename } from 'node:path';
import type { Analyser } from '../analyser.js';
import { shellHostAnalyser } from '../embedded/host-analyser.js';
import { makefileShell } from './pieces.js';

/** `Makefile`, `makefile`, `GNUmakefile`, `rules.mk`, `release.Makefile`. */
export function isMakefile(path: string): boolean {
  const name = basename(path);
  return /^(GNUmakefile|makefile)$/i.test(name) || /\.(mk|makefile)$/i.test(name);
}

/** Makefiles: recipe lines and `$(shell …)` calls, read by the shell analyser with make's `$$` undone. */
export function makefileAnalyser(): Analyser {
  return shellHostAnalyser('makefile', isMakefile, makefileShell);
}
