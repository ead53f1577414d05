import type { Resource } from '../launch-template-links.js';
import { child, childAt, intrinsic, type TemplateNode } from '../template-node.js';
import { valueText, type TextContext } from './intrinsic-text.js';
import type { ShellSite } from './site.js';

/**
 * The `UserData` of the resources that launch instances. EC2 takes it base64-encoded, so what a
 * template writes as text is always under `Fn::Base64`; a literal without it is already encoded
 * and is not looked into. `Fn::If` around or inside it gives one site per branch.
 */
export function userDataSites(resources: readonly Resource[], ctx: TextContext): ShellSite[] {
  return resources.flatMap((r) => userDataNodes(r).flatMap(({ node, where }) => sitesOf(node, r.id, where, ctx)));
}

function userDataNodes(r: Resource): { node: TemplateNode; where: string }[] {
  const own = (node: TemplateNode | undefined) => (node ? [{ node, where: `the UserData of ${r.id}` }] : []);
  switch (r.type) {
    case 'AWS::EC2::Instance':
    case 'AWS::AutoScaling::LaunchConfiguration':
      return own(child(r.properties, 'UserData'));
    case 'AWS::EC2::LaunchTemplate':
      return own(childAt(r.properties, ['LaunchTemplateData', 'UserData']));
    case 'AWS::EC2::SpotFleet': {
      const specs = childAt(r.properties, ['SpotFleetRequestConfigData', 'LaunchSpecifications']);
      if (specs?.kind !== 'seq' || specs.tag) return [];
      return specs.items.flatMap((spec, i) => {
        const node = child(spec, 'UserData');
        return node ? [{ node, where: `the UserData of launch specification ${i + 1} of ${r.id}` }] : [];
      });
    }
    default:
      return [];
  }
}

function sitesOf(node: TemplateNode, owner: string, where: string, ctx: TextContext): ShellSite[] {
  const call = intrinsic(node);
  if (call?.fn === 'Fn::If' && call.arg?.kind === 'seq') return call.arg.items.slice(1).flatMap((branch) => sitesOf(branch, owner, where, ctx));
  if (call?.fn !== 'Fn::Base64') return [];
  const inner = intrinsic(call.arg);
  if (inner?.fn === 'Fn::If' && inner.arg?.kind === 'seq') {
    return inner.arg.items.slice(1).flatMap((branch) => textSite(branch, owner, where, ctx));
  }
  return textSite(call.arg, owner, where, ctx);
}

function textSite(node: TemplateNode | undefined, owner: string, where: string, ctx: TextContext): ShellSite[] {
  const text = valueText(node, ctx);
  return text ? [{ owner, label: 'UserData', context: `in ${where}`, text, userData: true }] : [];
}
