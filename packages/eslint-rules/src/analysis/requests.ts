/**
 * Extracts a core RequestModel (client, method, URL, header lines) from each HTTP call site of the
 * clients JavaScript and TypeScript code uses to reach IMDS. Judging the model is core's job.
 */
import { AST_NODE_TYPES as T, type TSESTree } from '@typescript-eslint/utils';
import { UNRESOLVED, type Method, type RequestModel } from '@imds-guard/core';
import { HeaderResolver, mergeHeaders, NO_HEADERS, toHeaderLines, type HeaderSet } from './headers.js';
import { apiKey, propertyName, shorten, unwrap, Values, type Node, type Ref, type StaticObject } from './values.js';

type Call = TSESTree.CallExpression;

/** How a header can be added to a request in source, for fixes and suggestions. */
export type HeaderInsertion =
  /** An options object at argument `index` (absent, an object literal, or a callback to insert before). */
  | { readonly kind: 'options'; readonly call: Call; readonly index: number }
  /** The argument at `index` is itself the headers object. */
  | { readonly kind: 'headers-arg'; readonly call: Call; readonly index: number }
  /** superagent: chain `.set(name, value)` after `after`. */
  | { readonly kind: 'chain'; readonly after: Node }
  /** XMLHttpRequest: a `receiver.setRequestHeader(name, value);` statement after `statement`. */
  | { readonly kind: 'statement'; readonly statement: TSESTree.ExpressionStatement; readonly receiver: string };

export interface RequestSite {
  /** Where the finding is reported. */
  readonly node: Node;
  readonly client: string;
  readonly model: RequestModel;
  readonly headers: HeaderSet;
  /** The literals the URL was assembled from. */
  readonly urlSources: readonly Node[];
  readonly insertion?: HeaderInsertion;
  /** The call returns a promise of the response, so `token.then(() => call)` keeps its type. */
  readonly promise: boolean;
  /** The client's response has a `.text()` body reader (fetch, got, ky). */
  readonly textBody: boolean;
}

/** A library that only speaks IMDSv1, found at its import. */
export interface LegacyLibrarySite {
  readonly node: Node;
  readonly library: string;
}

export const V1_ONLY_LIBRARIES = new Set(['node-ec2-metadata']);

const AXIOS_URL_METHODS = new Set(['get', 'delete', 'head', 'options']);
const AXIOS_DATA_METHODS = new Set(['post', 'put', 'patch', 'postForm', 'putForm', 'patchForm']);
const HTTP_VERBS = new Set(['get', 'head', 'delete', 'del', 'options', 'post', 'put', 'patch']);
const ACTIONS_URL_METHODS = new Set(['get', 'del', 'head', 'options', 'getJson']);
const ACTIONS_DATA_METHODS = new Set(['post', 'put', 'patch', 'postJson', 'putJson', 'patchJson']);
const FETCH_APIS = new Set(['<global>:fetch', 'node-fetch:', 'node-fetch:fetch', 'undici:fetch']);

/** Turns a factory call (`axios.create`, `new XMLHttpRequest`, …) into an instance reference. */
export function requestFactory(call: Call | TSESTree.NewExpression, callee: Ref): Ref | undefined {
  const inst = (of: string, parent?: Ref): Ref => ({ kind: 'instance', of, creation: call, path: [], parent });
  if (callee.kind === 'instance') {
    const method = callee.path.join('.');
    if (call.type === T.CallExpression && ((callee.of === 'got' && method === 'extend') || (callee.of === 'ky' && (method === 'extend' || method === 'create')) || (callee.of === 'request' && method === 'defaults') || (callee.of === 'axios' && method === 'create'))) {
      return inst(callee.of, { ...callee, path: [] });
    }
    return undefined;
  }
  const key = apiKey(callee);
  if (call.type === T.NewExpression) {
    switch (key) {
      case '<global>:XMLHttpRequest':
        return inst('xhr');
      case 'aws-sdk:MetadataService':
        return inst('aws-v2-metadata');
      case '@aws-sdk/ec2-metadata-service:MetadataService':
        return inst('aws-v3-metadata');
      case 'undici:Client':
      case 'undici:Pool':
        return inst('undici-client');
      case '@actions/http-client:HttpClient':
        return inst('actions-http');
      case 'aws-sdk:EC2':
      case '@aws-sdk/client-ec2:EC2':
        return inst('ec2');
      case 'aws-sdk:AutoScaling':
      case '@aws-sdk/client-auto-scaling:AutoScaling':
        return inst('autoscaling');
    }
    return undefined;
  }
  switch (key) {
    case 'axios:create':
      return inst('axios');
    case 'got:extend':
      return inst('got');
    case 'ky:create':
    case 'ky:extend':
      return inst('ky');
    case 'request:defaults':
      return inst('request');
  }
  return undefined;
}

export class RequestExtractor {
  readonly headers: HeaderResolver;

  constructor(readonly values: Values) {
    this.headers = new HeaderResolver(values);
  }

  ref(node: Node): Ref | undefined {
    return this.values.ref(node, requestFactory);
  }

  /** The v1-only library an import or `require()` brings in. */
  legacyLibrary(node: TSESTree.ImportDeclaration | Call): LegacyLibrarySite | undefined {
    if (node.type === T.ImportDeclaration) {
      const source = String(node.source.value);
      return V1_ONLY_LIBRARIES.has(source) ? { node, library: source } : undefined;
    }
    const callee = unwrap(node.callee);
    const arg = node.arguments[0];
    if (callee.type === T.Identifier && callee.name === 'require' && arg?.type === T.Literal && typeof arg.value === 'string' && V1_ONLY_LIBRARIES.has(arg.value)) {
      return { node, library: arg.value };
    }
    return undefined;
  }

  extract(call: Call): RequestSite | undefined {
    const callee = unwrap(call.callee);
    // Cheap rejections first: most calls in a file are not requests.
    if (callee.type !== T.Identifier && callee.type !== T.MemberExpression) return undefined;
    const ref = this.ref(callee);
    if (!ref) return undefined;
    return ref.kind === 'module' ? this.moduleCall(call, ref) : this.instanceCall(call, ref);
  }

  private moduleCall(call: Call, ref: Ref & { kind: 'module' }): RequestSite | undefined {
    const key = apiKey(ref)!;
    if (FETCH_APIS.has(key)) return this.fetchLike(call);
    const method = ref.path.length === 1 ? ref.path[0]! : ref.path.length === 0 ? '' : undefined;
    if (method === undefined) return undefined;
    switch (ref.module) {
      case 'axios':
        return this.axios(call, method, []);
      case 'got':
        return this.got(call, method, [], 'got');
      case 'ky':
        return this.got(call, method, [], 'ky');
      case 'undici':
        return method === 'request' ? this.undiciRequest(call) : undefined;
      case 'superagent':
        return this.superagent(call, method);
      case 'needle':
        return this.needle(call, method);
      case 'request':
        return this.request(call, method, []);
      case 'http':
      case 'https':
        return method === 'get' || method === 'request' ? this.nodeHttp(call, ref.module) : undefined;
      default:
        return undefined;
    }
  }

  private instanceCall(call: Call, ref: Ref & { kind: 'instance' }): RequestSite | undefined {
    const method = ref.path.join('.');
    const chain = instanceChain(ref);
    switch (ref.of) {
      case 'axios':
        return ref.path.length <= 1 ? this.axios(call, method, chain) : undefined;
      case 'got':
      case 'ky':
        return ref.path.length <= 1 ? this.got(call, method, chain, ref.of) : undefined;
      case 'request':
        return ref.path.length <= 1 ? this.request(call, method, chain) : undefined;
      case 'undici-client':
        return method === 'request' ? this.undiciClient(call, ref) : undefined;
      case 'xhr':
        return method === 'open' ? this.xhrOpen(call, ref) : undefined;
      case 'aws-v2-metadata':
        return method === 'request' ? this.awsV2(call, ref) : undefined;
      case 'aws-v3-metadata':
        return method === 'request' ? this.awsV3(call, ref) : undefined;
      case 'actions-http':
        return this.actionsHttp(call, ref, method);
      default:
        return undefined;
    }
  }

  // --- helpers -------------------------------------------------------------------------------

  private arg(call: Call, i: number): Node | undefined {
    const a = call.arguments[i];
    return a && a.type !== T.SpreadElement ? a : undefined;
  }

  private isObjectArg(node: Node | undefined): boolean {
    if (!node) return false;
    const resolved = this.values.resolveNode(node);
    return resolved?.type === T.ObjectExpression;
  }

  private isFunction(node: Node | undefined): boolean {
    if (!node) return false;
    const n = unwrap(node);
    return n.type === T.ArrowFunctionExpression || n.type === T.FunctionExpression;
  }

  private obj(node: Node | undefined): StaticObject {
    return node ? this.values.object(node) : { props: new Map() };
  }

  private str(node: Node | undefined, sources: Node[]): string | undefined {
    return node ? this.values.string(node, 0, sources) : undefined;
  }

  private prop(o: StaticObject, ...names: string[]): Node | undefined {
    for (const name of names) {
      const p = o.props.get(name);
      if (p) return p.value;
    }
    return undefined;
  }

  /** The headers an options object carries, or why they cannot be known. */
  private optionHeaders(o: StaticObject, hooks = false): HeaderSet {
    const h = this.prop(o, 'headers');
    const sets: HeaderSet[] = [];
    if (h) sets.push(this.headers.of(h));
    else if (o.open) sets.push({ lines: [], unresolved: `the options may carry headers: ${o.open}` });
    if (hooks) {
      const hookObj = this.prop(o, 'hooks');
      if (hookObj) {
        const before = this.prop(this.obj(hookObj), 'beforeRequest');
        const list = before ? this.values.resolveNode(before) : undefined;
        if (list?.type === T.ArrayExpression) {
          for (const e of list.elements) if (e && e.type !== T.SpreadElement) sets.push(this.headers.fromFunction(e, 'a beforeRequest hook'));
        } else if (before) sets.push({ lines: [], unresolved: 'beforeRequest hooks may add headers' });
      }
    }
    return mergeHeaders(...sets);
  }

  private methodOf(o: StaticObject, fallback: Method = 'GET'): Method {
    const m = this.prop(o, 'method');
    return m ? toMethod(this.values.string(m)) : fallback;
  }

  private site(call: Call, url: string | undefined, method: Method, headers: HeaderSet, sources: Node[], extra: Partial<RequestSite> = {}): RequestSite | undefined {
    if (url === undefined) return undefined;
    const client = shorten(this.values.text(call.callee).replace(/\s*(\?\.|\.)\s*/g, '$1'), 40);
    return {
      node: call,
      client,
      model: { client, method, url, headers: toHeaderLines(headers), ...(headers.unresolved !== undefined ? { unresolvedHeaders: headers.unresolved } : {}) },
      headers,
      urlSources: sources,
      promise: false,
      textBody: false,
      ...extra,
    };
  }

  // --- clients -------------------------------------------------------------------------------

  private fetchLike(call: Call): RequestSite | undefined {
    const input = this.arg(call, 0);
    if (!input) return undefined;
    const sources: Node[] = [];
    const resolved = this.values.resolveNode(input);
    let url: string | undefined;
    let options = this.obj(this.arg(call, 1));
    if (resolved?.type === T.NewExpression && unwrap(resolved.callee).type === T.Identifier && (unwrap(resolved.callee) as TSESTree.Identifier).name === 'Request') {
      url = this.str(resolved.arguments[0] as Node | undefined, sources);
      const first = this.obj(resolved.arguments[1] as Node | undefined);
      options = { props: new Map([...first.props, ...options.props]), open: first.open ?? options.open };
    } else url = this.str(input, sources);
    return this.site(call, url, this.methodOf(options), this.optionHeaders(options), sources, {
      insertion: { kind: 'options', call, index: 1 },
      promise: true,
      textBody: true,
    });
  }

  private axios(call: Call, method: string, chain: readonly Ref[]): RequestSite | undefined {
    let urlNode: Node | undefined;
    let configIndex: number;
    let httpMethod: Method | undefined;
    if (method === '') {
      if (this.isObjectArg(this.arg(call, 0))) configIndex = 0;
      else {
        urlNode = this.arg(call, 0);
        configIndex = 1;
      }
    } else if (method === 'request') configIndex = 0;
    else if (AXIOS_URL_METHODS.has(method)) {
      urlNode = this.arg(call, 0);
      configIndex = 1;
      httpMethod = toMethod(method);
    } else if (AXIOS_DATA_METHODS.has(method)) {
      urlNode = this.arg(call, 0);
      configIndex = 2;
      httpMethod = toMethod(method.replace(/Form$/, ''));
    } else return undefined;
    const config = this.obj(this.arg(call, configIndex));
    const sources: Node[] = [];
    const base = this.str(this.prop(config, 'baseURL'), sources) ?? this.instanceOption(chain, 'baseURL', sources);
    const path = urlNode ? this.str(urlNode, sources) : this.str(this.prop(config, 'url'), sources);
    if (path === undefined && base === undefined) return undefined;
    const url = joinAxios(base, path ?? '');
    const headers = mergeHeaders(this.instanceHeaders(chain, 'axios'), this.optionHeaders(config));
    return this.site(call, url, httpMethod ?? this.methodOf(config), headers, sources, { insertion: { kind: 'options', call, index: configIndex }, promise: true });
  }

  private got(call: Call, method: string, chain: readonly Ref[], lib: 'got' | 'ky'): RequestSite | undefined {
    if (method !== '' && !HTTP_VERBS.has(method)) return undefined;
    let urlNode: Node | undefined = this.arg(call, 0);
    let optionsIndex = 1;
    if (method === '' && lib === 'got' && this.isObjectArg(urlNode)) {
      optionsIndex = 0;
      urlNode = undefined;
    }
    const options = this.obj(this.arg(call, optionsIndex));
    const sources: Node[] = [];
    const path = urlNode ? this.str(urlNode, sources) : this.str(this.prop(options, 'url'), sources);
    const prefix = this.str(this.prop(options, 'prefixUrl', 'prefix'), sources) ?? this.instanceOption(chain, ['prefixUrl', 'prefix'], sources);
    if (path === undefined) return undefined;
    const url = prefix === undefined ? path : joinPrefix(prefix, path);
    const headers = mergeHeaders(this.instanceHeaders(chain, lib), this.optionHeaders(options, true));
    return this.site(call, url, method ? toMethod(method) : this.methodOf(options), headers, sources, {
      insertion: { kind: 'options', call, index: optionsIndex },
      promise: true,
      textBody: true,
    });
  }

  private undiciRequest(call: Call): RequestSite | undefined {
    const sources: Node[] = [];
    const options = this.obj(this.arg(call, 1));
    return this.site(call, this.str(this.arg(call, 0), sources), this.methodOf(options), this.optionHeaders(options), sources, {
      insertion: { kind: 'options', call, index: 1 },
      promise: true,
    });
  }

  private undiciClient(call: Call, ref: Ref & { kind: 'instance' }): RequestSite | undefined {
    const sources: Node[] = [];
    const origin = this.str(ref.creation.arguments[0] as Node | undefined, sources);
    const options = this.obj(this.arg(call, 0));
    const path = this.str(this.prop(options, 'path'), sources) ?? '/';
    if (origin === undefined) return undefined;
    return this.site(call, origin.replace(/\/+$/, '') + path, this.methodOf(options), this.optionHeaders(options), sources, {
      insertion: { kind: 'options', call, index: 0 },
      promise: true,
    });
  }

  private superagent(call: Call, method: string): RequestSite | undefined {
    let urlNode = this.arg(call, 0);
    let httpMethod: Method = 'GET';
    if (method === '') {
      if (call.arguments.length >= 2 && !this.isFunction(this.arg(call, 1))) {
        httpMethod = toMethod(this.values.string(urlNode!));
        urlNode = this.arg(call, 1);
      }
    } else if (HTTP_VERBS.has(method)) httpMethod = toMethod(method);
    else return undefined;
    const sources: Node[] = [];
    const url = this.str(urlNode, sources);
    // Headers come from the chain that follows: `.set(name, value)` / `.set({…})`.
    const sets: HeaderSet[] = [];
    let top: Node = call;
    while (top.parent?.type === T.MemberExpression && top.parent.object === top && top.parent.parent?.type === T.CallExpression && top.parent.parent.callee === top.parent) {
      const name = propertyName(top.parent);
      const setCall: TSESTree.CallExpression = top.parent.parent;
      if (name === 'set') {
        const [k, v] = setCall.arguments;
        if (k && k.type !== T.SpreadElement && unwrap(k).type !== T.Literal && unwrap(k).type !== T.TemplateLiteral && this.values.resolveNode(k)?.type === T.ObjectExpression) sets.push(this.headers.of(k));
        else if (k && k.type !== T.SpreadElement) sets.push({ lines: [{ name: this.values.string(k), value: v && v.type !== T.SpreadElement ? this.values.string(v) : UNRESOLVED }] });
      }
      top = setCall;
    }
    const declarator = top.parent?.type === T.AwaitExpression ? top.parent.parent : top.parent;
    if (declarator?.type === T.VariableDeclarator && declarator.id.type === T.Identifier && declarator.init === (top.parent?.type === T.AwaitExpression ? top.parent : top)) {
      const variable = this.values.variable(declarator.id);
      if (variable && top.parent?.type !== T.AwaitExpression) sets.push(this.headers.mutations(variable, []));
    }
    return this.site(call, url, httpMethod, mergeHeaders(...sets), sources, { insertion: { kind: 'chain', after: call } });
  }

  private needle(call: Call, method: string): RequestSite | undefined {
    let urlIndex = 0;
    let optionsIndex: number;
    let httpMethod: Method;
    if (method === '' || method === 'request') {
      httpMethod = toMethod(this.values.string(this.arg(call, 0) ?? call));
      urlIndex = 1;
      optionsIndex = 3;
    } else if (method === 'get' || method === 'head') {
      httpMethod = toMethod(method);
      optionsIndex = 1;
    } else if (HTTP_VERBS.has(method)) {
      httpMethod = toMethod(method);
      optionsIndex = 2;
    } else return undefined;
    const sources: Node[] = [];
    const options = this.isFunction(this.arg(call, optionsIndex)) ? { props: new Map() } : this.obj(this.arg(call, optionsIndex));
    return this.site(call, this.str(this.arg(call, urlIndex), sources), httpMethod, this.optionHeaders(options), sources, {
      insertion: { kind: 'options', call, index: optionsIndex },
    });
  }

  private request(call: Call, method: string, chain: readonly Ref[]): RequestSite | undefined {
    if (method !== '' && !HTTP_VERBS.has(method)) return undefined;
    const first = this.arg(call, 0);
    let urlNode: Node | undefined;
    let optionsIndex = 1;
    if (this.isObjectArg(first)) optionsIndex = 0;
    else urlNode = first;
    const options = this.isFunction(this.arg(call, optionsIndex)) ? { props: new Map() } : this.obj(this.arg(call, optionsIndex));
    const sources: Node[] = [];
    const path = urlNode ? this.str(urlNode, sources) : this.str(this.prop(options, 'uri', 'url'), sources);
    if (path === undefined) return undefined;
    const base = this.str(this.prop(options, 'baseUrl'), sources) ?? this.instanceOption(chain, 'baseUrl', sources);
    const url = base === undefined ? path : joinPrefix(base, path);
    const headers = mergeHeaders(this.instanceHeaders(chain, 'request'), this.optionHeaders(options));
    const httpMethod = method ? toMethod(method === 'del' ? 'delete' : method) : this.methodOf(options);
    return this.site(call, url, httpMethod, headers, sources, { insertion: { kind: 'options', call, index: optionsIndex }, promise: false });
  }

  private nodeHttp(call: Call, scheme: 'http' | 'https'): RequestSite | undefined {
    const first = this.arg(call, 0);
    if (!first) return undefined;
    const sources: Node[] = [];
    let url: string | undefined;
    let options: StaticObject = { props: new Map() };
    let optionsIndex: number;
    if (this.isObjectArg(first)) {
      options = this.obj(first);
      optionsIndex = 0;
      const protocol = this.str(this.prop(options, 'protocol'), sources) ?? `${scheme}:`;
      const host = this.str(this.prop(options, 'hostname', 'host'), sources) ?? 'localhost';
      const port = this.str(this.prop(options, 'port'), sources);
      const path = this.str(this.prop(options, 'path'), sources) ?? '/';
      url = `${protocol}//${host}${port ? `:${port}` : ''}${path}`;
    } else {
      url = this.str(first, sources);
      if (url !== undefined && !/^[a-z][a-z0-9+.-]*:\/\//i.test(url) && !url.startsWith(UNRESOLVED)) return undefined;
      optionsIndex = 1;
      if (this.isObjectArg(this.arg(call, 1))) options = this.obj(this.arg(call, 1));
    }
    const sets = [this.optionHeaders(options)];
    // const req = http.request(…); req.setHeader(name, value)
    const parent = call.parent;
    if (parent?.type === T.VariableDeclarator && parent.init === call && parent.id.type === T.Identifier) {
      const variable = this.values.variable(parent.id);
      if (variable) sets.push(this.headers.mutations(variable, []));
    }
    return this.site(call, url, this.methodOf(options), mergeHeaders(...sets), sources, { insertion: { kind: 'options', call, index: optionsIndex } });
  }

  private xhrOpen(call: Call, ref: Ref & { kind: 'instance' }): RequestSite | undefined {
    const sources: Node[] = [];
    const method = toMethod(this.values.string(this.arg(call, 0) ?? call));
    const url = this.str(this.arg(call, 1), sources);
    const headers = ref.variable ? this.headers.mutations(ref.variable, []) : NO_HEADERS;
    const statement = call.parent?.type === T.ExpressionStatement ? call.parent : undefined;
    const receiver = call.callee.type === T.MemberExpression ? this.values.text(call.callee.object) : undefined;
    return this.site(call, url, method, headers, sources, { insertion: statement && receiver ? { kind: 'statement', statement, receiver } : undefined });
  }

  private awsV2(call: Call, ref: Ref & { kind: 'instance' }): RequestSite | undefined {
    const sources: Node[] = [];
    const ctor = this.obj(ref.creation.arguments[0] as Node | undefined);
    const host = this.str(this.prop(ctor, 'host'), sources) ?? '169.254.169.254';
    const path = this.str(this.arg(call, 0), sources);
    if (path === undefined) return undefined;
    const second = this.arg(call, 1);
    const options = second && !this.isFunction(second) ? this.obj(second) : { props: new Map() };
    const url = `http://${host}${path.startsWith('/') || path.startsWith(UNRESOLVED) ? '' : '/'}${path}`;
    return this.site(call, url, this.methodOf(options), this.optionHeaders(options), sources, { insertion: { kind: 'options', call, index: 1 } });
  }

  private awsV3(call: Call, ref: Ref & { kind: 'instance' }): RequestSite | undefined {
    // The v3 MetadataService fetches and sends a token itself, unless told not to.
    const ctor = this.obj(ref.creation.arguments[0] as Node | undefined);
    const disable = this.prop(ctor, 'disableFetchToken');
    if (!disable || this.values.string(disable) !== 'true') return undefined;
    const sources: Node[] = [];
    const endpoint = this.str(this.prop(ctor, 'endpoint'), sources) ?? 'http://169.254.169.254';
    const path = this.str(this.arg(call, 0), sources);
    if (path === undefined) return undefined;
    const options = this.obj(this.arg(call, 1));
    return this.site(call, endpoint.replace(/\/+$/, '') + path, this.methodOf(options), this.optionHeaders(options), sources, { promise: true });
  }

  private actionsHttp(call: Call, ref: Ref & { kind: 'instance' }, method: string): RequestSite | undefined {
    let urlIndex = 0;
    let headersIndex: number;
    let httpMethod: Method;
    if (ACTIONS_URL_METHODS.has(method)) {
      headersIndex = 1;
      httpMethod = toMethod(method === 'getJson' ? 'get' : method === 'del' ? 'delete' : method);
    } else if (ACTIONS_DATA_METHODS.has(method)) {
      headersIndex = 2;
      httpMethod = toMethod(method.replace(/Json$/, ''));
    } else if (method === 'request') {
      httpMethod = toMethod(this.values.string(this.arg(call, 0) ?? call));
      urlIndex = 1;
      headersIndex = 3;
    } else return undefined;
    const sources: Node[] = [];
    const requestOptions = this.obj(ref.creation.arguments[2] as Node | undefined);
    const handlers = ref.creation.arguments[1] as Node | undefined;
    const sets = [this.headers.of(this.arg(call, headersIndex)), this.optionHeaders(requestOptions)];
    const list = handlers ? this.values.resolveNode(handlers) : undefined;
    if (handlers && !(list?.type === T.ArrayExpression && list.elements.length === 0)) sets.push({ lines: [], unresolved: 'a request handler may add headers' });
    return this.site(call, this.str(this.arg(call, urlIndex), sources), httpMethod, mergeHeaders(...sets), sources, {
      insertion: { kind: 'headers-arg', call, index: headersIndex },
      promise: true,
    });
  }

  // --- instances -----------------------------------------------------------------------------

  /** An option of the instance chain (`axios.create({ baseURL })`), the innermost winning. */
  private instanceOption(chain: readonly Ref[], names: string | string[], sources: Node[]): string | undefined {
    for (const ref of chain) {
      if (ref.kind !== 'instance') continue;
      const first = ref.creation.arguments[0];
      const config = this.obj(first && first.type !== T.SpreadElement ? first : undefined);
      const value = this.str(this.prop(config, ...(Array.isArray(names) ? names : [names])), sources);
      if (value !== undefined) return value;
    }
    return undefined;
  }

  private instanceHeaders(chain: readonly Ref[], lib: string): HeaderSet {
    const sets: HeaderSet[] = [];
    for (const ref of chain) {
      if (ref.kind !== 'instance') continue;
      const first = ref.creation.arguments[0];
      sets.push(this.optionHeaders(this.obj(first && first.type !== T.SpreadElement ? first : undefined), lib !== 'axios'));
      if (ref.variable && lib === 'axios') sets.push(this.headers.mutations(ref.variable, ['defaults', 'headers'], true));
    }
    return mergeHeaders(...sets);
  }
}

/** The instance and the instances it was extended from, innermost first. */
function instanceChain(ref: Ref): Ref[] {
  const out: Ref[] = [];
  let r: Ref | undefined = ref;
  while (r && r.kind === 'instance') {
    out.push(r);
    r = r.parent;
  }
  return out;
}

export function toMethod(value: string): Method {
  if (value.includes(UNRESOLVED)) return 'UNKNOWN';
  const m = value.toUpperCase();
  return m === 'GET' || m === 'HEAD' || m === 'PUT' || m === 'POST' ? m : 'OTHER';
}

/** axios' combineURLs: an absolute URL wins, otherwise base and path are joined with one slash. */
function joinAxios(base: string | undefined, path: string): string {
  if (base === undefined || /^[a-z][a-z0-9+.-]*:\/\//i.test(path)) return path;
  if (path === '') return base;
  return `${base.replace(/\/+$/, '')}/${path.replace(/^\/+/, '')}`;
}

/** got's prefixUrl and request's baseUrl: the prefix, a slash, the path. */
function joinPrefix(prefix: string, path: string): string {
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(path)) return path;
  return `${prefix.replace(/\/+$/, '')}/${path.replace(/^\/+/, '')}`;
}
