import { createMiddleware } from 'hono/factory';
import type { AppEnv } from '../../env.ts';
import { clientAddress } from '../../limits/client-address.ts';
import { log } from '../../platform/logger.ts';

/**
 * One JSON line per request: method, path (no query string: it may carry cursors or, from a careless
 * client, secrets), status, duration, request id, user id and the client's address (as the limits see
 * it). Never headers or bodies.
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
    address: addressOf(c.req.raw, c.env),
  });
});

/** The client address, or why it could not be told (a bad BEHIND_CLOUDFLARE is logged, not thrown twice). */
function addressOf(request: Request, env: AppEnv['Bindings']): string {
  try {
    return clientAddress(request, env);
  } catch {
    return 'misconfigured';
  }
}
