/**
 * HTTP from Node to `*.localhost` names (the local preview origins). Browsers resolve every
 * `*.localhost` name to loopback; Node's resolver does not, so tests and benchmarks reach those names
 * through this, which connects to 127.0.0.1 and sends the name as the Host.
 */
import { request } from 'node:http';
import type { IncomingHttpHeaders } from 'node:http';
import type { LookupFunction } from 'node:net';

/** Resolves every name to 127.0.0.1 (give it to `http.request` or the `ws` client as `lookup`). */
export const loopbackLookup: LookupFunction = (_hostname, options, callback) => {
  if (options.all) callback(null, [{ address: '127.0.0.1', family: 4 }]);
  else callback(null, '127.0.0.1', 4);
};

export interface LoopbackResponse {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
  text(): string;
  json<T = unknown>(): T;
  /** The response's Set-Cookie values. */
  cookies(): string[];
}

/** One request, answered in full (no redirect is followed). */
export function loopbackRequest(
  url: string,
  init: {
    method?: string;
    headers?: Record<string, string>;
    body?: string | Buffer;
    signal?: AbortSignal;
  } = {},
): Promise<LoopbackResponse> {
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      {
        method: init.method ?? 'GET',
        headers: init.headers ?? {},
        lookup: loopbackLookup,
        signal: init.signal,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('error', reject);
        res.on('end', () => {
          const body = Buffer.concat(chunks);
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body,
            text: () => body.toString('utf8'),
            json: <T>() => JSON.parse(body.toString('utf8')) as T,
            cookies: () => res.headers['set-cookie'] ?? [],
          });
        });
      },
    );
    req.on('error', reject);
    req.end(init.body);
  });
}

/** A program's view of a preview: the link turned into its session cookie, then requests at its origin. */
export interface PreviewClient {
  origin: string;
  request(path: string, init?: Parameters<typeof loopbackRequest>[1]): Promise<LoopbackResponse>;
}

/** Opens a preview link as a browser would (the link answers with its session cookie and a redirect). */
export async function openPreviewLink(link: string): Promise<PreviewClient> {
  const origin = new URL(link).origin;
  const first = await loopbackRequest(link);
  const cookie = first
    .cookies()
    .find((c) => c.startsWith('sk_preview='))
    ?.split(';')[0];
  if (first.status !== 302 || !cookie) {
    throw new Error(`the preview link answered ${first.status}: ${first.text().slice(0, 200)}`);
  }
  return {
    origin,
    request: (path, init = {}) =>
      loopbackRequest(`${origin}${path}`, { ...init, headers: { ...init.headers, cookie } }),
  };
}
