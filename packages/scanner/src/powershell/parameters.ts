import type { Node } from 'web-tree-sitter';
import { namedChildren, unwrap } from './syntax.js';

/** Invoke-WebRequest's and Invoke-RestMethod's parameters (Windows PowerShell 5.1 and PowerShell 7). */
const VALUED = [
  'Uri', 'Method', 'CustomMethod', 'Headers', 'Body', 'ContentType', 'OutFile', 'InFile', 'WebSession',
  'SessionVariable', 'Credential', 'CertificateThumbprint', 'Certificate', 'UserAgent', 'MaximumRedirection',
  'Proxy', 'ProxyCredential', 'TimeoutSec', 'TransferEncoding', 'Authentication', 'Token', 'SslProtocol',
  'RetryIntervalSec', 'MaximumRetryCount', 'Form', 'StatusCodeVariable', 'ResponseHeadersVariable',
  'MaximumFollowRelLink', 'HttpVersion', 'ConnectionTimeoutSeconds', 'OperationTimeoutSeconds', 'UnixSocket',
  'ErrorAction', 'ErrorVariable', 'WarningAction', 'WarningVariable', 'InformationAction',
  'InformationVariable', 'OutVariable', 'OutBuffer', 'PipelineVariable', 'ProgressAction',
];
const SWITCHES = [
  'UseBasicParsing', 'UseDefaultCredentials', 'DisableKeepAlive', 'ProxyUseDefaultCredentials', 'PassThru',
  'NoProxy', 'SkipCertificateCheck', 'SkipHeaderValidation', 'Resume', 'FollowRelLink',
  'PreserveAuthorizationOnRedirect', 'AllowUnencryptedAuthentication', 'SkipHttpErrorCheck',
  'AllowInsecureRedirect', 'PreserveHttpMethodOnRedirect', 'Verbose', 'Debug',
];
const ALIASES: Record<string, string> = { cm: 'CustomMethod', cv: 'ConnectionTimeoutSeconds', ea: 'ErrorAction', ev: 'ErrorVariable', ov: 'OutVariable', vb: 'Verbose' };
const ALL = [...VALUED, ...SWITCHES];

/**
 * The parameter a `-Name` binds to, by PowerShell's rule: an exact name or alias, else the one
 * parameter the text is a prefix of. Ambiguous or unknown names bind to nothing (PowerShell stops
 * with an error there).
 */
export function bindName(text: string): string | undefined {
  const given = text.replace(/^-/, '').replace(/:$/, '').toLowerCase();
  if (given === '') return undefined;
  const exact = ALL.find((p) => p.toLowerCase() === given) ?? ALIASES[given];
  if (exact) return exact;
  const matches = ALL.filter((p) => p.toLowerCase().startsWith(given));
  return matches.length === 1 ? matches[0] : undefined;
}

export interface BoundArgument {
  readonly parameter?: Node;
  readonly value?: Node;
}

export interface Binding {
  readonly named: ReadonlyMap<string, BoundArgument>;
  readonly positional: readonly Node[];
  /** `@params` arguments. */
  readonly splats: readonly Node[];
  /** `-Name` arguments that are not parameters of the web cmdlets (curl.exe's `-s`, `-X`, `--header`…). */
  readonly foreign: readonly Node[];
  /** The command's last argument node, after which new parameters can be written. */
  readonly last?: Node;
}

/** Reads a web cmdlet's arguments: `-Name value`, `-Name:value`, switches, positionals and splats. */
export function bindArguments(command: Node): Binding {
  const named = new Map<string, BoundArgument>();
  const positional: Node[] = [];
  const splats: Node[] = [];
  const foreign: Node[] = [];
  const elements = command.childForFieldName('command_elements');
  const items = elements ? namedChildren(elements).filter((c) => c.type !== 'command_argument_sep') : [];
  const seps = elements ? namedChildren(elements) : [];
  for (let i = 0; i < items.length; i++) {
    const item = items[i]!;
    if (item.type === 'command_parameter') {
      const name = bindName(item.text);
      if (!name) {
        foreign.push(item);
        continue;
      }
      const sepAfter = seps[seps.findIndex((s) => s.id === item.id) + 1];
      const colon = sepAfter?.type === 'command_argument_sep' && sepAfter.text.startsWith(':');
      const takesValue = VALUED.includes(name) || colon;
      const next = items[i + 1];
      if (takesValue && next && next.type !== 'command_parameter') {
        named.set(name, { parameter: item, value: next });
        i++;
      } else {
        named.set(name, { parameter: item });
      }
    } else if (isSplat(item)) {
      splats.push(item);
    } else if (item.type !== 'redirection' && item.type !== 'comment') {
      positional.push(item);
    }
  }
  return { named, positional, splats, foreign, last: items.at(-1) };
}

function isSplat(node: Node): boolean {
  const n = unwrap(node);
  return n.type === 'variable' && n.text.startsWith('@');
}
