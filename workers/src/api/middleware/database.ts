import type { Database, DbHandle } from '@samokoder/db';
import { createMiddleware } from 'hono/factory';
import type { AppEnv } from '../../env.ts';
import { openDb } from '../../platform/deps.ts';

/**
 * Gives the request a database, opened on first use only (liveness and rate-limited requests never
 * connect) and closed once the response is on its way. One per request: a Worker's I/O objects cannot
 * outlive the request that made them.
 */
export const database = createMiddleware<AppEnv>(async (c, next) => {
  let handle: Promise<DbHandle> | undefined;
  c.set('db', async (): Promise<Database> => (await (handle ??= openDb(c.env))).db);
  try {
    await next();
  } finally {
    if (handle) {
      const closing = handle.then((h) => h.close()).catch(() => {});
      c.executionCtx.waitUntil(closing);
    }
  }
});
