import { createRoute } from '@hono/zod-openapi';
import { jwtKey, verifyAccessToken, type AccessClaims } from '../auth/access-token.ts';
import { accessCookie, clearAuthCookies, refreshCookie } from '../auth/cookies.ts';
import { issueTokens } from '../auth/issue.ts';
import { recordFailure, recordSuccess, standing, type LockoutRules, type Refusal } from '../auth/lockout.ts';
import { assertSameOrigin } from '../auth/origin.ts';
import { DUMMY_PASSWORD_HASH, hashPassword, verifyPassword } from '../auth/password.ts';
import { revokeAccessToken, revokeSessionTokens } from '../auth/revocation.ts';
import { revokeFamily, rotateSession, sessionOfToken, startSession } from '../auth/sessions.ts';
import { createUser, findUserByEmail, getUser, updatePasswordHash } from '../auth/users.ts';
import type { AppEnv } from '../env.ts';
import { clientAddress } from '../limits/client-address.ts';
import { limitsConfig } from '../limits/config.ts';
import { redisClient } from '../platform/deps.ts';
import { describeError, log } from '../platform/logger.ts';
import { ApiError } from './errors.ts';
import { LoginBody, Me, RefreshBody, RegisterBody, Session } from './auth-schemas.ts';
import { limitByIp } from './middleware/rate-limit.ts';
import { requireUser } from './middleware/require-user.ts';
import { errors, json, jsonBody, newApi, signedIn } from './openapi.ts';

const perIp = limitByIp('auth');

function duration(seconds: number): string {
  return seconds < 120 ? `${seconds} s` : `${Math.ceil(seconds / 60)} min`;
}

/** The answer to a refused sign-in: always 429 with `Retry-After`, the same for every email. */
function refusedError({ scope, retryAfterSeconds }: Refusal): ApiError {
  const headers = { 'Retry-After': String(retryAfterSeconds) };
  if (scope === 'address') {
    return new ApiError(
      429,
      'account_locked',
      `Too many failed sign-ins to this account from your network. Try again in ${duration(retryAfterSeconds)}.`,
      { headers },
    );
  }
  return new ApiError(
    429,
    'rate_limited',
    `Too many failed sign-ins to this account. Try again in ${duration(retryAfterSeconds)}.`,
    { headers },
  );
}

const register = createRoute({
  method: 'post',
  path: '/register',
  summary: 'Create an account and sign in',
  middleware: perIp,
  request: { body: jsonBody(RegisterBody) },
  responses: {
    201: json(Session, 'Signed in to the new account'),
    ...errors(400, 403, 409, 413, 415, 422, 429),
  },
});

const login = createRoute({
  method: 'post',
  path: '/login',
  summary: 'Sign in with email and password',
  middleware: perIp,
  request: { body: jsonBody(LoginBody) },
  responses: {
    200: json(Session, 'Signed in'),
    ...errors(400, 401, 403, 413, 415, 422, 429, 503),
  },
});

const optionalRefreshBody = {
  required: false,
  content: { 'application/json': { schema: RefreshBody } },
} as const;

const refresh = createRoute({
  method: 'post',
  path: '/refresh',
  summary: 'Exchange a refresh token (cookie or body) for new tokens; the old one stops working',
  middleware: perIp,
  request: { body: optionalRefreshBody },
  responses: {
    200: json(Session, 'New tokens, delivered the way the refresh token came'),
    ...errors(400, 401, 403, 415, 422, 429),
  },
});

const logout = createRoute({
  method: 'post',
  path: '/logout',
  summary: 'End this login session: its refresh tokens and access tokens stop working',
  middleware: perIp,
  request: { body: optionalRefreshBody },
  responses: {
    204: { description: 'Signed out; the auth cookies are cleared' },
    ...errors(400, 401, 403, 415, 422, 429),
  },
});

const me = createRoute({
  method: 'get',
  path: '/me',
  summary: 'The signed-in user',
  security: signedIn,
  middleware: requireUser,
  responses: { 200: json(Me, 'The signed-in user'), ...errors(401, 429) },
});

/** Without Redis the lockout cannot be checked: logins wait (503) rather than go unguarded. */
function lockoutUnavailable(err: unknown): never {
  throw new ApiError(503, 'dependency_unavailable', 'Sign-in is unavailable right now. Try again shortly.', {
    cause: err,
  });
}

/**
 * After a successful sign-in: the address forgets its failures and is known to the account. Best
 * effort: the user proved the password, and a Redis hiccup now must not turn that into an error.
 */
async function rememberSignIn(env: AppEnv['Bindings'], requestId: string, email: string, address: string) {
  await recordSuccess(redisClient(env), email, address).catch((err: unknown) => {
    log.warn('sign-in not recorded in the lockout', { requestId, ...describeError(err) });
  });
}

/** `/api/auth`: accounts and sessions. */
export const auth = newApi<AppEnv>()
  .openapi(register, async (c) => {
    const { email, password, delivery } = c.req.valid('json');
    const db = await c.var.db();
    const user = await createUser(db, email, await hashPassword(password));
    if (!user) {
      throw new ApiError(409, 'conflict', 'An account with this email already exists. Sign in instead.', {
        fields: [{ path: 'email', message: 'This email is already registered.' }],
      });
    }
    await rememberSignIn(c.env, c.get('requestId'), email, clientAddress(c.req.raw, c.env));
    const session = await startSession(db, user.id, c.req.header('user-agent'));
    return c.json(await issueTokens(c, user, session, delivery), 201);
  })
  .openapi(login, async (c) => {
    const { email, password, delivery } = c.req.valid('json');
    const redis = redisClient(c.env);
    const limits = limitsConfig(c.env.RATE_LIMITS);
    const rules: LockoutRules = { perAddress: limits.loginFailures, perAccount: limits.accountLoginFailures };
    const address = clientAddress(c.req.raw, c.env);
    // Checked before the password: while refused, even the right password is refused.
    const { known, refusal } = await standing(redis, email, address, rules).catch(lockoutUnavailable);
    if (refusal) throw refusedError(refusal);
    const db = await c.var.db();
    const found = await findUserByEmail(db, email);
    // An unknown email costs the same PBKDF2 work as a wrong password: timing tells nothing.
    const check = await verifyPassword(password, found?.passwordHash ?? DUMMY_PASSWORD_HASH);
    if (!found || !check.ok) {
      const refused = await recordFailure(redis, email, address, rules, known).catch(lockoutUnavailable);
      if (refused) throw refusedError(refused);
      throw new ApiError(401, 'unauthorized', 'Wrong email or password.');
    }
    await rememberSignIn(c.env, c.get('requestId'), email, address);
    if (check.needsRehash) {
      c.executionCtx.waitUntil(
        hashPassword(password)
          .then((hash) => updatePasswordHash(db, found.id, hash))
          .catch(() => {}),
      );
    }
    const { passwordHash: _, ...user } = found;
    const session = await startSession(db, user.id, c.req.header('user-agent'));
    return c.json(await issueTokens(c, user, session, delivery), 200);
  })
  .openapi(refresh, async (c) => {
    const fromBody = c.req.valid('json').refreshToken;
    const token = fromBody ?? refreshCookie(c);
    if (!token) throw new ApiError(401, 'unauthorized', 'No refresh token: sign in again.');
    if (!fromBody) assertSameOrigin(c);
    const db = await c.var.db();
    const result = await rotateSession(db, token, c.req.header('user-agent'));
    if (result.kind !== 'rotated') {
      if (!fromBody) clearAuthCookies(c);
      if (result.kind === 'reused') {
        // Someone else may hold a copy: every access token of the family dies with it.
        await revokeSessionTokens(redisClient(c.env), result.sessionId);
        throw new ApiError(
          401,
          'unauthorized',
          'This refresh token was already used, so this login was ended everywhere. Sign in again.',
        );
      }
      throw new ApiError(
        401,
        'unauthorized',
        'The refresh token is not valid or has expired. Sign in again.',
      );
    }
    const user = await getUser(db, result.userId);
    if (!user) throw new ApiError(401, 'unauthorized', 'This account no longer exists.');
    return c.json(await issueTokens(c, user, result, fromBody ? 'token' : 'cookie'), 200);
  })
  .openapi(logout, async (c) => {
    const fromBody = c.req.valid('json').refreshToken;
    const refreshToken = fromBody ?? refreshCookie(c);
    const bearer = /^Bearer\s+(\S+)$/i.exec(c.req.header('authorization') ?? '')?.[1];
    const accessToken = bearer ?? accessCookie(c);
    if (!refreshToken && !accessToken) throw new ApiError(401, 'unauthorized', 'Not signed in.');
    const cookieAuth = (!fromBody && refreshToken !== undefined) || (!bearer && accessToken !== undefined);
    if (cookieAuth) assertSameOrigin(c);

    let claims: AccessClaims | undefined;
    if (accessToken) {
      // An expired or foreign token has nothing left to revoke; logout still succeeds.
      claims = await verifyAccessToken(jwtKey(c.env.JWT_SECRET), accessToken).catch(() => undefined);
    }
    const db = await c.var.db();
    const sessionIds = new Set<string>();
    if (claims) sessionIds.add(claims.sessionId);
    if (refreshToken) {
      const sessionId = await sessionOfToken(db, refreshToken);
      if (sessionId) sessionIds.add(sessionId);
    }
    const redis = redisClient(c.env);
    await Promise.all([
      ...[...sessionIds].flatMap((id) => [revokeFamily(db, id), revokeSessionTokens(redis, id)]),
      claims ? revokeAccessToken(redis, claims.tokenId, claims.expiresAt) : undefined,
    ]);
    clearAuthCookies(c);
    return c.body(null, 204);
  })
  .openapi(me, async (c) => {
    const user = await getUser(await c.var.db(), c.var.user.id);
    if (!user) throw new ApiError(401, 'unauthorized', 'This account no longer exists.');
    c.header('Cache-Control', 'no-store');
    return c.json({ user }, 200);
  });
