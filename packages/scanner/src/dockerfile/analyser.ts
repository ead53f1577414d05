import { basename } from 'node:path';
import type { Analyser } from '../analyser.js';
import { shellHostAnalyser } from '../embedded/host-analyser.js';
import { dockerfileShell } from './pieces.js';

// `Dockerfile.md`, `dockerfile.js`, `dockerfile.vim`: documents about Dockerfiles, or code that reads them.
const NOT_DOCKERFILE = /\.(md|markdown|rst|txt|html?|json|ya?ml|toml|lock|[cm]?[jt]sx?|map|py|go|rb|rs|java|kt|cs|php|vim|el|lua|sh|ps1)$/i;

/** `Dockerfile`, `Dockerfile.prod`, `api.Dockerfile`, `build.dockerfile`, `Containerfile`, `Containerfile.ci`. */
export function isDockerfile(path: string): boolean {
  const name = basename(path);
  if (NOT_DOCKERFILE.test(name)) return false;
  return /^(docker|container)file(\..+)?$/i.test(name) || /\.(docker|container)file$/i.test(name);
}

/**
 * Dockerfiles and Containerfiles: the shell of RUN (at build time), CMD, ENTRYPOINT and
 * HEALTHCHECK (in the container), parsed with dockerfile-ast and read by the shell analyser.
 */
export function dockerfileAnalyser(): Analyser {
  return shellHostAnalyser('dockerfile', isDockerfile, dockerfileShell);
}
