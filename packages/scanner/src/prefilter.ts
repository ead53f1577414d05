/**
 * Strings that every finding of the shell analyser depends on. tree-sitter parses bash at a few
 * MB/s, while a search for a handful of needles runs at hundreds of MB/s, and in a real repository
 * well under 1 % of scripts mention the metadata service. So a script that contains none of these
 * is not parsed at all.
 *
 * The list must stay a superset of what the analyser can report on:
 * - the IMDS addresses and host names, IPv4 and IPv6;
 * - the spellings of 169.254.169.254 that curl and wget accept and that URL normalisation maps
 *   back to it (decimal, hex, octal, mixed), as they appear in scripts that dodge naive greps;
 * - the EC2 CLI commands and options that configure the metadata service (IMDS002);
 * - `ec2metadata`, Ubuntu's IMDSv1-only helper.
 * Adding a detection that none of these covers means adding its needle here, or it never runs.
 */
export const PREFILTER_NEEDLES: readonly string[] = [
  '169.254.169.254',
  'fd00:ec2::254',
  'instance-data',
  'ec2metadata',
  'metadata-options',
  'http-tokens',
  'launch-template-data',
  'run-instances',
  'create-launch-configuration',
  '2852039166', // 169.254.169.254 as one decimal number
  '0xa9fea9fe', // … as one hex number
  'a9fe:a9fe', // … embedded in IPv6 (::ffff:a9fe:a9fe, 64:ff9b::a9fe:a9fe)
  '0251.0376', // … in octal
  '169.254.43518', // … as a.b.c with a 16-bit last part
  '0xa9.0xfe', // … dotted hex
];

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
// One case-insensitive regex scans the text once instead of once per needle.
const NEEDLES = new RegExp(PREFILTER_NEEDLES.map(escape).join('|'), 'i');

export function mayMentionImds(text: string): boolean {
  return NEEDLES.test(text);
}
