import { mayMentionImds, PREFILTER_NEEDLES } from '../prefilter.js';

/**
 * Strings that every Terraform finding depends on. Most Terraform files (networking, IAM, DNS)
 * mention none of them, and a module whose files all lack them is not parsed. A file without them
 * is still analysed when another file of its module has one: its variables and locals may hold
 * the values (see the analyser's groupOf).
 *
 * Keep this a superset of what the analyser reports on: every resource type it maps, the block and
 * argument names of the metadata options, the modules it judges by version, and what the shell
 * analyser looks for (a `local-exec` command or an `external` program that calls IMDS).
 */
export const TERRAFORM_NEEDLES: readonly string[] = [
  ...PREFILTER_NEEDLES,
  'aws_instance',
  'aws_launch_template',
  'aws_launch_configuration',
  'aws_spot_instance_request',
  'metadata_options',
  'http_tokens',
  'aws_ec2_instance_metadata_defaults',
  'imagebuilder_infrastructure_configuration',
  'sagemaker_notebook_instance',
  'instance_metadata',
  'imds_support',
  'terraform-aws-modules',
];

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const NEEDLES = new RegExp(TERRAFORM_NEEDLES.map(escape).join('|'));

export function mayMatterToTerraform(text: string): boolean {
  return NEEDLES.test(text) || mayMentionImds(text);
}
