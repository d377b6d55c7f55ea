/**
 * What crosses the preview proxy. On the way in, the app sees its public host and scheme (so links it
 * builds are right) and never the preview's session cookie. On the way out, headers that would widen an
 * app's reach beyond its own origin, or outlive the preview, are dropped: an app owns its origin and
 * nothing more.
 */
import type { IncomingHttpHeaders, OutgoingHttpHeaders } from 'node:http';
import { cookiesForApp, PREVIEW_PARAM } from './access.ts';

const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-authenticate',
  'proxy-authorization',
  'proxy-connection',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
]);

/**
 * Response headers an app may not send through the preview:
 * - `service-worker-allowed`: a worker's scope stays the path of its script;
 * - `strict-transport-security`, `alt-svc`, `nel`, `report-to`, `reporting-endpoints`, `public-key-pins*`,
 *   `expect-ct`: they make the browser remember something about the host (or send reports about it)
 *   after the preview is gone;
 * - `x-frame-options` (and `frame-ancestors`, see {@link withoutFrameAncestors}): the preview is shown
 *   framed in the workspace; an app that forbids framing would show a blank pane.
 */
const DROPPED_RESPONSE = new Set([
  ...HOP_BY_HOP,
  'service-worker-allowed',
  'strict-transport-security',
  'alt-svc',
  'nel',
  'report-to',
  'reporting-endpoints',
  'public-key-pins',
  'public-key-pins-report-only',
  'expect-ct',
  'x-frame-options',
]);

/** What the proxy tells the app about the request it forwards. */
export interface ForwardedFrom {
  /** The Host header the browser sent (the preview's public host). */
  host: string;
  scheme: 'http' | 'https';
  /** The client's address, when known. */
  clientAddress: string | undefined;
}

/** The request headers the app receives. */
export function appRequestHeaders(headers: IncomingHttpHeaders, from: ForwardedFrom): OutgoingHttpHeaders {
  const out: OutgoingHttpHeaders = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined || HOP_BY_HOP.has(name) || name === 'cookie' || name.startsWith('x-forwarded-'))
      continue;
    out[name] = value;
  }
  const cookie = cookiesForApp(headers.cookie);
  if (cookie) out.cookie = cookie;
  out.host = from.host;
  out['x-forwarded-host'] = from.host;
  out['x-forwarded-proto'] = from.scheme;
  if (from.clientAddress) out['x-forwarded-for'] = from.clientAddress;
  return out;
}

/**
 * A Set-Cookie of the app as the browser gets it: host-only (its `Domain` removed, so it stays on the
 * preview's own origin) and partitioned (`Secure; SameSite=None; Partitioned`), so the app's cookies work
 * in the UI's frame where third-party cookies are blocked, as they do in a tab of its own. Null when it
 * would replace the preview's session cookie.
 */
export function previewCookie(cookie: string): string | null {
  const [pair = '', ...attributes] = cookie.split(';');
  if (pair.trim().startsWith(`${PREVIEW_PARAM}=`)) return null;
  const kept = attributes
    .map((a) => a.trim())
    .filter((a) => a && !/^(domain|samesite|secure|partitioned)\b/i.test(a));
  return [pair.trim(), ...kept, 'Secure', 'SameSite=None', 'Partitioned'].join('; ');
}

/** A Content-Security-Policy without its `frame-ancestors` directive (null when nothing is left). */
export function withoutFrameAncestors(policy: string): string | null {
  const kept = policy
    .split(',')
    .map((one) =>
      one
        .split(';')
        .filter((d) => d.trim() && !/^\s*frame-ancestors\b/i.test(d))
        .join(';')
        .trim(),
    )
    .filter(Boolean);
  return kept.length ? kept.join(', ') : null;
}

/** The response headers the browser receives from the app. */
export function appResponseHeaders(headers: IncomingHttpHeaders): OutgoingHttpHeaders {
  const out: OutgoingHttpHeaders = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined || DROPPED_RESPONSE.has(name)) continue;
    if (name === 'set-cookie') {
      const cookies = (Array.isArray(value) ? value : [value]).map(previewCookie).filter((c) => c !== null);
      if (cookies.length) out[name] = cookies;
      continue;
    }
    if (name === 'content-security-policy') {
      const policy = withoutFrameAncestors(Array.isArray(value) ? value.join(', ') : value);
      if (policy) out[name] = policy;
      continue;
    }
    out[name] = value;
  }
  return out;
}

/** The same filter for the raw header lines of a WebSocket upgrade's answer. */
export function isDroppedResponseHeader(name: string): boolean {
  const lower = name.toLowerCase();
  return DROPPED_RESPONSE.has(lower) && lower !== 'connection' && lower !== 'upgrade';
}
