import type { Context } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { AppEnv } from '../env.ts';
import { dependencyFailure, type Dependency } from '../platform/dependency-failure.ts';
import { describeError, log } from '../platform/logger.ts';
import { ApiError, errorBody, type ErrorCode } from './errors.ts';

const CODE_BY_STATUS: Partial<Record<number, ErrorCode>> = {
  400: 'bad_request',
  401: 'unauthorized',
  403: 'forbidden',
  404: 'not_found',
  409: 'conflict',
  413: 'payload_too_large',
  415: 'unsupported_media_type',
  429: 'rate_limited',
};

/** What a client is told to wait after a 503 that names no time of its own. */
const DEFAULT_RETRY_AFTER_SECONDS = 5;

const DEPENDENCY_NAMES: Record<Dependency, string> = { postgres: 'The database', redis: 'A service we use' };

/**
 * The one place where errors become responses: the envelope for clients, details only in logs. A
 * dependency that is down, exhausted or too slow is a 503 `dependency_unavailable` with `Retry-After`
 * (never a 500), whichever route met it.
 */
export function onError(err: Error, c: Context<AppEnv>): Response {
  const requestId = c.get('requestId');
  let apiError: ApiError;
  const failure = err instanceof ApiError ? undefined : dependencyFailure(err);
  if (err instanceof ApiError) {
    apiError = err;
  } else if (failure) {
    log.warn('dependency unavailable', {
      requestId,
      path: c.req.path,
      dependency: failure.dependency,
      ...describeError(failure.cause ?? failure),
    });
    apiError = new ApiError(
      503,
      'dependency_unavailable',
      `${DEPENDENCY_NAMES[failure.dependency]} is not available right now. Try again in ${failure.retryAfterSeconds} s.`,
      { headers: { 'Retry-After': String(failure.retryAfterSeconds) }, cause: err },
    );
  } else if (err instanceof HTTPException && err.status < 500) {
    const status = err.status as ContentfulStatusCode;
    apiError = new ApiError(status, CODE_BY_STATUS[status] ?? 'bad_request', err.message || 'Bad request');
  } else {
    log.error('unhandled error', { requestId, path: c.req.path, ...describeError(err) });
    apiError = new ApiError(500, 'internal', 'Something went wrong on our side. Try again.');
  }
  if (apiError.status >= 500 && err instanceof ApiError) {
    // A 503 is a dependency's trouble, expected now and then: a warning, not an error of ours.
    (apiError.status === 503 ? log.warn : log.error)('server error', {
      requestId,
      path: c.req.path,
      code: apiError.code,
      ...describeError(err.cause),
    });
  }
  for (const [name, value] of Object.entries(apiError.headers ?? {})) c.header(name, value);
  // A dependency that is down is worth asking again shortly: clients and proxies are told when.
  if (apiError.status === 503 && !apiError.headers?.['Retry-After'])
    c.header('Retry-After', String(DEFAULT_RETRY_AFTER_SECONDS));
  c.header('Cache-Control', 'no-store');
  return c.json(errorBody(apiError, requestId), apiError.status);
}

/** Unknown routes answer 404 in the envelope, like every other error. */
export function notFound(c: Context<AppEnv>): Response {
  return onError(new ApiError(404, 'not_found', `No route for ${c.req.method} ${c.req.path}`), c);
}
