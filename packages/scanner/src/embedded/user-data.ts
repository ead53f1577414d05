import { looksLikeShell } from '../bash/shell-file.js';
import { cloudConfigUserData } from '../cloud-init/user-data.js';
import { windowsUserData } from '../powershell/user-data.js';
import type { EmbeddedShell } from './shell-text.js';

/** Returns the pieces when it recognises the user data's format, undefined to let the next one try. */
export type UserDataExtractor = (userData: EmbeddedShell) => EmbeddedShell[] | undefined;

// Formats other than a plain script (`#cloud-config`, `<powershell>` blocks…), tried in order.
const EXTRACTORS: readonly UserDataExtractor[] = [windowsUserData, cloudConfigUserData];

/**
 * What EC2 runs from a user-data text: the whole text when it is a shell script, or the shell
 * inside the formats in EXTRACTORS. `userData` is the decoded user data; the pieces returned map
 * to the same host. A script for another interpreter (`#!/usr/bin/python3`) yields nothing.
 */
export function userDataPieces(userData: EmbeddedShell): EmbeddedShell[] {
  for (const extract of EXTRACTORS) {
    const pieces = extract(userData);
    if (pieces) return pieces;
  }
  const head = userData.text.trimStart();
  return !head.startsWith('#!') || looksLikeShell('', head) ? [userData] : [];
}
