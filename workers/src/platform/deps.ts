import { createDb, type DbHandle } from '@samokoder/db';
import { Redis } from '@upstash/redis/cloudflare';
import type { Bindings } from '../env.ts';

/** A database handle for one request (Neon's driver, or `pg` when DATABASE_DRIVER is `pg`). */
export function openDb(env: Bindings): Promise<DbHandle> {
  return createDb({
    url: env.DATABASE_URL,
    driver: env.DATABASE_DRIVER === 'pg' ? 'pg' : 'neon',
    wsProxy: env.NEON_WS_PROXY || undefined,
  });
}

/** The Upstash REST client (the hosted service, or the local bridge in development and tests). */
export function redisClient(env: Bindings): Redis {
  return new Redis({
    url: env.UPSTASH_REDIS_REST_URL,
    token: env.UPSTASH_REDIS_REST_TOKEN,
    // Fail fast instead of retrying for seconds: callers decide how to degrade.
    retry: { retries: 1, backoff: () => 50 },
  });
}
