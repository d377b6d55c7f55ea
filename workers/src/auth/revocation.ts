import type { Redis } from '@upstash/redis/cloudflare';
import { ACCESS_TOKEN_TTL_SECONDS } from './access-token.ts';

/**
 * The denylist of access tokens that must stop working before they expire: one token (logout) or a
 * whole session (logout, or a reused refresh token). Entries live only as long as a token could, so
 * the list stays small.
 */
const tokenKey = (tokenId: string) => `sk:revoked:jti:${tokenId}`;
const sessionKey = (sessionId: string) => `sk:revoked:sid:${sessionId}`;

/** Deny one access token until it expires. */
export async function revokeAccessToken(redis: Redis, tokenId: string, expiresAt: number): Promise<void> {
  const ttl = expiresAt - Math.floor(Date.now() / 1000);
  if (ttl > 0) await redis.set(tokenKey(tokenId), 1, { ex: ttl });
}

/** Deny every access token issued for a session (they all expire within one access-token lifetime). */
export async function revokeSessionTokens(redis: Redis, sessionId: string): Promise<void> {
  await redis.set(sessionKey(sessionId), 1, { ex: ACCESS_TOKEN_TTL_SECONDS });
}

/** Whether a token, or the session it belongs to, was revoked: one round trip. */
export async function isRevoked(redis: Redis, tokenId: string, sessionId: string): Promise<boolean> {
  const [token, session] = await redis.mget<(number | null)[]>(tokenKey(tokenId), sessionKey(sessionId));
  return token !== null || session !== null;
}
