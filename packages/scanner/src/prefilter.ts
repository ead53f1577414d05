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

// One case-insensitive regex scans the text once instead of once per needle.
const NEEDLES = new RegExp(PREFILTER_NEEDLES.map((n) => escapeRegExp(n)).join('|'), 'i');

export function mayMentionImds(text: string): boolean {
  return NEEDLES.test(text);
}

/** Tests raw bytes, seen as latin1 (one char per byte), for any of a set of needles. */
export type NeedleTest = (latin1: string) => boolean;

const needleTests = new WeakMap<readonly string[], NeedleTest>();

/**
 * A test on raw file bytes that is true exactly when the bytes contain one of `needles`, ignoring
 * the case of ASCII letters, as `new RegExp(needles.join('|'), 'i')` would on the decoded text.
 * The bytes are viewed as latin1, which copies them into a one-byte string without decoding. For
 * ASCII needles the answer is the same as on the UTF-8 text: in UTF-8 an ASCII character is always
 * its own byte, and bytes of multi-byte characters are all >= 0x80, which no ASCII letter matches
 * even ignoring case. (A non-ASCII needle is looked for as its UTF-8 bytes.)
 *
 * Two passes, because one regular expression of 15 alternatives runs at ~170 MB/s while most of
 * the bytes contain none of them: first a cheaper expression of each needle's tail from its first
 * punctuation mark (`instance-data` → `-data`; a needle is only found where its tail is), which
 * V8 runs at ~450 MB/s and which rejects ~97 % of ordinary source files, then the exact one.
 */
export function needleTest(needles: readonly string[]): NeedleTest {
  let test = needleTests.get(needles);
  if (!test) {
    const bytes = needles.map((n) => Buffer.from(n, 'utf8').toString('latin1'));
    if (bytes.length === 0 || bytes.some((n) => n.length === 0)) {
      // No needle, nothing can match; an empty needle matches everything.
      const answer = bytes.length > 0;
      test = () => answer;
    } else {
      const exact = new RegExp(bytes.map(escapeRegExp).join('|'), 'i');
      const tails = [...new Set(bytes.map(tailOf))];
      const rough = new RegExp(tails.map(escapeRegExp).join('|'), 'i');
      test = (latin1) => rough.test(latin1) && exact.test(latin1);
    }
    needleTests.set(needles, test);
  }
  return test;
}

/** From the first character after the start that is not a letter or digit; the whole needle if none. */
function tailOf(needle: string): string {
  for (let i = 1; i < needle.length; i++) if (!/[a-z0-9]/i.test(needle[i]!)) return needle.slice(i);
  return needle;
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
