/**
 * Carries one HTTP request, or one WebSocket upgrade, to a port inside a sandbox over a supervisor tunnel
 * (so previews work with no network at all), with the headers of headers.ts on both ways.
 */
import { request as httpRequest } from 'node:http';
import type { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import type { TunnelSocket } from '../supervisor/session.ts';
import {
  appRequestHeaders,
  appResponseHeaders,
  previewCookie,
  isDroppedResponseHeader,
  type ForwardedFrom,
} from './headers.ts';

/** Where a request goes inside the sandbox. */
export interface ProxyTarget {
  /** Path and query the app receives. */
  path: string;
  from: ForwardedFrom;
  /** Set-Cookie values of the proxy's own, added to the app's answer (the session cookie). */
  setCookies: string[];
}

function errorAnswer(res: ServerResponse, message: string): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  res.writeHead(502, { 'content-type': 'application/json', 'cache-control': 'no-store' });
  res.end(JSON.stringify({ error: { code: 'preview_unreachable', message } }));
}

/** Proxies an HTTP request; the tunnel carries exactly this one exchange. */
export function proxyHttp(
  req: IncomingMessage,
  res: ServerResponse,
  tunnel: TunnelSocket,
  target: ProxyTarget,
): void {
  const headers = appRequestHeaders(req.headers, target.from);
  headers.connection = 'close'; // one tunnel per request: the app closes it after the response
  const upstream = httpRequest({
    createConnection: () => tunnel,
    method: req.method ?? 'GET',
    path: target.path,
    headers,
  });
  upstream.on('response', (answer) => {
    const out: OutgoingHttpHeaders = appResponseHeaders(answer.headers);
    if (target.setCookies.length) {
      const existing = out['set-cookie'];
      out['set-cookie'] = [
        ...(Array.isArray(existing) ? existing : existing ? [String(existing)] : []),
        ...target.setCookies,
      ];
    }
    res.writeHead(answer.statusCode ?? 502, answer.statusMessage, out);
    answer.pipe(res);
    answer.on('error', () => res.destroy());
  });
  upstream.on('error', () => {
    errorAnswer(res, 'the app closed the connection');
    tunnel.destroy();
  });
  res.on('close', () => tunnel.destroy());
  req.pipe(upstream);
}

/** The app's answer to an upgrade, its head filtered like any response's. */
function filteredHead(head: string): string {
  const [status = '', ...lines] = head.split('\r\n');
  const kept: string[] = [status];
  for (const line of lines) {
    const colon = line.indexOf(':');
    const name = colon > 0 ? line.slice(0, colon).trim() : '';
    if (!name || isDroppedResponseHeader(name)) continue;
    if (name.toLowerCase() === 'set-cookie') {
      const cookie = previewCookie(line.slice(colon + 1).trim());
      if (cookie) kept.push(`Set-Cookie: ${cookie}`);
      continue;
    }
    kept.push(line);
  }
  return kept.join('\r\n');
}

/** Largest head of an upgrade answer the proxy reads before giving up on it. */
const MAX_HEAD_BYTES = 64 * 1024;

/** Replays an upgrade request into the tunnel and, once the app answers, splices the two sockets. */
export function proxyUpgrade(
  req: IncomingMessage,
  socket: Duplex,
  head: Buffer,
  tunnel: TunnelSocket,
  target: Omit<ProxyTarget, 'setCookies'>,
): void {
  const headers = appRequestHeaders(req.headers, target.from);
  const lines = [`${req.method ?? 'GET'} ${target.path} HTTP/1.1`];
  for (const [name, value] of Object.entries(headers)) {
    for (const one of Array.isArray(value) ? value : [value]) lines.push(`${name}: ${String(one)}`);
  }
  // appRequestHeaders drops hop-by-hop headers; an upgrade needs these two.
  lines.push('Connection: Upgrade', `Upgrade: ${req.headers.upgrade ?? 'websocket'}`);
  tunnel.write(`${lines.join('\r\n')}\r\n\r\n`);
  if (head.length) tunnel.write(head);

  const close = () => {
    tunnel.destroy();
    socket.destroy();
  };
  tunnel.on('error', close);
  socket.on('error', close);
  tunnel.on('close', close);
  socket.on('close', close);

  let buffered = Buffer.alloc(0);
  const onData = (chunk: Buffer) => {
    buffered = Buffer.concat([buffered, chunk]);
    const end = buffered.indexOf('\r\n\r\n');
    if (end < 0) {
      if (buffered.length > MAX_HEAD_BYTES) close();
      return;
    }
    tunnel.off('data', onData);
    socket.write(`${filteredHead(buffered.subarray(0, end).toString('latin1'))}\r\n\r\n`);
    const rest = buffered.subarray(end + 4);
    if (rest.length) socket.write(rest);
    tunnel.pipe(socket);
    socket.pipe(tunnel);
  };
  tunnel.on('data', onData);
}
