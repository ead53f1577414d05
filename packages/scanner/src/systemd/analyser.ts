import type { Analyser } from '../analyser.js';
import { shellHostAnalyser } from '../embedded/host-analyser.js';
import { unitShell } from './pieces.js';

/** Service and socket units (the unit types with `Exec*=` settings) and their drop-ins. */
export function isUnitFile(path: string): boolean {
  const p = path.replaceAll('\\', '/');
  return /\.(service|socket)$/i.test(p) || /\.(service|socket)\.d\/[^/]+\.conf$/i.test(p);
}

/** systemd units: the commands of `Exec*=` settings, read by the shell analyser. */
export function systemdAnalyser(): Analyser {
  return shellHostAnalyser('systemd', isUnitFile, unitShell);
}
