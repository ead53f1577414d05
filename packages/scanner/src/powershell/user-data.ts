import { nested, ShellTextBuilder, type EmbeddedShell } from '../embedded/shell-text.js';

/**
 * The tags EC2Launch and EC2Config read in Windows user data. The text between them is not XML:
 * it is taken as it is, up to the closing tag, so that is how we read it too.
 */
const TAGS = ['powershell', 'script', 'persist', 'powershellarguments', 'runaslocalsystem'];

/**
 * Windows user data: the `<powershell>` blocks, each a PowerShell piece that maps back through
 * the user data to its host. `<script>` blocks are cmd.exe batch files and are skipped, as is
 * `<persist>`. Not Windows user data (the text does not start with one of the tags): undefined.
 */
export function windowsUserData(userData: EmbeddedShell): EmbeddedShell[] | undefined {
  const text = userData.text;
  const lower = text.toLowerCase();
  const head = lower.trimStart();
  if (!TAGS.some((t) => head.startsWith(`<${t}>`))) return undefined;
  const pieces: EmbeddedShell[] = [];
  for (let at = lower.indexOf('<powershell>'); at >= 0; at = lower.indexOf('<powershell>', at)) {
    const start = at + '<powershell>'.length;
    const close = lower.indexOf('</powershell>', start);
    const end = close < 0 ? text.length : close;
    const inner = new ShellTextBuilder().verbatim(start, text.slice(start, end)).build({ language: 'powershell', escape: (t) => t });
    pieces.push(nested(userData, inner));
    at = end;
  }
  return pieces;
}
