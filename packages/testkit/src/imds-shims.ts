/**
 * PATH shims for `curl` and `wget` that redirect IMDS traffic to the loopback
 * emulator (see `startImdsEmulator`).
 *
 * Every argument is rewritten: the IMDS host spellings `169.254.169.254`,
 * `[fd00:ec2::254]`, `instance-data.ec2.internal` and `instance-data` (in URL
 * position, with an optional `:80`) become `127.0.0.1:<port>` (an IMDS host with any
 * other port is left alone and therefore refused). The rewritten
 * arguments are then safety-checked; the shim prints an error and exits 97
 * WITHOUT running the real client when:
 *   - any argument still contains `169.254.` or `fd00:ec2`;
 *   - any argument contains a `scheme://host` URL whose host is not
 *     `127.0.0.1` or `localhost`;
 *   - a URL operand (positional argument, curl `--url` value) has a host that is
 *     not `127.0.0.1`/`localhost` (scheme-less operands such as `example.com/x` too);
 *   - an option is used that could move traffic out of reach of these checks
 *     (curl: `-K/--config`, `-:/--next`, `-x/--proxy`, `--preproxy`, `--socks*`,
 *     `--connect-to`, `--alt-svc`, `--hsts`, `--doh-url`, `--dns-servers`;
 *     wget: `-e/--execute`, `-i/--input-file`, `-B/--base`, `--config`, `-H/--span-hosts`).
 * Only then is the real binary exec'd, by the absolute path resolved when the
 * shims were created, with proxies disabled (curl `-q --noproxy '*'`, wget
 * `--no-config --no-proxy`). curl additionally gets `--connect-to
 * ::127.0.0.1:<port>`, so every connection it makes goes to the emulator
 * whatever the URL says.
 *
 * LIMITATION: only clients resolved through PATH are redirected. A script that
 * runs `/usr/bin/curl` (or `$CURL` set to an absolute path), resets PATH, uses
 * `sudo`, `command -p`, `env -i`, bash's `/dev/tcp`, python, the AWS CLI, ...
 * is not redirected. `runScript` refuses scripts that visibly do such things,
 * and `env()` points the proxy variables at the emulator (the "proxy trap") so
 * proxy-honouring clients that bypass the shims end up on loopback, where the
 * emulator answers 502 and records the request with `proxied: true`.
 */
import { execFile } from 'node:child_process';
import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { promisify } from 'node:util';

const execFileAsync = promisify(execFile);

/** Exit status of a shim that refused to run the real client. */
export const SHIM_REFUSED_EXIT = 97;
/** Marker line present in every generated shim. */
export const SHIM_MARKER = '# imds-guard-testkit-shim';
/** Set in `env()` to the shim directory; `runScript` requires it unless told otherwise. */
export const SHIM_ENV_VAR = 'IMDS_GUARD_SHIM_DIR';

const PROXY_VARS = [
  'http_proxy',
  'https_proxy',
  'HTTP_PROXY',
  'HTTPS_PROXY',
  'all_proxy',
  'ALL_PROXY',
  'ftp_proxy',
  'FTP_PROXY',
  'no_proxy',
  'NO_PROXY',
] as const;

export interface ImdsShimOptions {
  /**
   * Point http(s)_proxy / all_proxy in `env()` at the emulator (default true), so a
   * proxy-honouring client that bypasses the shims hits loopback (502, recorded as
   * `proxied`) instead of the network. With `false`, the proxy variables are simply removed.
   */
  proxyTrap?: boolean;
  /** Override the real binaries (absolute paths). Default: `command -v curl` / `command -v wget`. */
  curl?: string;
  wget?: string;
}

export interface ImdsShims {
  /** Directory holding the `curl` and `wget` shims. */
  binDir: string;
  /** Absolute paths of the real clients the shims exec (undefined when not installed). */
  real: { curl?: string; wget?: string };
  /** process.env with the shim dir first on PATH and proxies removed/trapped; `extra` applied last. */
  env(extra?: NodeJS.ProcessEnv): NodeJS.ProcessEnv;
  cleanup(): Promise<void>;
}

// Option tables (curl 7.88 `--help all`, wget 1.21 `--help`), merged at creation
// time with what the installed binaries report.
const CURL_LONG =
  'abstract-unix-socket alt-svc anyauth append aws-sigv4 basic cacert capath cert cert-status cert-type ciphers compressed compressed-ssh config connect-timeout connect-to continue-at cookie cookie-jar create-dirs create-file-mode crlf crlfile curves data data-ascii data-binary data-raw data-urlencode delegation digest disable disable-eprt disable-epsv disallow-username-in-url dns-interface dns-ipv4-addr dns-ipv6-addr dns-servers doh-cert-status doh-insecure doh-url dump-header egd-file engine etag-compare etag-save expect100-timeout fail fail-early fail-with-body false-start form form-escape form-string ftp-account ftp-alternative-to-user ftp-create-dirs ftp-method ftp-pasv ftp-port ftp-pret ftp-skip-pasv-ip ftp-ssl-ccc ftp-ssl-ccc-mode ftp-ssl-control get globoff happy-eyeballs-timeout-ms haproxy-protocol head header help hostpubmd5 hostpubsha256 hsts http0.9 http1.0 http1.1 http2 http2-prior-knowledge http3 http3-only ignore-content-length include insecure interface ipv4 ipv6 json junk-session-cookies keepalive-time key key-type krb libcurl limit-rate list-only local-port location location-trusted login-options mail-auth mail-from mail-rcpt mail-rcpt-allowfails manual max-filesize max-redirs max-time metalink negotiate netrc netrc-file netrc-optional next no-alpn no-buffer no-clobber no-keepalive no-npn no-progress-meter no-sessionid noproxy ntlm ntlm-wb oauth2-bearer output output-dir parallel parallel-immediate parallel-max pass path-as-is pinnedpubkey post301 post302 post303 preproxy progress-bar proto proto-default proto-redir proxy proxy-anyauth proxy-basic proxy-cacert proxy-capath proxy-cert proxy-cert-type proxy-ciphers proxy-crlfile proxy-digest proxy-header proxy-insecure proxy-key proxy-key-type proxy-negotiate proxy-ntlm proxy-pass proxy-pinnedpubkey proxy-service-name proxy-ssl-allow-beast proxy-ssl-auto-client-cert proxy-tls13-ciphers proxy-tlsauthtype proxy-tlspassword proxy-tlsuser proxy-tlsv1 proxy-user proxy1.0 proxytunnel pubkey quote random-file range rate raw referer remote-header-name remote-name remote-name-all remote-time remove-on-error request request-target resolve retry retry-all-errors retry-connrefused retry-delay retry-max-time sasl-authzid sasl-ir service-name show-error silent socks4 socks4a socks5 socks5-basic socks5-gssapi socks5-gssapi-nec socks5-gssapi-service socks5-hostname speed-limit speed-time ssl ssl-allow-beast ssl-auto-client-cert ssl-no-revoke ssl-reqd ssl-revoke-best-effort sslv2 sslv3 stderr styled-output suppress-connect-headers tcp-fastopen tcp-nodelay telnet-option tftp-blksize tftp-no-options time-cond tls-max tls13-ciphers tlsauthtype tlspassword tlsuser tlsv1 tlsv1.0 tlsv1.1 tlsv1.2 tlsv1.3 tr-encoding trace trace-ascii trace-time unix-socket upload-file url url-query use-ascii user user-agent verbose version write-out xattr';
const CURL_VALUE_LONG =
  'abstract-unix-socket alt-svc aws-sigv4 cacert capath cert cert-type ciphers config connect-timeout connect-to continue-at cookie cookie-jar create-file-mode crlfile curves data data-ascii data-binary data-raw data-urlencode delegation dns-interface dns-ipv4-addr dns-ipv6-addr dns-servers doh-url dump-header egd-file engine etag-compare etag-save expect100-timeout form form-string ftp-account ftp-alternative-to-user ftp-method ftp-port ftp-ssl-ccc-mode happy-eyeballs-timeout-ms header hostpubmd5 hostpubsha256 hsts interface json keepalive-time key key-type krb libcurl limit-rate local-port login-options mail-auth mail-from mail-rcpt max-filesize max-redirs max-time netrc-file noproxy oauth2-bearer output output-dir parallel-max pass pinnedpubkey preproxy proto proto-default proto-redir proxy proxy-cacert proxy-capath proxy-cert proxy-cert-type proxy-ciphers proxy-crlfile proxy-header proxy-key proxy-key-type proxy-pass proxy-pinnedpubkey proxy-service-name proxy-tls13-ciphers proxy-tlsauthtype proxy-tlspassword proxy-tlsuser proxy-user proxy1.0 pubkey quote random-file range rate referer request request-target resolve retry retry-delay retry-max-time sasl-authzid service-name socks4 socks4a socks5 socks5-gssapi-service socks5-hostname speed-limit speed-time stderr telnet-option tftp-blksize time-cond tls-max tls13-ciphers tlsauthtype tlspassword tlsuser trace trace-ascii unix-socket upload-file url url-query user user-agent write-out';
const CURL_VALUE_SHORT = 'EKCbcdDFPHmoxUQreXYytzTuAw';
const CURL_REFUSE_LONG =
  'config next proxy preproxy proxy1.0 socks4 socks4a socks5 socks5-hostname connect-to alt-svc hsts doh-url dns-servers';
const CURL_REFUSE_SHORT = 'K:x';

const WGET_LONG =
  'version help background execute output-file append-output debug quiet verbose no-verbose report-speed input-file force-html base config no-config rejected-log tries retry-connrefused retry-on-http-error output-document no-clobber no-netrc continue start-pos progress show-progress timestamping no-if-modified-since no-use-server-timestamps server-response spider timeout dns-timeout connect-timeout read-timeout wait waitretry random-wait no-proxy quota bind-address limit-rate no-dns-cache restrict-file-names ignore-case inet4-only inet6-only prefer-family user password ask-password use-askpass no-iri local-encoding remote-encoding unlink xattr no-directories force-directories no-host-directories protocol-directories directory-prefix cut-dirs http-user http-password no-cache default-page adjust-extension ignore-length header compression max-redirect proxy-user proxy-password referer save-headers user-agent no-http-keep-alive no-cookies load-cookies save-cookies keep-session-cookies post-data post-file method body-data body-file content-disposition content-on-error auth-no-challenge secure-protocol https-only no-check-certificate certificate certificate-type private-key private-key-type ca-certificate ca-directory crl-file pinnedpubkey ciphers no-hsts hsts-file ftp-user ftp-password no-remove-listing no-glob no-passive-ftp preserve-permissions retr-symlinks ftps-implicit ftps-resume-ssl ftps-clear-data-connection ftps-fallback-to-ftp warc-file warc-header warc-max-size warc-cdx warc-dedup no-warc-compression no-warc-digests no-warc-keep-log warc-tempdir recursive level delete-after convert-links convert-file-only backups backup-converted mirror page-requisites strict-comments accept reject accept-regex reject-regex regex-type domains exclude-domains follow-ftp follow-tags ignore-tags span-hosts relative include-directories trust-server-names exclude-directories no-parent';
const WGET_VALUE_LONG =
  'execute output-file append-output report-speed input-file base config rejected-log tries retry-on-http-error output-document start-pos progress timeout dns-timeout connect-timeout read-timeout wait waitretry quota bind-address limit-rate restrict-file-names prefer-family user password use-askpass local-encoding remote-encoding directory-prefix cut-dirs http-user http-password default-page header compression max-redirect proxy-user proxy-password referer user-agent load-cookies save-cookies post-data post-file method body-data body-file secure-protocol certificate certificate-type private-key private-key-type ca-certificate ca-directory crl-file pinnedpubkey ciphers hsts-file ftp-user ftp-password warc-file warc-header warc-max-size warc-dedup warc-tempdir level backups accept reject accept-regex reject-regex regex-type domains exclude-domains follow-tags ignore-tags include-directories exclude-directories';
// `n` takes an argument in wget's getopt table (-nv, -nc, -nd, -nH, -np).
const WGET_VALUE_SHORT = 'eoaiBtOTwQPUlARDIXn';
const WGET_REFUSE_LONG = 'execute input-file base config span-hosts';
const WGET_REFUSE_SHORT = 'eiBH';

interface ToolSpec {
  tool: 'curl' | 'wget';
  real: string | undefined;
  allLong: Set<string>;
  valueLong: Set<string>;
  valueShort: string;
  refuseLong: string;
  refuseShort: string;
  urlLong: string;
  /** Arguments inserted before the user's (curl's -q must be first). */
  prefix: string[];
}

function words(s: string): Set<string> {
  return new Set(s.split(/\s+/).filter(Boolean));
}

function shQuote(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

async function resolveReal(name: string): Promise<string | undefined> {
  try {
    const { stdout } = await execFileAsync('/bin/sh', ['-c', `command -v ${name}`], { env: process.env });
    const path = stdout.trim();
    if (!path.startsWith('/')) return undefined;
    const content = await readFile(path).catch(() => Buffer.alloc(0));
    if (content.includes(SHIM_MARKER)) {
      throw new Error(`createImdsShims: '${name}' on PATH is itself an imds-guard shim (${path}); refusing to nest shims`);
    }
    return path;
  } catch (err) {
    if (err instanceof Error && err.message.startsWith('createImdsShims')) throw err;
    return undefined;
  }
}

/** Reads the installed client's own option table (no network involved). */
async function learnOptions(spec: ToolSpec): Promise<void> {
  if (!spec.real) return;
  const helpArgs = spec.tool === 'curl' ? ['--help', 'all'] : ['--help'];
  let text = '';
  try {
    text = (await execFileAsync(spec.real, helpArgs, { env: { PATH: '/usr/bin:/bin', LC_ALL: 'C' }, timeout: 5000 })).stdout;
  } catch {
    return;
  }
  for (const line of text.split('\n')) {
    if (spec.tool === 'curl') {
      const m = /^\s*(?:-(.), )?--([A-Za-z0-9][\w.-]*)(\s+[<[])?/.exec(line);
      if (!m) continue;
      spec.allLong.add(m[2]!);
      if (m[3] && m[2] !== 'help') {
        spec.valueLong.add(m[2]!);
        if (m[1] && !spec.valueShort.includes(m[1])) spec.valueShort += m[1];
      }
    } else {
      const m = /^\s*(?:-(\w{1,2}),\s+)?--([\w-]+)(=)?/.exec(line);
      if (!m) continue;
      spec.allLong.add(m[2]!);
      if (m[3]) {
        spec.valueLong.add(m[2]!);
        if (m[1]?.length === 1 && !spec.valueShort.includes(m[1])) spec.valueShort += m[1];
      }
    }
  }
}

function shimScript(spec: ToolSpec, port: number): string {
  const pad = (s: Iterable<string>) => shQuote(` ${[...s].join(' ')} `);
  const header = `#!/bin/bash
${SHIM_MARKER}: ${spec.tool} -> IMDS emulator on 127.0.0.1:${port}
# Generated by @imds-guard/testkit createImdsShims(); deleted by cleanup().
`;
  if (!spec.real) {
    return `${header}echo "imds-guard ${spec.tool} shim: the real ${spec.tool} was not found when the shims were created" >&2
exit 127
`;
  }
  return `${header}set -u
TOOL=${spec.tool}
REAL=${shQuote(spec.real)}
TARGET='127.0.0.1:${port}'
ALL_LONG=${pad(spec.allLong)}
VALUE_LONG=${pad(spec.valueLong)}
VALUE_SHORT=${shQuote(spec.valueShort)}
REFUSE_LONG=${shQuote(` ${spec.refuseLong} `)}
REFUSE_SHORT=${shQuote(spec.refuseShort)}
URL_LONG=${shQuote(` ${spec.urlLong} `)}

unset ${PROXY_VARS.join(' ')}

refuse() {
  printf 'imds-guard %s shim: refusing to run %s: %s\\n' "$TOOL" "$TOOL" "$1" >&2
  exit ${SHIM_REFUSED_EXIT}
}

# Sets REWRITTEN to $1 with every IMDS host spelling replaced by $TARGET.
rewrite() {
  local a=$1
  local re_ip='^(.*)(169\\.254\\.169\\.254|\\[fd00:ec2::254\\])(:80)?([^0-9:].*)?$'
  local re_name_start='^instance-data(\\.ec2\\.internal)?(:80)?([/?#].*)?$'
  local re_name_url='^(.*://)instance-data(\\.ec2\\.internal)?(:80)?([/?#].*)?$'
  shopt -s nocasematch
  while [[ $a =~ $re_ip ]]; do a="\${BASH_REMATCH[1]}\${TARGET}\${BASH_REMATCH[4]}"; done
  if [[ $a =~ $re_name_start ]]; then a="\${TARGET}\${BASH_REMATCH[3]}"; fi
  while [[ $a =~ $re_name_url ]]; do a="\${BASH_REMATCH[1]}\${TARGET}\${BASH_REMATCH[4]}"; done
  shopt -u nocasematch
  REWRITTEN=$a
}

# $1 = host[:port] (possibly with userinfo), $2 = the argument it came from.
check_host() {
  local h=\${1##*@}
  if [[ $h == \\[* ]]; then h="\${h%%]*}]"; else h=\${h%%:*}; fi
  shopt -s nocasematch
  if [[ $h != 127.0.0.1 && $h != localhost ]]; then
    shopt -u nocasematch
    refuse "host '$h' is not 127.0.0.1/localhost (argument: $2)"
  fi
  shopt -u nocasematch
}

# Checks applied to every argument, whatever its role.
check_any() {
  local s=$1
  local re_url='://([^/?#[:space:]]*)(.*)$'
  shopt -s nocasematch
  if [[ $s == *169.254.* ]]; then shopt -u nocasematch; refuse "argument still mentions 169.254.x.x after rewriting: $1"; fi
  if [[ $s == *fd00:ec2* ]]; then shopt -u nocasematch; refuse "argument still mentions fd00:ec2 after rewriting: $1"; fi
  shopt -u nocasematch
  while [[ $s =~ $re_url ]]; do
    s=\${BASH_REMATCH[2]}
    check_host "\${BASH_REMATCH[1]}" "$1"
  done
}

# A URL operand: with or without a scheme, its host must be loopback.
check_operand() {
  local a=$1 rest
  if [[ $a =~ ^[A-Za-z][A-Za-z0-9+.-]*://(.*)$ ]]; then rest=\${BASH_REMATCH[1]}; else rest=$a; fi
  check_host "\${rest%%[/?#]*}" "$1"
}

long_known() { [[ $ALL_LONG == *" $1 "* ]]; }
# $1 = option name, $2 = padded list; exact match, or an abbreviation of a listed name.
long_in() {
  local name=$1 list=$2 o
  [[ -z $name ]] && return 1
  if long_known "$name"; then [[ $list == *" $name "* ]]; return; fi
  [[ $name == no-* ]] && return 1
  for o in $list; do [[ $o == "$name"* ]] && return 0; done
  return 1
}

args=("$@")
n=\${#args[@]}
out=()
endopts=0
take_value() { # consume args[i+1] as the value of option $1 (long name or short letter)
  local opt=$1 isurl=$2
  (( i + 1 < n )) || return 0
  i=$(( i + 1 ))
  rewrite "\${args[i]}"
  out+=("$REWRITTEN")
  check_any "$REWRITTEN"
  if (( isurl )); then check_operand "$REWRITTEN"; fi
}
i=0
while (( i < n )); do
  rewrite "\${args[i]}"
  a=$REWRITTEN
  out+=("$a")
  check_any "$a"
  if (( endopts )) || [[ $a != -?* ]]; then
    check_operand "$a"
  elif [[ $a == -- ]]; then
    endopts=1
  elif [[ $a == --* ]]; then
    name=\${a#--}
    inline=0
    if [[ $name == *=* ]]; then inline=1; value=\${name#*=}; name=\${name%%=*}; fi
    if long_in "$name" "$REFUSE_LONG"; then refuse "option --$name is not allowed under the IMDS shims"; fi
    isurl=0
    if long_in "$name" "$URL_LONG"; then isurl=1; fi
    if (( inline )); then
      if (( isurl )); then check_operand "$value"; fi
    elif long_in "$name" "$VALUE_LONG"; then
      take_value "$name" "$isurl"
    fi
  else
    cluster=\${a#-}
    j=0
    while (( j < \${#cluster} )); do
      c=\${cluster:j:1}
      if [[ $REFUSE_SHORT == *"$c"* ]]; then refuse "option -$c is not allowed under the IMDS shims"; fi
      if [[ $VALUE_SHORT == *"$c"* ]]; then
        if (( j + 1 == \${#cluster} )); then take_value "$c" 0; fi
        break
      fi
      j=$(( j + 1 ))
    done
  fi
  i=$(( i + 1 ))
done

exec "$REAL" ${spec.prefix.map(shQuote).join(' ')} "\${out[@]}"
`;
}

/**
 * Writes `curl` and `wget` shims redirecting IMDS requests to `127.0.0.1:<port>`
 * into a fresh temp directory. Put `binDir` first on PATH (or use `env()`).
 */
export async function createImdsShims(port: number, options: ImdsShimOptions = {}): Promise<ImdsShims> {
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new RangeError(`createImdsShims: bad port ${port}`);
  // Resolve the real clients before the shim directory exists on any PATH.
  const [curl, wget] = await Promise.all([
    options.curl ?? resolveReal('curl'),
    options.wget ?? resolveReal('wget'),
  ]);
  const specs: ToolSpec[] = [
    {
      tool: 'curl',
      real: curl,
      allLong: words(CURL_LONG),
      valueLong: words(CURL_VALUE_LONG),
      valueShort: CURL_VALUE_SHORT,
      refuseLong: CURL_REFUSE_LONG,
      refuseShort: CURL_REFUSE_SHORT,
      urlLong: 'url',
      prefix: ['-q', '--noproxy', '*', '--connect-to', `::127.0.0.1:${port}`],
    },
    {
      tool: 'wget',
      real: wget,
      allLong: words(WGET_LONG),
      valueLong: words(WGET_VALUE_LONG),
      valueShort: WGET_VALUE_SHORT,
      refuseLong: WGET_REFUSE_LONG,
      refuseShort: WGET_REFUSE_SHORT,
      urlLong: '',
      prefix: ['--no-config', '--no-proxy'],
    },
  ];
  await Promise.all(specs.map(learnOptions));

  const binDir = await mkdtemp(join(tmpdir(), 'imds-shims-'));
  for (const spec of specs) {
    const file = join(binDir, spec.tool);
    await writeFile(file, shimScript(spec, port), { mode: 0o755 });
    await chmod(file, 0o755);
  }

  const basePath = process.env.PATH ?? '/usr/local/bin:/usr/bin:/bin';
  const trap = options.proxyTrap ?? true;
  return {
    binDir,
    real: { curl, wget },
    env(extra: NodeJS.ProcessEnv = {}) {
      const env: NodeJS.ProcessEnv = { ...process.env };
      for (const name of PROXY_VARS) delete env[name];
      if (trap) {
        const sink = `http://127.0.0.1:${port}`;
        for (const name of ['http_proxy', 'https_proxy', 'HTTP_PROXY', 'HTTPS_PROXY', 'all_proxy', 'ALL_PROXY']) {
          env[name] = sink;
        }
      }
      env.PATH = `${binDir}${delimiter}${basePath}`;
      env[SHIM_ENV_VAR] = binDir;
      return { ...env, ...extra };
    },
    async cleanup() {
      await rm(binDir, { recursive: true, force: true });
    },
  };
}
