import { createMiddleware } from 'hono/factory';
import { AccessTokenError, jwtKey, verifyAccessToken } from '../../auth/access-token.ts';
import { accessCookie } from '../../auth/cookies.ts';
import { assertSameOrigin, isUnsafeMethod } from '../../auth/origin.ts';
import { isRevoked } from '../../auth/revocation.ts';
import type { AuthedEnv, AuthUser } from '../../env.ts';
import { redisClient } from '../../platform/deps.ts';
import { ApiError } from '../errors.ts';
import { enforceLimit, setHeaders } from './rate-limit.ts';

function bearerToken(header: string | undefined): string | undefined {
  const match = header ? /^Bearer\s+(\S+)$/i.exec(header) : null;
  return match?.[1];
}

/**
 * Authenticates the request: a bearer token (API clients) or else the access cookie (the browser).
 * The token is verified, checked against the denylist (logout, reused refresh tokens), and the user's
 * API rate limit is counted; the denylist and the limit are one Redis round trip each, in parallel.
 * Cookie-authenticated unsafe requests must also carry the app's Origin.
 */
export const requireUser = createMiddleware<AuthedEnv>(async (c, next) => {
  const header = c.req.header('authorization');
  const bearer = bearerToken(header);
  if (header && !bearer)
    throw new ApiError(401, 'unauthorized', 'The Authorization header must be "Bearer <token>".');
  const token = bearer ?? accessCookie(c);
  if (!token) throw new ApiError(401, 'unauthorized', 'Sign in to continue.');
  const via = bearer ? 'bearer' : 'cookie';
  if (via === 'cookie' && isUnsafeMethod(c.req.method)) assertSameOrigin(c);

  let claims;
  try {
    claims = await verifyAccessToken(jwtKey(c.env.JWT_SECRET), token);
  } catch (err) {
    if (err instanceof AccessTokenError) throw new ApiError(401, 'unauthorized', err.message, { cause: err });
    throw err;
  }
  const user: AuthUser = {
    id: claims.userId,
    sessionId: claims.sessionId,
    tokenId: claims.tokenId,
    tokenExpiresAt: claims.expiresAt,
    via,
  };
  c.set('user', user);
  c.set('userId', user.id);
  // The denylist fails closed: a revoked token must never work just because Redis is unreachable.
  const [revoked, limitHeaders] = await Promise.all([
    isRevoked(redisClient(c.env), claims.tokenId, claims.sessionId).catch((err: unknown) => {
      throw new ApiError(
        503,
        'dependency_unavailable',
        'Sign-in cannot be checked right now. Try again shortly.',
        {
          cause: err,
        },
      );
    }),
    enforceLimit(c.env, 'api', `user:${claims.userId}`, c.get('requestId')),
  ]);
  setHeaders(c, limitHeaders);
  if (revoked) throw new ApiError(401, 'unauthorized', 'This session has ended. Sign in again.');
  await next();
});
