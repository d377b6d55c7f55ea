import { createMiddleware } from 'hono/factory';
import type { AppEnv, AuthedEnv, Bindings } from '../../env.ts';
import { clientAddress } from '../../limits/client-address.ts';
import { limitsConfig, type LimitName } from '../../limits/config.ts';
import { checkLimit, limitHeaders } from '../../limits/limiter.ts';
import { redisClient } from '../../platform/deps.ts';
import { describeError, log } from '../../platform/logger.ts';
import { ApiError } from '../errors.ts';

/**
 * Count the request against a limit: returns the limit headers to send, or throws a 429 with
 * `Retry-After`. A Redis failure lets the request through (logged): rate limits protect capacity, and
 * refusing every request while Redis is down would turn its outage into ours.
 */
export async function enforceLimit(
  env: Bindings,
  name: LimitName,
  identifier: string,
  requestId: string,
): Promise<Record<string, string>> {
  const rule = limitsConfig(env.RATE_LIMITS)[name];
  let result;
  try {
    result = await checkLimit(redisClient(env), name, rule, identifier);
  } catch (err) {
    log.warn('rate limit unavailable, request allowed', { requestId, limit: name, ...describeError(err) });
    return {};
  }
  const headers = limitHeaders(result);
  if (!result.success) {
    const retryAfter = Math.max(1, Number(headers['RateLimit-Reset']));
    throw new ApiError(429, 'rate_limited', `Too many requests. Try again in ${retryAfter} s.`, {
      headers: { ...headers, 'Retry-After': String(retryAfter) },
    });
  }
  return headers;
}

export function setHeaders(
  c: { header: (name: string, value: string) => void },
  headers: Record<string, string>,
): void {
  for (const [key, value] of Object.entries(headers)) c.header(key, value);
}

/** Per client address (auth endpoints). */
export const limitByIp = (name: LimitName) =>
  createMiddleware<AppEnv>(async (c, next) => {
    const address = clientAddress(c.req.raw, c.env);
    setHeaders(c, await enforceLimit(c.env, name, `ip:${address}`, c.get('requestId')));
    await next();
  });

/** Per signed-in user; mount after `requireUser`. */
export const limitByUser = (name: LimitName) =>
  createMiddleware<AuthedEnv>(async (c, next) => {
    const user = c.get('user');
    setHeaders(c, await enforceLimit(c.env, name, `user:${user.id}`, c.get('requestId')));
    await next();
  });
