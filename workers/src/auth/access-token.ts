import { SignJWT, errors, jwtVerify } from 'jose';
import { utf8 } from '../crypto/bytes.ts';

/** Lifetime of an access token: short, because a stolen one cannot be recalled until it expires. */
export const ACCESS_TOKEN_TTL_SECONDS = 15 * 60;
/**
 * The longest any access token is honoured, whatever its `exp` says: one minted with the right key but
 * a far expiry (a leaked secret, a signer with a bug) still dies with the tokens we issue.
 */
export const ACCESS_TOKEN_MAX_LIFETIME_SECONDS = ACCESS_TOKEN_TTL_SECONDS;
/** How far ahead of this machine's clock another machine's `iat` may be (clocks of two edges differ). */
const CLOCK_SKEW_SECONDS = 60;
export const TOKEN_ISSUER = 'samokoder';
export const TOKEN_AUDIENCE = 'samokoder-api';
const ALGORITHM = 'HS256';

/** What an access token says once verified. */
export interface AccessClaims {
  userId: string;
  sessionId: string;
  tokenId: string;
  expiresAt: number;
}

/** Why a token was refused; the message is safe to show. */
export class AccessTokenError extends Error {
  override readonly name = 'AccessTokenError';
  readonly reason: 'expired' | 'invalid';
  constructor(reason: 'expired' | 'invalid', opts?: { cause?: unknown }) {
    super(reason === 'expired' ? 'The access token has expired.' : 'The access token is not valid.', opts);
    this.reason = reason;
  }
}

/** The HMAC key from the JWT secret; a short secret is a configuration mistake, not a weak token. */
export function jwtKey(secret: string | undefined): Uint8Array {
  if (!secret || secret.length < 32) throw new Error('JWT_SECRET must be set to at least 32 characters');
  return utf8(secret);
}

/** Sign an access token for a user's session (HS256, `iss`, `aud`, `sub`, `sid`, `jti`, 15 minutes). */
export async function signAccessToken(
  key: Uint8Array,
  userId: string,
  sessionId: string,
  nowSeconds = Math.floor(Date.now() / 1000),
): Promise<{ token: string; tokenId: string; expiresAt: number }> {
  const tokenId = crypto.randomUUID();
  const expiresAt = nowSeconds + ACCESS_TOKEN_TTL_SECONDS;
  const token = await new SignJWT({ sid: sessionId })
    .setProtectedHeader({ alg: ALGORITHM, typ: 'JWT' })
    .setIssuer(TOKEN_ISSUER)
    .setAudience(TOKEN_AUDIENCE)
    .setSubject(userId)
    .setJti(tokenId)
    .setIssuedAt(nowSeconds)
    .setExpirationTime(expiresAt)
    .sign(key);
  return { token, tokenId, expiresAt };
}

/**
 * Verify an access token: the algorithm is pinned to HS256 (so `alg: none` and key-confusion tokens
 * are refused), and issuer, audience, expiry and the claims we rely on are all checked. Its lifetime is
 * capped too: made to live longer than {@link ACCESS_TOKEN_MAX_LIFETIME_SECONDS}, issued longer ago
 * than that, or issued in the future, it is refused however far away its `exp` is.
 */
export async function verifyAccessToken(key: Uint8Array, token: string): Promise<AccessClaims> {
  try {
    const { payload } = await jwtVerify(token, key, {
      algorithms: [ALGORITHM],
      issuer: TOKEN_ISSUER,
      audience: TOKEN_AUDIENCE,
      requiredClaims: ['sub', 'jti', 'exp', 'iat'],
    });
    const { sid, exp, iat } = payload;
    if (typeof sid !== 'string' || !payload.sub || !payload.jti || typeof exp !== 'number') {
      throw new AccessTokenError('invalid');
    }
    const now = Math.floor(Date.now() / 1000);
    if (typeof iat !== 'number' || iat > now + CLOCK_SKEW_SECONDS) throw new AccessTokenError('invalid');
    if (now - iat > ACCESS_TOKEN_MAX_LIFETIME_SECONDS) throw new AccessTokenError('expired');
    if (exp - iat > ACCESS_TOKEN_MAX_LIFETIME_SECONDS) throw new AccessTokenError('invalid');
    return { userId: payload.sub, sessionId: sid, tokenId: payload.jti, expiresAt: exp };
  } catch (err) {
    if (err instanceof AccessTokenError) throw err;
    throw new AccessTokenError(err instanceof errors.JWTExpired ? 'expired' : 'invalid', { cause: err });
  }
}
