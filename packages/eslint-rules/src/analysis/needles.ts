/**
 * The plugin's prefilter needles, in a module without dependencies so that the scanner can
 * decide which files to lint without loading ESLint.
 */

/**
 * Text that any request this analysis can report depends on: the IMDS addresses and their other
 * spellings, and the clients that reach IMDS without naming it (AWS SDK v2 `MetadataService`,
 * `node-ec2-metadata`). A file without any of them is not analysed at all, which keeps the
 * plugin's cost on ordinary code to one regular-expression scan per file.
 */
export const REQUEST_NEEDLES: readonly string[] = [
  '169.254.169.254',
  'fd00:ec2::254',
  'instance-data',
  '2852039166',
  '0xa9fea9fe',
  'a9fe:a9fe',
  '0251.0376',
  '169.254.43518',
  '0xa9.0xfe',
  'MetadataService',
  'metadata_service',
  'node-ec2-metadata',
];

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const REQUEST_PATTERN = new RegExp(REQUEST_NEEDLES.map(escape).join('|'), 'i');

export function mayMakeImdsRequests(text: string): boolean {
  return REQUEST_PATTERN.test(text);
}

/** Strings that every construct or call this analysis reports on contains (case-sensitive needles). */
export const LAUNCH_NEEDLES: readonly string[] = [
  'aws-cdk-lib',
  '@aws-cdk/',
  '@pulumi/aws',
  '@cdktf/provider-aws',
  'providers/aws',
  'client-ec2',
  'client-auto-scaling',
  'aws-sdk',
  'runInstances',
  'createLaunchTemplate',
  'createLaunchConfiguration',
  'modifyInstanceMetadata',
];
const LAUNCH_PATTERN = new RegExp(LAUNCH_NEEDLES.map(escape).join('|'));

export function mayConfigureInstances(text: string): boolean {
  return LAUNCH_PATTERN.test(text);
}
