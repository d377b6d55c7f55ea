/**
 * Proxies one HTTP request, or one WebSocket upgrade, to a port inside a sandbox over an agent tunnel.
 * The preview token never reaches the app: its query parameter and cookie are removed on the way in.
 */
import { request as httpRequest } from 'node:http';
import type { IncomingHttpHeaders, IncomingMessage, OutgoingHttpHeaders, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import type { TunnelSocket } from '../agent/session.ts';

/** Name of the query parameter and cookie carrying the preview token. */
export const PREVIEW_PARAM = 'sk_preview';

const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-authenticate',
  'proxy-authorization',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
]);

/** The token from `?sk_preview=` or the `sk_preview` cookie. */
export function previewToken(url: URL, headers: IncomingHttpHeaders): { token?: string; fromQuery: boolean } {
  const fromQuery = url.searchParams.get(PREVIEW_PARAM);
  if (fromQuery) return { token: fromQuery, fromQuery: true };
  for (const part of (headers.cookie ?? '').split(';')) {
    const [name, ...value] = part.trim().split('=');
    if (name === PREVIEW_PARAM && value.length) return { token: value.join('='), fromQuery: false };
  }
  return { fromQuery: false };
}

/** The path and query to send upstream: the preview prefix and the token parameter removed. */
export function upstreamPath(url: URL, prefix: string): string {
  const params = new URLSearchParams(url.searchParams);
  params.delete(PREVIEW_PARAM);
  const query = params.toString();
  const rest = url.pathname.slice(prefix.length) || '/';
  return `${rest.startsWith('/') ? rest : `/${rest}`}${query ? `?${query}` : ''}`;
}

function withoutPreviewCookie(cookie: string | undefined): string | undefined {
  if (!cookie) return undefined;
  const kept = cookie
    .split(';')
    .map((c) => c.trim())
    .filter((c) => c && !c.startsWith(`${PREVIEW_PARAM}=`));
  return kept.length ? kept.join('; ') : undefined;
}

function forwardHeaders(req: IncomingMessage, port: number, prefix: string): OutgoingHttpHeaders {
  const headers: OutgoingHttpHeaders = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (value === undefined || HOP_BY_HOP.has(name) || name === 'cookie' || name === 'host') continue;
    headers[name] = value;
  }
  const cookie = withoutPreviewCookie(req.headers.cookie);
  if (cookie) headers.cookie = cookie;
  headers.host = `localhost:${port}`;
  headers['x-forwarded-host'] = req.headers.host ?? '';
  headers['x-forwarded-prefix'] = prefix;
  headers.connection = 'close'; // one tunnel per request: the app closes it after the response
  return headers;
}

/** Proxies an HTTP request; `extraCookie` (the preview cookie) is added to the response. */
export function proxyHttp(
  req: IncomingMessage,
  res: ServerResponse,
  tunnel: TunnelSocket,
  target: { port: number; path: string; prefix: string; setCookie?: string | undefined },
): void {
  const upstream = httpRequest({
    createConnection: () => tunnel,
    method: req.method ?? 'GET',
    path: target.path,
    headers: forwardHeaders(req, target.port, target.prefix),
  });
  upstream.on('response', (answer) => {
    const headers: OutgoingHttpHeaders = {};
    for (const [name, value] of Object.entries(answer.headers)) {
      if (value !== undefined && !HOP_BY_HOP.has(name)) headers[name] = value;
    }
    if (target.setCookie) {
      const existing = headers['set-cookie'];
      headers['set-cookie'] = [
        ...(Array.isArray(existing) ? existing : existing ? [String(existing)] : []),
        target.setCookie,
      ];
    }
    res.writeHead(answer.statusCode ?? 502, answer.statusMessage, headers);
    answer.pipe(res);
    answer.on('error', () => res.destroy());
  });
  upstream.on('error', () => {
    if (!res.headersSent) {
      res.writeHead(502, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify({ error: { code: 'preview_unreachable', message: 'the app closed the connection' } }),
      );
    } else res.destroy();
    tunnel.destroy();
  });
  res.on('close', () => tunnel.destroy());
  req.pipe(upstream);
}

/** Replays an upgrade request into the tunnel and splices the two sockets together. */
export function proxyUpgrade(
  req: IncomingMessage,
  socket: Duplex,
  head: Buffer,
  tunnel: TunnelSocket,
  target: { port: number; path: string; prefix: string },
): void {
  const lines = [`${req.method ?? 'GET'} ${target.path} HTTP/1.1`];
  for (let i = 0; i < req.rawHeaders.length; i += 2) {
    const name = req.rawHeaders[i] ?? '';
    const lower = name.toLowerCase();
    if (lower === 'host' || lower === 'cookie') continue;
    lines.push(`${name}: ${req.rawHeaders[i + 1] ?? ''}`);
  }
  const cookie = withoutPreviewCookie(req.headers.cookie);
  if (cookie) lines.push(`Cookie: ${cookie}`);
  lines.push(`Host: localhost:${target.port}`, `X-Forwarded-Prefix: ${target.prefix}`);
  tunnel.write(`${lines.join('\r\n')}\r\n\r\n`);
  if (head.length) tunnel.write(head);
  tunnel.pipe(socket);
  socket.pipe(tunnel);
  const close = () => {
    tunnel.destroy();
    socket.destroy();
  };
  tunnel.on('error', close);
  socket.on('error', close);
  tunnel.on('close', close);
  socket.on('close', close);
}
