/**
 * Chromium's command line for page checks. Beside the usual headless flags, it walls the browser off:
 * a checked page is a stranger's code running on the runner's host, so its browser resolves only the
 * host names the operator maps (the preview domain, to the runner's own preview listener) and, when
 * allowed, loopback names; every other name and IP literal fails to resolve.
 *
 * Requests to other origins are also blocked per page (see run-check.ts), but that cannot stop a
 * redirect: a page's own server can answer 302 to any URL, and the browser follows it. Only this layer
 * stops that (and what never becomes a request: preconnect hints, DNS prefetch). With `allowLoopback`
 * off and the preview domain mapped to `127.0.0.1:<runner port>`, the browser can connect to nothing but
 * the runner's preview listener, whatever port or address a page names.
 */

/** Flags of ENVIRONMENT.md's headless Chromium. */
export const BASE_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** Names that reach loopback without a mapping; Chromium resolves `*.localhost` to loopback itself. */
const LOOPBACK_NAMES = ['localhost', '*.localhost', '127.0.0.1'];

/**
 * A host name (or `*.` pattern) the browser reaches at a given address instead of resolving it:
 * `{ host: '*.preview.example.com', address: '127.0.0.1:8788' }`. Without a port in `address` the URL's
 * port is kept.
 */
export interface HostMapping {
  host: string;
  address: string;
}

const HOST_PATTERN = /^(\*\.)?[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*$/i;
const ADDRESS = /^(\d{1,3}(\.\d{1,3}){3}|\[[0-9a-f:]+\])(:\d{1,5})?$/i;

/** Throws on a mapping that is not a plain host pattern and address (it becomes part of a flag). */
export function validateHostMapping(mapping: HostMapping): void {
  if (!HOST_PATTERN.test(mapping.host)) {
    throw new TypeError(`page checker: not a host name or *.pattern: ${JSON.stringify(mapping.host)}`);
  }
  if (!ADDRESS.test(mapping.address)) {
    throw new TypeError(`page checker: not an IP address[:port]: ${JSON.stringify(mapping.address)}`);
  }
}

/** What the browser may reach: the mapped hosts, and loopback names when `allowLoopback`. */
export interface Reach {
  hosts: HostMapping[];
  allowLoopback: boolean;
}

function matches(pattern: string, host: string): boolean {
  const name = host.toLowerCase();
  const wanted = pattern.toLowerCase();
  return wanted.startsWith('*.') ? name.endsWith(wanted.slice(1)) : name === wanted;
}

/** True when a URL with this host name can be opened by a browser launched with {@link launchArgs}. */
export function canReach(reach: Reach, host: string): boolean {
  const names = [
    ...reach.hosts.map((mapping) => mapping.host),
    ...(reach.allowLoopback ? LOOPBACK_NAMES : []),
  ];
  return names.some((pattern) => matches(pattern, host));
}

/** `--host-resolver-rules`: the mappings, loopback names (if allowed) as they are, nothing else. */
export function hostResolverRules(reach: Reach): string {
  for (const mapping of reach.hosts) validateHostMapping(mapping);
  return [
    ...reach.hosts.map(({ host, address }) => `MAP ${host} ${address}`),
    'MAP * ~NOTFOUND',
    ...(reach.allowLoopback ? LOOPBACK_NAMES.map((name) => `EXCLUDE ${name}`) : []),
  ].join(', ');
}

/** The full command line. */
export function launchArgs(reach: Reach): string[] {
  return [
    ...BASE_ARGS,
    `--host-resolver-rules=${hostResolverRules(reach)}`,
    // WebRTC opens UDP sockets of its own, outside the resolver rules: no proxy, so no UDP at all.
    '--force-webrtc-ip-handling-policy=disable_non_proxied_udp',
  ];
}
