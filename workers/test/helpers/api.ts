import { exports } from 'cloudflare:workers';

/** The origin the tests' requests are addressed to (the Worker's own origin). */
export const ORIGIN = 'http://localhost';

/** Call the Worker under test the way a browser on its origin would. */
export function api(path: string, init?: RequestInit): Promise<Response> {
  return exports.default.fetch(new Request(`${ORIGIN}${path}`, init));
}

export interface CallOptions {
  method?: string;
  /** Sent as JSON with `content-type: application/json`. */
  json?: unknown;
  /** Sent as is (with `content-type: application/json` unless headers say otherwise). */
  body?: string;
  /** A bearer token. */
  token?: string;
  /** Cookies to send (name → value). */
  cookies?: Record<string, string>;
  /** The client IP as Cloudflare reports it. */
  ip?: string;
  /** The Origin header; omitted when undefined. */
  origin?: string;
  headers?: Record<string, string>;
}

/** Call the API with the usual ingredients spelled out. */
export function call(path: string, opts: CallOptions = {}): Promise<Response> {
  const headers = new Headers(opts.headers);
  let body: string | undefined;
  if (opts.json !== undefined) body = JSON.stringify(opts.json);
  else if (opts.body !== undefined) body = opts.body;
  if (body !== undefined && !headers.has('content-type')) headers.set('content-type', 'application/json');
  if (opts.token) headers.set('authorization', `Bearer ${opts.token}`);
  if (opts.cookies) {
    headers.set(
      'cookie',
      Object.entries(opts.cookies)
        .map(([k, v]) => `${k}=${v}`)
        .join('; '),
    );
  }
  if (opts.ip) headers.set('cf-connecting-ip', opts.ip);
  if (opts.origin) headers.set('origin', opts.origin);
  return api(path, { method: opts.method ?? (body === undefined ? 'GET' : 'POST'), headers, body });
}

/** A client IP no other test uses (from 10/8, so it never collides with a real one). */
export function randomIp(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(3));
  return `10.${bytes[0]}.${bytes[1]}.${bytes[2]}`;
}

/** An email no other test (or earlier run) uses. */
export function uniqueEmail(tag = 'user'): string {
  return `${tag}-${crypto.randomUUID()}@example.com`;
}

/** The cookies a response sets, by name, with their attributes. */
export function setCookies(res: Response): Map<string, { value: string; attributes: string[] }> {
  const out = new Map<string, { value: string; attributes: string[] }>();
  for (const line of res.headers.getSetCookie()) {
    const [pair = '', ...attributes] = line.split(';').map((p) => p.trim());
    const eq = pair.indexOf('=');
    out.set(pair.slice(0, eq), { value: pair.slice(eq + 1), attributes });
  }
  return out;
}

/** The error envelope of a failed response. */
export interface ErrorEnvelope {
  error: { code: string; message: string; requestId?: string; fields?: { path: string; message: string }[] };
}

export async function errorOf(res: Response): Promise<ErrorEnvelope['error']> {
  const body = await res.json<ErrorEnvelope>();
  return body.error;
}
