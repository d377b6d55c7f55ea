import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Executor } from './execute.ts';
import { createRequestHandler } from './http-handler.ts';
import { RedisPool } from './redis-pool.ts';
import { parseRedisUrl } from './redis-url.ts';
import { ScriptCompat } from './script-compat.ts';

/** Options of {@link startUpstashBridge}. */
export type UpstashBridgeOptions = {
  /** TCP port to listen on; 0 picks a free one. */
  port: number;
  host?: string;
  /** `redis://[user[:password]@]host[:port][/db]` of the redis-server behind the bridge. */
  redisUrl: string;
  /** The bearer token clients must send (what they know as UPSTASH_REDIS_REST_TOKEN). */
  token: string;
  /** How long one request may wait for a connection and redis's replies. Default 10 s. */
  requestTimeoutMs?: number;
};

/** A running bridge. */
export type UpstashBridge = {
  /** The URL to give `new Redis({ url, token })`, with the real port. */
  url: string;
  /** Stops accepting requests, lets in-flight ones finish, closes the redis connections. */
  close(): Promise<void>;
};

const MAX_BODY_BYTES = 10 * 1024 * 1024;
const MAX_REDIS_CONNECTIONS = 16;
/** In-flight requests get this long to finish on close before their sockets are cut. */
const CLOSE_GRACE_MS = 5_000;

/**
 * Starts an HTTP server that speaks Upstash Redis's REST protocol in front of a real redis-server, so
 * `@upstash/redis` and `@upstash/ratelimit` work locally unchanged. redis-server need not be up yet: each
 * request connects on demand and fails cleanly (503/504 with an Upstash error body) while it is down.
 */
export async function startUpstashBridge(options: UpstashBridgeOptions): Promise<UpstashBridge> {
  const { port, host = '127.0.0.1', redisUrl, token, requestTimeoutMs = 10_000 } = options;
  if (token === '') throw new Error('the bridge needs a non-empty token');
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`invalid port ${port}`);
  const pool = new RedisPool(parseRedisUrl(redisUrl), {
    maxConnections: MAX_REDIS_CONNECTIONS,
    timeoutMs: requestTimeoutMs,
  });
  const executor = new Executor(pool, new ScriptCompat());
  const server = createServer(createRequestHandler({ token, executor, maxBodyBytes: MAX_BODY_BYTES }));
  // Cut slow or stuck clients; a redis-side stall is bounded separately by requestTimeoutMs.
  server.requestTimeout = requestTimeoutMs + 30_000;

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const urlHost = address.family === 'IPv6' ? `[${address.address}]` : address.address;

  let closing: Promise<void> | undefined;
  const close = (): Promise<void> => {
    closing ??= new Promise<void>((resolve) => {
      const force = setTimeout(() => server.closeAllConnections(), CLOSE_GRACE_MS);
      server.close(() => {
        clearTimeout(force);
        pool.close();
        resolve();
      });
      server.closeIdleConnections();
    });
    return closing;
  };
  return { url: `http://${urlHost}:${address.port}`, close };
}
