/** Stands for a part of a string that static analysis could not resolve. */
export const UNRESOLVED = '\u0000';

export type UrlTarget =
  | { readonly kind: 'imds'; readonly host: string; readonly path: string }
  | { readonly kind: 'not-imds'; readonly reason: string }
  | { readonly kind: 'unknown' };

// Normalised by WHATWG URL, so decimal, hex, octal and short IPv4 forms and the IPv6 spellings
// of the same address all compare equal to one of these.
const IMDS_HOSTS = new Set([
  '169.254.169.254',
  '[fd00:ec2::254]',
  '[::ffff:a9fe:a9fe]',
  '[64:ff9b::a9fe:a9fe]',
  '[2002:a9fe:a9fe::]',
  'instance-data',
  'instance-data.ec2.internal',
]);
const REGIONAL_IMDS_HOST = /^instance-data\.[a-z0-9-]+\.compute\.internal$/;

const LOOKALIKE_HOSTS: Record<string, string> = {
  '169.254.170.2': 'the ECS/CodeBuild container credentials endpoint',
  '169.254.170.23': 'the EKS Pod Identity agent',
  '[fd00:ec2::23]': 'the EKS Pod Identity agent',
  '169.254.169.123': 'Amazon Time Sync',
  '[fd00:ec2::123]': 'Amazon Time Sync',
  '169.254.169.253': 'the Route 53 Resolver',
  '[fd00:ec2::253]': 'the Route 53 Resolver',
  'metadata.google.internal': 'the Google Compute Engine metadata server',
  '100.100.100.200': 'the Alibaba Cloud metadata server',
};

// Paths that other clouds serve on the shared link-local address; AWS never uses them.
const OTHER_CLOUD_PATHS: [RegExp, string][] = [
  [/^\/computeMetadata(\/|$)/, 'Google Compute Engine'],
  [/^\/metadata(\/|$)/, 'Azure, DigitalOcean or IBM Cloud'],
  [/^\/opc\//, 'Oracle Cloud'],
  [/^\/openstack(\/|$)/, 'OpenStack'],
  [/^\/hetzner\//, 'Hetzner'],
  [/^\/v1(\/|$)/, 'Vultr or Akamai'],
  [/^\/1\.0\/meta-data/, 'Exoscale'],
  [/^\/api\/v1(\/|$)/, 'NWCS'],
  [/^\/instance_identity\//, 'IBM Cloud'],
];

export function normaliseHost(host: string): string | undefined {
  try {
    const url = new URL(`http://${host}/`);
    return url.hostname.toLowerCase();
  } catch {
    return undefined;
  }
}

export function isImdsHost(host: string): boolean {
  const h = normaliseHost(host);
  return h !== undefined && (IMDS_HOSTS.has(h) || REGIONAL_IMDS_HOST.test(h));
}

/** Splits a URL that may lack a scheme and may hold unresolved parts, and says whether it is IMDS. */
export function classifyUrl(raw: string): UrlTarget {
  let rest = raw.trim();
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(rest);
  if (scheme) {
    if (scheme[1]!.toLowerCase() !== 'http') return { kind: 'not-imds', reason: `a ${scheme[1]} URL` };
    rest = rest.slice(scheme[0].length);
  }
  const authorityEnd = rest.search(/[/?#]/);
  let authority = authorityEnd < 0 ? rest : rest.slice(0, authorityEnd);
  const path = authorityEnd < 0 ? '' : rest.slice(authorityEnd);
  authority = authority.slice(authority.lastIndexOf('@') + 1);
  const host = authority.startsWith('[') ? authority.slice(0, authority.indexOf(']') + 1) : authority.split(':')[0]!;
  if (host === '' || host.includes(UNRESOLVED)) return { kind: 'unknown' };
  const normal = normaliseHost(host);
  if (normal === undefined) return { kind: 'unknown' };
  const lookalike = LOOKALIKE_HOSTS[normal];
  if (lookalike) return { kind: 'not-imds', reason: lookalike };
  if (!IMDS_HOSTS.has(normal) && !REGIONAL_IMDS_HOST.test(normal)) return { kind: 'unknown' };
  for (const [pattern, cloud] of OTHER_CLOUD_PATHS) {
    if (pattern.test(path)) return { kind: 'not-imds', reason: `a ${cloud} metadata path` };
  }
  return { kind: 'imds', host: normal, path };
}

export type PathKind = 'token' | 'dated-token' | 'root' | 'data';

export function classifyImdsPath(path: string): PathKind {
  const p = path.split(/[?#]/)[0]!;
  if (/^\/latest\/api\/token\/?$/.test(p)) return 'token';
  if (/^\/[^/]+\/api\/token\/?$/.test(p)) return 'dated-token';
  if (p === '' || p === '/') return 'root';
  return 'data';
}

/** Renders a possibly partial value for a message: unresolved parts become an ellipsis. */
export function display(value: string): string {
  return value.replace(new RegExp(`${UNRESOLVED}+`, 'g'), '…');
}
