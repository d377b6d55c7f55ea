import { createMiddleware } from 'hono/factory';
import type { AppEnv } from '../../env.ts';
import { log } from '../../platform/logger.ts';

/**
 * One JSON line per request: method, path (no query string: it may carry cursors or, from a careless
 * client, secrets), status, duration, request id and user id. Never headers or bodies.
 */
export const accessLog = createMiddleware<AppEnv>(async (c, next) => {
  const started = Date.now();
  await next();
  log.info('request', {
    requestId: c.get('requestId'),
    method: c.req.method,
    path: c.req.path,
    status: c.res.status,
    ms: Date.now() - started,
    userId: c.get('userId'),
  });
});
