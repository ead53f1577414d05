/**
 * Static values in one module: what a string, an object or a callee is, as far as the file itself
 * tells. Follows `const` bindings (and `let`/`var` written once) through ESLint's scope analysis,
 * object properties, destructuring, class fields, template literals, concatenation and
 * `new URL(path, base)`. Anything it cannot see becomes UNRESOLVED (strings) or an "open" object.
 */
import { ASTUtils, AST_NODE_TYPES as T, type TSESLint, type TSESTree } from '@typescript-eslint/utils';
import { UNRESOLVED } from '@imds-guard/core';

export type Node = TSESTree.Node;
type Variable = TSESLint.Scope.Variable;
type SourceCode = Readonly<TSESLint.SourceCode>;

/** How many bindings a value is followed through; real code needs two or three. */
const MAX_DEPTH = 8;

/** A property of a statically known object; `key` is absent for a property added by assignment. */
export interface Prop {
  readonly value: Node;
  readonly key?: Node;
  readonly property?: TSESTree.Property;
}

export interface StaticObject {
  readonly props: Map<string, Prop>;
  /** Why properties may exist that the analysis cannot see (a spread of a parameter, a call, …). */
  readonly open?: string;
  /** The object literal itself, when the object is one literal that fixes can edit. */
  readonly literal?: TSESTree.ObjectExpression;
}

/** Where a callee comes from: a module export (`axios.get`) or an object a factory made. */
export type Ref =
  | { readonly kind: 'module'; readonly module: string; readonly path: readonly string[] }
  | { readonly kind: 'instance'; readonly of: string; readonly creation: TSESTree.CallExpression | TSESTree.NewExpression; readonly path: readonly string[]; readonly variable?: Variable; readonly parent?: Ref };

export const GLOBAL = '<global>';
const GLOBAL_OBJECTS = new Set(['globalThis', 'window', 'global', 'self']);

/** Module specifiers that name the same thing, mapped onto one `module` + `path`. */
export function normaliseModule(spec: string): { module: string; path: string[] } {
  const s = spec.replace(/^node:/, '');
  switch (s) {
    case 'request-promise':
    case 'request-promise-native':
      return { module: 'request', path: [] };
    case 'cross-fetch':
    case 'isomorphic-fetch':
      return { module: 'node-fetch', path: [] };
    case 'ky-universal':
      return { module: 'ky', path: [] };
    case 'aws-sdk/global':
    case 'aws-sdk/lib/core':
      return { module: 'aws-sdk', path: [] };
    case 'aws-sdk/lib/metadata_service':
      return { module: 'aws-sdk', path: ['MetadataService'] };
    case 'aws-sdk/clients/ec2':
      return { module: 'aws-sdk', path: ['EC2'] };
    case 'aws-sdk/clients/autoscaling':
      return { module: 'aws-sdk', path: ['AutoScaling'] };
  }
  const cdk = /^(?:aws-cdk-lib\/|@aws-cdk\/)(aws-[a-z0-9-]+)$/.exec(s);
  if (cdk) return { module: 'aws-cdk-lib', path: [cdk[1]!.replace(/-/g, '_')] };
  if (s === '@aws-cdk/core') return { module: 'aws-cdk-lib', path: [] };
  const pulumi = /^@pulumi\/aws\/([a-z0-9]+)$/.exec(s);
  if (pulumi) return { module: '@pulumi/aws', path: [pulumi[1]!] };
  // CDKTF: the prebuilt provider, or bindings generated into .gen/providers/aws/.
  const cdktf = /^(?:@cdktf\/provider-aws\/lib|(?:\.{1,2}\/)*\.gen\/providers\/aws)\/([a-z0-9-]+)(?:\/index(?:\.js)?)?$/.exec(s);
  if (cdktf) return { module: '@cdktf/provider-aws', path: [cdktf[1]!.replace(/-([a-z0-9])/g, (_, c: string) => c.toUpperCase())] };
  if (/^(?:\.{1,2}\/)*\.gen\/providers\/aws(?:\/index(?:\.js)?)?$/.test(s)) return { module: '@cdktf/provider-aws', path: [] };
  return { module: s, path: [] };
}

export function apiKey(ref: Ref | undefined): string | undefined {
  return ref?.kind === 'module' ? `${ref.module}:${ref.path.join('.')}` : undefined;
}

export function unwrap(node: Node): Node {
  let n = node;
  for (;;) {
    switch (n.type) {
      case T.TSAsExpression:
      case T.TSNonNullExpression:
      case T.TSSatisfiesExpression:
      case T.TSTypeAssertion:
      case T.TSInstantiationExpression:
        n = n.expression;
        continue;
      case T.ChainExpression:
        n = n.expression;
        continue;
      default:
        return n;
    }
  }
}

export function propertyName(node: TSESTree.MemberExpression | TSESTree.Property | TSESTree.PropertyDefinition, values?: Values): string | undefined {
  const key = node.type === T.MemberExpression ? node.property : node.key;
  if (!node.computed) {
    if (key.type === T.Identifier) return key.name;
    if (key.type === T.PrivateIdentifier) return `#${key.name}`;
  }
  if (key.type === T.Literal && (typeof key.value === 'string' || typeof key.value === 'number')) return String(key.value);
  if (node.computed && values) {
    const s = values.string(key as Node);
    return s.includes(UNRESOLVED) ? undefined : s;
  }
  return undefined;
}

export class Values {
  private readonly strings = new WeakMap<Node, string>();

  constructor(readonly sourceCode: SourceCode) {}

  text(node: Node): string {
    return this.sourceCode.getText(node);
  }

  variable(id: TSESTree.Identifier): Variable | undefined {
    return ASTUtils.findVariable(this.sourceCode.getScope(id), id) ?? undefined;
  }

  /** The expression a binding holds, when it is written exactly once (its declaration). */
  bindingValue(id: TSESTree.Identifier): Node | undefined {
    const variable = this.variable(id);
    return variable ? this.variableValue(variable) : undefined;
  }

  variableValue(variable: Variable): Node | undefined {
    if (variable.defs.length !== 1) return undefined;
    const def = variable.defs[0]!;
    if (def.type !== 'Variable') return undefined;
    const declarator = def.node as TSESTree.VariableDeclarator;
    if (!declarator.init) return undefined;
    const writes = variable.references.filter((r) => r.isWrite());
    if (writes.length > 1) return undefined;
    if (declarator.id.type === T.Identifier) return declarator.init;
    // `const { host, path: p } = config`: the property of the initialiser.
    if (declarator.id.type === T.ObjectPattern) {
      for (const prop of declarator.id.properties) {
        if (prop.type !== T.Property) continue;
        const target = prop.value.type === T.AssignmentPattern ? prop.value.left : prop.value;
        if (target.type !== T.Identifier || target.name !== variable.name) continue;
        const name = propertyName(prop, this);
        if (name === undefined) return undefined;
        return this.member(declarator.init, name);
      }
    }
    return undefined;
  }

  /** Every expression ever assigned to a binding (its initialiser and `x = …` assignments). */
  assignedValues(variable: Variable): Node[] | undefined {
    if (variable.defs.length !== 1 || variable.defs[0]!.type !== 'Variable') return undefined;
    const declarator = variable.defs[0]!.node as TSESTree.VariableDeclarator;
    if (declarator.id.type !== T.Identifier) return undefined;
    const out: Node[] = [];
    if (declarator.init) out.push(declarator.init);
    for (const ref of variable.references) {
      if (!ref.isWrite() || ref.identifier === declarator.id) continue;
      const parent = ref.identifier.parent;
      if (parent?.type === T.AssignmentExpression && parent.left === ref.identifier && parent.operator === '=') out.push(parent.right);
      else return undefined;
    }
    return out;
  }

  /** The value of `object.name`, for an object the file defines. */
  member(object: Node, name: string, depth = 0): Node | undefined {
    if (depth > MAX_DEPTH) return undefined;
    const obj = this.object(object, depth + 1);
    return obj.props.get(name)?.value;
  }

  /** `this.name` inside a class: a field initialiser or the constructor's `this.name = …`. */
  thisMember(node: TSESTree.MemberExpression): Node | undefined {
    const name = propertyName(node);
    if (name === undefined) return undefined;
    let cls: Node | undefined = node.parent;
    while (cls && cls.type !== T.ClassBody) cls = cls.parent;
    if (!cls) return undefined;
    return classMember(cls, name, false);
  }

  /** `Cls.NAME` for a class of this file: its static field. */
  staticMember(object: TSESTree.Identifier, name: string): Node | undefined {
    const variable = this.variable(object);
    const def = variable?.defs[0];
    if (!def || def.type !== 'ClassName') return undefined;
    const cls = def.node as TSESTree.ClassDeclaration;
    return classMember(cls.body, name, true);
  }

  /** A string with UNRESOLVED where parts are not known. `sources` collects the literal parts. */
  string(node: Node, depth = 0, sources?: Node[]): string {
    if (depth > MAX_DEPTH) return UNRESOLVED;
    if (!sources) {
      const cached = this.strings.get(node);
      if (cached !== undefined) return cached;
    }
    const value = this.computeString(unwrap(node), depth, sources);
    if (!sources) this.strings.set(node, value);
    return value;
  }

  private computeString(n: Node, depth: number, sources?: Node[]): string {
    const next = depth + 1;
    switch (n.type) {
      case T.Literal:
        if (n.value === null || n.value instanceof RegExp || typeof n.value === 'bigint') return UNRESOLVED;
        sources?.push(n);
        return String(n.value);
      case T.TemplateLiteral: {
        let out = '';
        n.quasis.forEach((q, i) => {
          sources?.push(q);
          out += q.value.cooked ?? UNRESOLVED;
          const e = n.expressions[i];
          if (e) out += this.string(e, next, sources);
        });
        return out;
      }
      case T.BinaryExpression:
        if (n.operator !== '+') return UNRESOLVED;
        return this.string(n.left, next, sources) + this.string(n.right, next, sources);
      case T.Identifier: {
        const value = this.bindingValue(n);
        return value ? this.string(value, next, sources) : UNRESOLVED;
      }
      case T.MemberExpression: {
        const name = propertyName(n, this);
        if (name === undefined) return UNRESOLVED;
        if (name === 'href' || name === 'origin') {
          const url = this.string(n.object, next, sources);
          if (url === UNRESOLVED) return UNRESOLVED;
          return name === 'origin' ? originOf(url) : url;
        }
        if (name === 'length') return UNRESOLVED;
        const value = this.memberValue(n, next);
        return value ? this.string(value, next, sources) : UNRESOLVED;
      }
      case T.LogicalExpression: {
        // `process.env.IMDS_URL ?? 'http://169.254.169.254'`: the default is what runs where
        // nothing overrides it, like `${VAR:-default}` in a shell.
        const left = this.string(n.left, next, sources);
        if (left !== UNRESOLVED && n.operator !== '&&') return left;
        return n.operator === '&&' ? UNRESOLVED : this.string(n.right, next, sources);
      }
      case T.ConditionalExpression: {
        const a = this.string(n.consequent, next);
        const b = this.string(n.alternate, next);
        return a === b ? a : UNRESOLVED;
      }
      case T.NewExpression:
        return this.urlConstructor(n, next, sources);
      case T.CallExpression: {
        const callee = unwrap(n.callee);
        // String(x), x.toString(), url.toString(), [a, b].join('/'), a.concat(b)
        if (callee.type === T.Identifier && callee.name === 'String' && n.arguments[0]) return this.string(n.arguments[0], next, sources);
        if (callee.type !== T.MemberExpression) return UNRESOLVED;
        const method = propertyName(callee);
        if (method === 'toString' || method === 'trim') return this.string(callee.object, next, sources);
        if (method === 'concat') return [callee.object, ...n.arguments].map((a) => this.string(a, next, sources)).join('');
        if (method === 'join') {
          const array = this.resolveNode(callee.object, next);
          if (array?.type !== T.ArrayExpression) return UNRESOLVED;
          const sep = n.arguments[0] ? this.string(n.arguments[0], next) : ',';
          return array.elements.map((e) => (e && e.type !== T.SpreadElement ? this.string(e, next, sources) : UNRESOLVED)).join(sep);
        }
        return UNRESOLVED;
      }
      default:
        return UNRESOLVED;
    }
  }

  /** `new URL(path, base)` with WHATWG semantics where both parts are known. */
  private urlConstructor(n: TSESTree.NewExpression, depth: number, sources?: Node[]): string {
    const callee = unwrap(n.callee);
    if (callee.type !== T.Identifier || callee.name !== 'URL' || this.variable(callee)?.defs.length) return UNRESOLVED;
    const [input, base] = n.arguments;
    if (!input) return UNRESOLVED;
    const path = this.string(input, depth, sources);
    if (!base) return path;
    const baseUrl = this.string(base, depth, sources);
    if (/^[a-z][a-z0-9+.-]*:/i.test(path)) return path;
    if (!path.includes(UNRESOLVED) && !baseUrl.includes(UNRESOLVED)) {
      try {
        return new URL(path, baseUrl).href;
      } catch {
        return UNRESOLVED;
      }
    }
    // Partly known: an absolute path replaces the base's path, a relative one its last segment.
    const origin = originOf(baseUrl);
    if (path.startsWith('/')) return origin + path;
    return baseUrl.replace(/[^/]*$/, '') + path;
  }

  /** The expression behind `a.b`: an object literal's property, a class field, a static member. */
  memberValue(n: TSESTree.MemberExpression, depth = 0): Node | undefined {
    const name = propertyName(n, this);
    if (name === undefined) return undefined;
    const object = unwrap(n.object);
    if (object.type === T.ThisExpression) return this.thisMember(n);
    if (object.type === T.Identifier) {
      const stat = this.staticMember(object, name);
      if (stat) return stat;
    }
    return this.member(object, name, depth);
  }

  /** Follows identifiers and member accesses to the expression they stand for. */
  resolveNode(node: Node, depth = 0): Node | undefined {
    let n = unwrap(node);
    for (let i = depth; i <= MAX_DEPTH; i++) {
      if (n.type === T.Identifier) {
        const value = this.bindingValue(n);
        if (!value) return n;
        n = unwrap(value);
      } else if (n.type === T.MemberExpression) {
        const value = this.memberValue(n, i + 1);
        if (!value) return n;
        n = unwrap(value);
      } else return n;
    }
    return n;
  }

  /** The properties of an object expression, through bindings, spreads and `Object.assign`. */
  object(node: Node, depth = 0): StaticObject {
    if (depth > MAX_DEPTH) return { props: new Map(), open: 'the value is nested too deeply' };
    const n = unwrap(node);
    switch (n.type) {
      case T.ObjectExpression: {
        const props = new Map<string, Prop>();
        let open: string | undefined;
        for (const p of n.properties) {
          if (p.type === T.SpreadElement) {
            const spread = this.object(p.argument, depth + 1);
            for (const [k, v] of spread.props) props.set(k, v);
            open ??= spread.open;
            continue;
          }
          const name = propertyName(p, this);
          if (name === undefined) {
            open ??= `a computed key (${this.text(p.key)}) is not known`;
            continue;
          }
          props.set(name, { value: p.value as Node, key: p.key, property: p });
        }
        return { props, open, literal: n };
      }
      case T.Identifier: {
        const variable = this.variable(n);
        if (!variable) return { props: new Map(), open: `${n.name} is not defined in this file` };
        const value = this.variableValue(variable);
        if (!value) {
          const kind = variable.defs[0]?.type;
          return { props: new Map(), open: kind === 'Parameter' ? `${n.name} is a parameter` : `${n.name} is not a constant of this file` };
        }
        const base = this.object(value, depth + 1);
        // `options.headers = …` after the declaration adds to what the literal says.
        const props = new Map(base.props);
        for (const ref of variable.references) {
          const parent = ref.identifier.parent;
          if (parent?.type !== T.MemberExpression || parent.object !== ref.identifier) continue;
          const assign = parent.parent;
          if (assign?.type !== T.AssignmentExpression || assign.left !== parent) continue;
          const name = propertyName(parent, this);
          if (name !== undefined) props.set(name, { value: assign.right });
        }
        return { props, open: base.open, literal: base.literal };
      }
      case T.MemberExpression: {
        const value = this.memberValue(n, depth + 1);
        return value ? this.object(value, depth + 1) : { props: new Map(), open: `${this.text(n)} is not known` };
      }
      case T.ConditionalExpression:
      case T.LogicalExpression: {
        const parts = n.type === T.ConditionalExpression ? [n.consequent, n.alternate] : [n.left, n.right];
        const props = new Map<string, Prop>();
        let open: string | undefined;
        for (const part of parts) {
          const u = unwrap(part);
          if (u.type === T.Identifier && u.name === 'undefined') continue;
          if (u.type === T.Literal && (u.value === null || u.value === false || u.value === '')) continue;
          const obj = this.object(part, depth + 1);
          for (const [k, v] of obj.props) if (!props.has(k)) props.set(k, v);
          open ??= obj.open;
        }
        return { props, open };
      }
      case T.CallExpression: {
        const callee = unwrap(n.callee);
        if (callee.type === T.MemberExpression && this.text(callee) === 'Object.assign') {
          const props = new Map<string, Prop>();
          let open: string | undefined;
          for (const arg of n.arguments) {
            const obj = this.object(arg, depth + 1);
            for (const [k, v] of obj.props) props.set(k, v);
            open ??= obj.open;
          }
          return { props, open };
        }
        return { props: new Map(), open: `it comes from ${shorten(this.text(n))}` };
      }
      default:
        return { props: new Map(), open: `it comes from ${shorten(this.text(n))}` };
    }
  }

  /** Where a callee or receiver comes from. `factory` turns a module call into an instance. */
  ref(node: Node, factory: (call: TSESTree.CallExpression | TSESTree.NewExpression, callee: Ref) => Ref | undefined, depth = 0): Ref | undefined {
    if (depth > MAX_DEPTH) return undefined;
    const n = unwrap(node);
    const next = depth + 1;
    switch (n.type) {
      case T.Identifier: {
        const variable = this.variable(n);
        if (!variable || variable.defs.length === 0) return { kind: 'module', module: GLOBAL, path: [n.name] };
        const def = variable.defs[0]!;
        if (def.type === 'ImportBinding') {
          if (def.node.type === T.TSImportEqualsDeclaration) {
            const ref = def.node.moduleReference;
            if (ref.type === T.TSExternalModuleReference && ref.expression.type === T.Literal) return { kind: 'module', ...normaliseModule(String(ref.expression.value)) };
            return undefined;
          }
          const decl = def.parent as TSESTree.ImportDeclaration;
          const base = normaliseModule(String(decl.source.value));
          const spec = def.node;
          if (spec.type === T.ImportSpecifier) {
            const imported = spec.imported.type === T.Identifier ? spec.imported.name : String(spec.imported.value);
            return { kind: 'module', module: base.module, path: imported === 'default' ? base.path : [...base.path, imported] };
          }
          return { kind: 'module', ...base };
        }
        const value = this.variableValue(variable);
        if (!value) return undefined;
        const ref = this.ref(value, factory, next);
        return ref?.kind === 'instance' && !ref.variable && ref.path.length === 0 ? { ...ref, variable } : ref;
      }
      case T.MemberExpression: {
        const name = propertyName(n, this);
        if (name === undefined) return undefined;
        const object = unwrap(n.object);
        if (object.type === T.ThisExpression) {
          const value = this.thisMember(n);
          return value ? this.ref(value, factory, next) : undefined;
        }
        const base = this.ref(object, factory, next);
        if (!base) return undefined;
        if (base.kind === 'module') {
          if (base.module === GLOBAL && base.path.length === 1 && GLOBAL_OBJECTS.has(base.path[0]!)) return { kind: 'module', module: GLOBAL, path: [name] };
          if (name === 'default' && base.path.length === 0) return base;
          return { kind: 'module', module: base.module, path: [...base.path, name] };
        }
        return { ...base, path: [...base.path, name] };
      }
      case T.CallExpression: {
        const callee = unwrap(n.callee);
        if (callee.type === T.Identifier && callee.name === 'require' && !this.variable(callee)?.defs.length) {
          const arg = n.arguments[0];
          if (arg?.type === T.Literal && typeof arg.value === 'string') return { kind: 'module', ...normaliseModule(arg.value) };
          return undefined;
        }
        const calleeRef = this.ref(callee, factory, next);
        return calleeRef ? factory(n, calleeRef) : undefined;
      }
      case T.NewExpression: {
        const calleeRef = this.ref(n.callee, factory, next);
        return calleeRef ? factory(n, calleeRef) : undefined;
      }
      case T.AwaitExpression:
        return this.ref(n.argument, factory, next);
      default:
        return undefined;
    }
  }
}

function classMember(body: TSESTree.ClassBody, name: string, isStatic: boolean): Node | undefined {
  for (const member of body.body) {
    if (member.type === T.PropertyDefinition && member.static === isStatic && propertyName(member) === name) return member.value ?? undefined;
  }
  if (isStatic) return undefined;
  // Assigned once in the constructor: `this.name = …`.
  const ctor = body.body.find((m): m is TSESTree.MethodDefinition => m.type === T.MethodDefinition && m.kind === 'constructor');
  let found: Node | undefined;
  for (const statement of ctor?.value.body?.body ?? []) {
    if (statement.type !== T.ExpressionStatement || statement.expression.type !== T.AssignmentExpression) continue;
    const left = statement.expression.left;
    if (left.type === T.MemberExpression && left.object.type === T.ThisExpression && propertyName(left) === name) {
      if (found) return undefined;
      found = statement.expression.right;
    }
  }
  // Constructor parameter properties (`constructor(private readonly base = '…')`).
  if (!found && ctor) {
    for (const param of ctor.value.params) {
      if (param.type === T.TSParameterProperty && param.parameter.type === T.AssignmentPattern && param.parameter.left.type === T.Identifier && param.parameter.left.name === name) {
        return param.parameter.right;
      }
    }
  }
  return found;
}

function originOf(url: string): string {
  const m = /^([a-z][a-z0-9+.-]*:\/\/[^/?#]*)/i.exec(url);
  return m ? m[1]! : url.replace(/\/.*$/, '');
}

export function shorten(text: string, max = 60): string {
  const flat = text.replace(/\s+/g, ' ');
  return flat.length <= max ? flat : `${flat.slice(0, max - 1)}…`;
}
