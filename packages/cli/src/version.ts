import { readFileSync } from 'node:fs';

/** Read at run time so that the package.json version is the single source of truth. */
export function cliVersion(): string {
  const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}
