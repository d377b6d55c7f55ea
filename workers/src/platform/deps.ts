import { createDb, type DbHandle } from '@samokoder/db';
import { errors, Redis } from '@upstash/redis/cloudflare';
import type { Bindings } from '../env.ts';
import { ConnectionGate } from './connection-gate.ts';
import { DependencyError } from './dependency-failure.ts';

/**
 * The database connections of this isolate: at most 8 open at once (the embedded Postgres takes 16 in
 * all; a Neon or Hyperdrive pool takes many isolates of 8). Up to 1,000 requests wait behind them, each
 * at most 30 s: an overloaded isolate answers slowly before it answers 503. A grant unclaimed for 5 s,
 * or a slot held a minute, is taken back (its request was cancelled); 5 s because a busy isolate can
 * take seconds to run the continuation that claims it.
 */
export const connectionGate = new ConnectionGate({
  limit: 8,
  maxQueue: 1000,
  queueTimeoutMs: 30_000,
  claimMs: 5000,
  leaseMs: 60_000,
});

/** How long closing a connection may take before its slot is given back anyway. */
const CLOSE_TIMEOUT_MS = 2000;

/**
 * A database handle of one connection (Neon's driver, or `pg` when DATABASE_DRIVER is `pg`), opened
 * once the isolate's connection gate lets it: close it when done (in a Worker, from `waitUntil`), which
 * also frees its slot. The connection itself is made by the first query.
 */
export async function openDb(env: Bindings): Promise<DbHandle> {
  const release = await connectionGate.acquire();
  let handle: DbHandle;
  try {
    handle = await createDb({
      url: env.DATABASE_URL,
      driver: env.DATABASE_DRIVER === 'pg' ? 'pg' : 'neon',
      wsProxy: env.NEON_WS_PROXY || undefined,
      maxConnections: 1,
    });
  } catch (err) {
    release();
    throw err;
  }
  return {
    ...handle,
    close: async () => {
      let timer: ReturnType<typeof setTimeout> | undefined;
      try {
        await Promise.race([
          handle.close(),
          new Promise((resolve) => (timer = setTimeout(resolve, CLOSE_TIMEOUT_MS))),
        ]);
      } finally {
        clearTimeout(timer);
        release();
      }
    },
  };
}

/** Upstash clients by endpoint and token (configuration: a handful per isolate at most). */
const redisClients = new Map<string, Redis>();

/**
 * The Upstash REST client (the hosted service, or the local bridge in development and tests). Any
 * failure to get an answer (unreachable, an error status, an unreadable body) is a DependencyError.
 *
 * Shared by the isolate's requests: it holds no I/O object (each command is a `fetch` of the request
 * that sends it), and building one costs about half a millisecond in workerd. Automatic pipelining is
 * off: it would batch one request's commands into another request's HTTP call, tying their fates.
 */
export function redisClient(env: Bindings): Redis {
  const key = `${env.UPSTASH_REDIS_REST_URL}\n${env.UPSTASH_REDIS_REST_TOKEN}`;
  let redis = redisClients.get(key);
  if (!redis) {
    redis = new Redis({
      url: env.UPSTASH_REDIS_REST_URL,
      token: env.UPSTASH_REDIS_REST_TOKEN,
      enableAutoPipelining: false,
      // Fail fast instead of retrying for seconds: callers decide how to degrade.
      retry: { retries: 1, backoff: () => 50 },
    });
    redis.use(async (req, next) => {
      try {
        return await next(req);
      } catch (err) {
        // A script not loaded yet is an answer, not an outage: the rate limiter loads it on NOSCRIPT.
        if (err instanceof errors.UpstashError && err.message.includes('NOSCRIPT')) throw err;
        throw new DependencyError('redis', 'Redis did not answer.', { cause: err });
      }
    });
    if (redisClients.size >= 8) redisClients.clear();
    redisClients.set(key, redis);
  }
  return redis;
}
