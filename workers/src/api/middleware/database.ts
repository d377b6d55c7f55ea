import type { Database, DbHandle } from '@samokoder/db';
import { createMiddleware } from 'hono/factory';
import type { AppEnv } from '../../env.ts';
import { openDb } from '../../platform/deps.ts';

/**
 * Gives the request a database, opened on first use only (liveness and rate-limited requests never
 * connect) and closed once the response is on its way, or earlier when the route says it is done with
 * it (`releaseDb`): a connection is one of the isolate's few, so it is not held through slower work.
 * One per request: a Worker's I/O objects cannot outlive the request that made them.
 */
export const database = createMiddleware<AppEnv>(async (c, next) => {
  let handle: Promise<DbHandle> | undefined;
  const release = () => {
    if (!handle) return;
    const closing = handle.then((h) => h.close()).catch(() => {});
    handle = undefined;
    c.executionCtx.waitUntil(closing);
  };
  c.set('db', async (): Promise<Database> => (await (handle ??= openDb(c.env))).db);
  c.set('releaseDb', release);
  try {
    await next();
  } finally {
    release();
  }
});
