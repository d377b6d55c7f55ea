/** What the client address depends on. */
export interface AddressEnv {
  /** `true`: Cloudflare's edge is in front and its `CF-Connecting-IP` is trusted; unset: on in production only. */
  BEHIND_CLOUDFLARE?: string;
  APP_ENV?: string;
}

/** The parts of a request the address is read from (a `Request` inside workerd). */
export interface RequestSource {
  headers: Headers;
  cf?: unknown;
}

/** The address of requests whose client cannot be told (wrangler dev): they all count as one. */
export const UNKNOWN_ADDRESS = 'unknown';

/** Whether the deployment sits behind Cloudflare's edge (`BEHIND_CLOUDFLARE`, default: in production). */
export function behindCloudflare(env: AddressEnv): boolean {
  const value = (env.BEHIND_CLOUDFLARE ?? '').trim().toLowerCase();
  if (value === '') return env.APP_ENV === 'production';
  if (value === 'true') return true;
  if (value === 'false') return false;
  throw new Error(`BEHIND_CLOUDFLARE must be "true" or "false", not "${env.BEHIND_CLOUDFLARE}"`);
}

/**
 * The client's address: the one function every per-address decision uses (rate limits, the login
 * lockout, the access log).
 *
 * Behind Cloudflare it is `CF-Connecting-IP`, which the edge sets and overwrites whatever the client
 * sent. Anywhere else that header is just what the client wrote, so it is ignored, and the address is
 * the socket's peer as workerd reports it: `request.cf.clientIp` ("ip:port"), which workerd sets itself
 * on an HTTP socket that has no cf-blob header configured (Workers have no socket API of their own).
 * `wrangler dev` (miniflare) replaces `request.cf` with its stand-in, which has no client address, so
 * there every client is {@link UNKNOWN_ADDRESS}: it listens on loopback only, for one developer.
 * (A local program can also hand miniflare a whole `cf` object in its `MF-CF-Blob` header: wrangler dev
 * is a development server, never one to expose.)
 *
 * IPv6 clients are grouped by their /64: one subscriber usually holds a whole /64 and could otherwise
 * rotate through it.
 */
export function clientAddress(request: RequestSource, env: AddressEnv): string {
  const ip = behindCloudflare(env) ? request.headers.get('cf-connecting-ip')?.trim() : socketAddress(request);
  if (!ip || !/^[0-9a-f.:]+$/i.test(ip)) return UNKNOWN_ADDRESS;
  // An IPv4 client of a dual-stack socket: "::ffff:1.2.3.4" is 1.2.3.4.
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip);
  if (mapped) return mapped[1]!;
  return ip.includes(':') ? ipv6Prefix64(ip) : ip;
}

/** The socket's peer from workerd's `cf.clientIp`: "[::ffff:1.2.3.4]:5678", "[2001:db8::1]:5678", "1.2.3.4:5678". */
function socketAddress(request: RequestSource): string | undefined {
  const value = (request.cf as { clientIp?: unknown } | undefined)?.clientIp;
  if (typeof value !== 'string') return undefined;
  const bracketed = /^\[([^\]]+)\](?::\d+)?$/.exec(value);
  if (bracketed) return bracketed[1];
  const v4 = /^([\d.]+)(?::\d+)?$/.exec(value);
  return v4 ? v4[1] : value;
}

function ipv6Prefix64(ip: string): string {
  const address = ip.toLowerCase();
  const [head = '', tail] = address.split('::');
  const headGroups = head ? head.split(':') : [];
  const tailGroups = tail ? tail.split(':') : [];
  const missing = 8 - headGroups.length - tailGroups.length;
  const groups =
    tail === undefined
      ? headGroups
      : [...headGroups, ...Array<string>(Math.max(missing, 0)).fill('0'), ...tailGroups];
  return `${groups
    .slice(0, 4)
    .map((g) => g.replace(/^0+(?=.)/, ''))
    .join(':')}::/64`;
}
