/**
 * Signed tokens of the runner (jose, HS256 with the shared secret). Runtime-neutral: the Worker imports
 * this to mint tokens (`@samokoder/sandbox-runner/tokens`), the runner to verify them.
 *
 * - API token: audience `sandbox-runner`, subject the project id, short expiry. It scopes every call to
 *   that project's sandboxes.
 * - Preview token: audience `sandbox-preview`, subject the project id, claims `sbx` (sandbox id) and
 *   `port`. A separate audience so a preview URL leaked from an iframe can never drive the API.
 */
import { errors, jwtVerify, SignJWT } from 'jose';

export const RUNNER_AUDIENCE = 'sandbox-runner';
export const PREVIEW_AUDIENCE = 'sandbox-preview';
/** The subject of an operator token. */
export const OPERATOR_SUBJECT = 'operator';

/** Why a token was refused: `token_expired` or `unauthorized` (missing, malformed, bad signature, wrong audience). */
export class TokenError extends Error {
  readonly code: 'unauthorized' | 'token_expired';
  constructor(code: 'unauthorized' | 'token_expired', message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'TokenError';
    this.code = code;
  }
}

const encoder = new TextEncoder();
const key = (secret: string) => encoder.encode(secret);

/** Mints an API token for one project; default lifetime 5 minutes. */
export async function signRunnerToken(
  secret: string,
  projectId: string,
  opts: { ttlSeconds?: number; now?: number } = {},
): Promise<string> {
  const now = Math.floor((opts.now ?? Date.now()) / 1000);
  return new SignJWT({})
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setSubject(projectId)
    .setAudience(RUNNER_AUDIENCE)
    .setIssuedAt(now)
    .setExpirationTime(now + (opts.ttlSeconds ?? 300))
    .sign(key(secret));
}

/** Mints an operator token (drain a runner); default lifetime 5 minutes. */
export async function signOperatorToken(
  secret: string,
  opts: { ttlSeconds?: number; now?: number } = {},
): Promise<string> {
  return signRunnerToken(secret, OPERATOR_SUBJECT, opts);
}

/** Claims of a preview token. */
export interface PreviewClaims {
  projectId: string;
  sandboxId: string;
  port: number;
}

/** Mints a preview token for one port of one sandbox; default lifetime 1 hour. */
export async function signPreviewToken(
  secret: string,
  claims: PreviewClaims,
  opts: { ttlSeconds?: number; now?: number } = {},
): Promise<string> {
  const now = Math.floor((opts.now ?? Date.now()) / 1000);
  return new SignJWT({ sbx: claims.sandboxId, port: claims.port })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setSubject(claims.projectId)
    .setAudience(PREVIEW_AUDIENCE)
    .setIssuedAt(now)
    .setExpirationTime(now + (opts.ttlSeconds ?? 3600))
    .sign(key(secret));
}

async function verify(secret: string, token: string, audience: string, maxTtlSeconds: number) {
  try {
    const { payload } = await jwtVerify(token, key(secret), {
      algorithms: ['HS256'],
      audience,
      requiredClaims: ['sub', 'exp', 'iat'],
      clockTolerance: 5,
    });
    // A token minted with a long life is refused even while valid: a leak must stay short-lived.
    if (payload.exp !== undefined && payload.iat !== undefined && payload.exp - payload.iat > maxTtlSeconds) {
      throw new TokenError('unauthorized', `token lifetime exceeds ${maxTtlSeconds} s`);
    }
    return payload;
  } catch (err) {
    if (err instanceof TokenError) throw err;
    if (err instanceof errors.JWTExpired)
      throw new TokenError('token_expired', 'token expired', { cause: err });
    throw new TokenError('unauthorized', 'invalid token', { cause: err });
  }
}

/** Verifies an API token and returns its project id; throws {@link TokenError}. */
export async function verifyRunnerToken(
  secret: string,
  token: string,
  maxTtlSeconds = 3600,
): Promise<{ projectId: string }> {
  const payload = await verify(secret, token, RUNNER_AUDIENCE, maxTtlSeconds);
  if (typeof payload.sub !== 'string' || !/^[A-Za-z0-9_-]{1,64}$/.test(payload.sub)) {
    throw new TokenError('unauthorized', 'invalid token subject');
  }
  return { projectId: payload.sub };
}

/**
 * Verifies a token of the runner's audience and tells an operator's (subject `operator`) from a
 * project's; throws {@link TokenError} when it is neither.
 */
export async function verifyApiToken(
  secret: string,
  token: string,
  maxTtlSeconds = 3600,
): Promise<{ operator: true } | { operator: false; projectId: string }> {
  const { projectId } = await verifyRunnerToken(secret, token, maxTtlSeconds);
  return projectId === OPERATOR_SUBJECT ? { operator: true } : { operator: false, projectId };
}

/** Verifies a preview token (its claims and when it was issued, in seconds); throws {@link TokenError}. */
export async function verifyPreviewToken(
  secret: string,
  token: string,
  maxTtlSeconds = 86_400,
): Promise<PreviewClaims & { issuedAt: number }> {
  const payload = await verify(secret, token, PREVIEW_AUDIENCE, maxTtlSeconds);
  const { sub, sbx, port, iat } = payload;
  if (typeof sub !== 'string' || typeof sbx !== 'string' || typeof port !== 'number' || iat === undefined) {
    throw new TokenError('unauthorized', 'invalid preview token claims');
  }
  return { projectId: sub, sandboxId: sbx, port, issuedAt: iat };
}
