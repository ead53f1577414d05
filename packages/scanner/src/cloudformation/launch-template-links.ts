import { asMap, canonical, child, intrinsic, literal, type MapNode, type TemplateNode } from './template-node.js';

/** A resource of the template: its logical id and its map. */
export interface Resource {
  readonly id: string;
  /** Where the logical id is written. */
  readonly keyStart: number;
  readonly keyEnd: number;
  readonly type: string;
  readonly body: MapNode;
  readonly properties?: MapNode;
}

/** How a launch template is named in a `LaunchTemplateSpecification`-like map. */
export interface TemplateReference {
  /** The template's logical id, when it is in this template. */
  readonly address?: string;
  /** How the reference is written, for messages. */
  readonly reference: string;
}

/**
 * Finds which launch template (or launch configuration) of the template a reference means:
 * - by id: `!Ref LT` or `!GetAtt LT.LaunchTemplateId` (a launch template's Ref is its id);
 * - by name: the same literal, or the same expression (`!Sub ${AWS::StackName}-web`), as the
 *   template's own `LaunchTemplateName`. That is how CDK links an Instance to the template
 *   `requireImdsv2` generates, and how hand-written stacks name templates per stack.
 */
export class TemplateLinks {
  private readonly byId = new Map<string, Resource>();
  private readonly byName = new Map<string, Resource>();

  constructor(resources: readonly Resource[], type: string, nameProperty: string) {
    for (const r of resources.filter((x) => x.type === type)) {
      this.byId.set(r.id, r);
      const name = child(r.properties, nameProperty);
      if (name) this.byName.set(canonical(name), r);
    }
  }

  byIdNode(node: TemplateNode | undefined): TemplateReference | undefined {
    if (!node) return undefined;
    const call = intrinsic(node);
    let id: string | undefined;
    if (call?.fn === 'Ref') id = literal(call.arg);
    if (call?.fn === 'Fn::GetAtt') {
      const arg = call.arg;
      id = arg?.kind === 'seq' ? literal(arg.items[0]) : literal(arg)?.split('.')[0];
    }
    const found = id !== undefined ? this.byId.get(id) : undefined;
    return { address: found?.id, reference: describe(node) };
  }

  byNameNode(node: TemplateNode | undefined): TemplateReference | undefined {
    if (!node) return undefined;
    return { address: this.byName.get(canonical(node))?.id, reference: describe(node) };
  }

  /** A specification with an id key and a name key (their spelling differs between resources). */
  spec(spec: TemplateNode | undefined, idKey: string, nameKey: string): TemplateReference | undefined {
    const map = asMap(spec);
    if (!map) return undefined;
    const byId = this.byIdNode(child(map, idKey));
    const byName = this.byNameNode(child(map, nameKey));
    if (byId?.address) return byId;
    if (byName?.address) return byName;
    return byId ?? byName;
  }
}

/** A short text for a reference: the literal, or the function and its argument. */
export function describe(node: TemplateNode): string {
  const text = literal(node);
  if (text !== undefined) return text;
  const call = intrinsic(node);
  if (!call) return 'an expression';
  const arg = literal(call.arg);
  const short = call.fn === 'Ref' ? '!Ref' : `!${call.fn.replace(/^Fn::/, '')}`;
  return arg !== undefined ? `${short} ${arg}` : `${short} …`;
}
