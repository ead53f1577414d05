import { asMap, child, literal, type TemplateNode } from './template-node.js';

/**
 * Resource types the analyser reports on. A file that names none of them cannot produce a
 * finding (consumers such as an Auto Scaling group only add context to a launch template in the
 * same file), so it is not parsed: most YAML and JSON in a repository is not CloudFormation.
 */
export const TEMPLATE_NEEDLES: readonly string[] = [
  'AWS::EC2::Instance',
  'AWS::EC2::LaunchTemplate',
  'AWS::AutoScaling::LaunchConfiguration',
  'AWS::ImageBuilder::InfrastructureConfiguration',
  'AWS::SageMaker::NotebookInstance',
  'AWS::EC2::EC2Fleet',
];

const NEEDLES = new RegExp(TEMPLATE_NEEDLES.map((n) => n.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|'));

export function mentionsLaunchResource(text: string): boolean {
  return NEEDLES.test(text);
}

/**
 * A template is recognised by what it holds, not by its name: a format version, or a `Resources`
 * map whose entries have an `AWS::…` type. SAM and CDK output are templates too. Other YAML and
 * JSON that happens to mention a resource type (a Kubernetes manifest, a scanner's expected-results
 * file, package.json) is not.
 */
export function isTemplate(root: TemplateNode | undefined): boolean {
  const map = asMap(root);
  if (!map) return false;
  if (map.entries.some((e) => e.key === 'AWSTemplateFormatVersion')) return true;
  const resources = asMap(child(map, 'Resources'));
  return resources !== undefined && resources.entries.some((e) => /^AWS::/.test(literal(child(e.value, 'Type')) ?? ''));
}

/**
 * Whether a file that does not parse was meant to be a template, so that its syntax error is worth
 * reporting. Only asked of files that already name a launch resource type.
 */
export function looksLikeTemplateText(text: string): boolean {
  return /AWSTemplateFormatVersion|^\s*["']?Resources["']?\s*:/m.test(text);
}

/** JSON or YAML: by the extension, and for `.template`/`.cfn` by the first character. */
export function syntaxOf(path: string, text: string): 'json' | 'yaml' {
  const lower = path.toLowerCase();
  if (lower.endsWith('.json')) return 'json';
  if (lower.endsWith('.yaml') || lower.endsWith('.yml')) return 'yaml';
  const first = text.replace(/^(\s|\/\/[^\n]*\n|\/\*[\s\S]*?\*\/)*/, '')[0];
  return first === '{' ? 'json' : 'yaml';
}
