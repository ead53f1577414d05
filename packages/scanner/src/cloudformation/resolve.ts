import { asMap, child, intrinsic, literal, type MapNode, type ScalarNode, type TemplateNode } from './template-node.js';

/**
 * One value a property can take when the stack is deployed. `source` is the scalar that decides it
 * on its own (the literal, or the parameter's Default): replacing it changes the value, which is
 * what a fix does. Values that come out of a condition or a mapping have no such single source.
 */
export type Possibility =
  | { readonly kind: 'value'; readonly value: string; readonly via?: string; readonly source?: ScalarNode; readonly parameter?: ParameterInfo }
  /** `!Ref AWS::NoValue`: the property is left out. */
  | { readonly kind: 'unset'; readonly via: string }
  | { readonly kind: 'unknown'; readonly reason: string };

export interface ParameterInfo {
  readonly name: string;
  /** AllowedValues, when the parameter lists them as literals. */
  readonly allowed?: readonly string[];
}

/** The parts of a template that values are resolved against. */
export interface TemplateScope {
  readonly parameters?: MapNode;
  readonly mappings?: MapNode;
  readonly resources?: MapNode;
}

export function scopeOf(root: TemplateNode): TemplateScope {
  return { parameters: asMap(child(root, 'Parameters')), mappings: asMap(child(root, 'Mappings')), resources: asMap(child(root, 'Resources')) };
}

/**
 * Every value `node` can take. Literals are themselves; `Ref` to a parameter is its Default (or,
 * without one, each of its AllowedValues); `Fn::If` is both branches; `Fn::FindInMap` is the
 * mapped value, or every value at a level whose key is not known before deployment; `Fn::Sub`,
 * `Fn::Join` and `Fn::Select` over literals are computed. Everything else (`Fn::ImportValue`,
 * `Fn::GetAtt`, pseudo parameters, …) is only known at deploy time and says so.
 */
export function possibilities(node: TemplateNode | undefined, scope: TemplateScope, what: string): Possibility[] {
  if (!node) return [{ kind: 'unset', via: 'no value' }];
  const call = intrinsic(node);
  if (call) return resolveCall(call.fn, call.arg, scope, what);
  switch (node.kind) {
    case 'scalar':
      if (node.value === null) return [{ kind: 'unset', via: 'an empty value' }];
      return [{ kind: 'value', value: node.value, source: node.style === 'block' ? undefined : node }];
    case 'map':
    case 'seq':
      return [{ kind: 'unknown', reason: `${what} is not a single value` }];
    case 'opaque':
      return [{ kind: 'unknown', reason: `${what} is ${node.what}` }];
  }
}

function resolveCall(fn: string, arg: TemplateNode | undefined, scope: TemplateScope, what: string): Possibility[] {
  const args = arg?.kind === 'seq' ? arg.items : undefined;
  switch (fn) {
    case 'Ref':
      return resolveRef(literal(arg), scope, what);
    case 'Fn::If': {
      const condition = literal(args?.[0]) ?? '?';
      if (!args || args.length !== 3) return [{ kind: 'unknown', reason: `${what} uses a malformed Fn::If` }];
      return args.slice(1).flatMap((branch) =>
        possibilities(branch, scope, what).map((p): Possibility => {
          const via = `a branch of Fn::If ${condition}`;
          if (p.kind === 'value') return { ...p, via: p.via ?? via, source: undefined };
          return p.kind === 'unset' ? { kind: 'unset', via } : p;
        }),
      );
    }
    case 'Fn::FindInMap':
      return resolveFindInMap(args, scope, what);
    case 'Fn::Sub': {
      const template = literal(arg) ?? literal(args?.[0]);
      // `${!Literal}` is an escaped, literal `${Literal}`; any other `${…}` is a substitution.
      if (template !== undefined && !/\$\{(?!!)/.test(template)) return [{ kind: 'value', value: template.replace(/\$\{!/g, '${') }];
      return [{ kind: 'unknown', reason: `${what} is built with Fn::Sub from values known only at deploy time` }];
    }
    case 'Fn::Join': {
      const delimiter = literal(args?.[0]);
      const parts = args?.[1]?.kind === 'seq' ? args[1].items.map(literal) : undefined;
      if (delimiter !== undefined && parts && parts.every((p) => p !== undefined)) return [{ kind: 'value', value: parts.join(delimiter) }];
      return [{ kind: 'unknown', reason: `${what} is built with Fn::Join from values known only at deploy time` }];
    }
    case 'Fn::Select': {
      const index = Number(literal(args?.[0]));
      const list = args?.[1];
      if (Number.isInteger(index) && list?.kind === 'seq' && !list.tag && list.items[index]) {
        return possibilities(list.items[index], scope, what).map((p) => (p.kind === 'value' ? { ...p, source: undefined } : p));
      }
      return [{ kind: 'unknown', reason: `${what} is chosen with Fn::Select from values known only at deploy time` }];
    }
    default:
      return [{ kind: 'unknown', reason: `${what} comes from ${fn}, known only at deploy time` }];
  }
}

function resolveRef(name: string | undefined, scope: TemplateScope, what: string): Possibility[] {
  if (name === undefined) return [{ kind: 'unknown', reason: `${what} uses a Ref without a name` }];
  if (name === 'AWS::NoValue') return [{ kind: 'unset', via: 'AWS::NoValue' }];
  if (name.startsWith('AWS::')) return [{ kind: 'unknown', reason: `${what} depends on the pseudo parameter ${name}` }];
  const parameter = asMap(child(scope.parameters, name));
  if (!parameter) {
    if (child(scope.resources, name)) return [{ kind: 'unknown', reason: `${what} refers to the resource ${name}, known only at deploy time` }];
    return [{ kind: 'unknown', reason: `${what} refers to ${name}, which the template does not define` }];
  }
  const type = literal(child(parameter, 'Type')) ?? '';
  // The Default of an SSM parameter type is the name of the SSM parameter, not the value.
  if (type.startsWith('AWS::SSM::Parameter::Value')) {
    return [{ kind: 'unknown', reason: `${what} comes from the parameter ${name}, read from SSM Parameter Store at deploy time` }];
  }
  const allowedNode = child(parameter, 'AllowedValues');
  const allowedItems = allowedNode?.kind === 'seq' && !allowedNode.tag ? allowedNode.items.map(literal) : undefined;
  const allowed = allowedItems?.every((v) => v !== undefined) ? (allowedItems as string[]) : undefined;
  const info: ParameterInfo = { name, allowed };
  const defaultNode = child(parameter, 'Default');
  const defaultValue = literal(defaultNode);
  if (defaultValue !== undefined) {
    const source = defaultNode?.kind === 'scalar' && defaultNode.style !== 'block' ? defaultNode : undefined;
    return [{ kind: 'value', value: defaultValue, via: `the Default of parameter ${name}`, source, parameter: info }];
  }
  if (defaultNode) return [{ kind: 'unknown', reason: `${what} comes from the parameter ${name}, whose Default is not a plain value` }];
  if (allowed && allowed.length > 0) return allowed.map((value) => ({ kind: 'value', value, via: `the AllowedValues of parameter ${name}`, parameter: info }));
  return [{ kind: 'unknown', reason: `${what} comes from the parameter ${name}, which has no Default or AllowedValues` }];
}

/**
 * `Fn::FindInMap [Map, TopKey, SecondKey]`. A key that resolves to known values (a literal, a
 * parameter's Default) selects those entries; a key known only at deploy time (`AWS::Region`)
 * could select any entry, so every value at that level is possible. This reports a template whose
 * mapping has an `optional` row for any Region, which is what a reviewer needs to see.
 */
function resolveFindInMap(args: readonly TemplateNode[] | undefined, scope: TemplateScope, what: string): Possibility[] {
  const mapName = literal(args?.[0]);
  const mapping = mapName === undefined ? undefined : asMap(child(scope.mappings, mapName));
  if (!args || args.length < 3 || !mapping) return [{ kind: 'unknown', reason: `${what} comes from Fn::FindInMap on a mapping the template does not define` }];
  const via = `Mappings ${mapName}`;
  const keysAt = (level: MapNode, keyNode: TemplateNode): MapNode['entries'] => {
    const keys = possibilities(keyNode, scope, 'the key');
    if (keys.every((k) => k.kind === 'value')) return level.entries.filter((e) => keys.some((k) => k.kind === 'value' && k.value === e.key));
    return level.entries;
  };
  const out: Possibility[] = [];
  for (const top of keysAt(mapping, args[1]!)) {
    const second = asMap(top.value);
    if (!second) continue;
    for (const leaf of keysAt(second, args[2]!)) {
      for (const p of possibilities(leaf.value, scope, what)) out.push(p.kind === 'value' ? { ...p, via, source: undefined } : p);
    }
  }
  return out.length > 0 ? out : [{ kind: 'unknown', reason: `${what} comes from Fn::FindInMap with keys that ${mapName} does not have` }];
}
