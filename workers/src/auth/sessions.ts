import { schema, type Database } from '@samokoder/db';
import { and, eq, isNull, sql } from 'drizzle-orm';
import { randomBytes, sha256Hex, toBase64Url } from '../crypto/bytes.ts';

const { sessions } = schema;

/** Lifetime of a refresh token; every refresh issues a new one with a fresh lifetime. */
export const REFRESH_TOKEN_TTL_SECONDS = 30 * 24 * 60 * 60;

/** A refresh token as handed to the client (never stored: only its SHA-256 is). */
export interface IssuedRefresh {
  userId: string;
  sessionId: string;
  refreshToken: string;
  expiresAt: Date;
}

export type RotateResult =
  | ({ kind: 'rotated' } & IssuedRefresh)
  /** A token that was already exchanged was presented again: the family is now revoked. */
  | { kind: 'reused'; sessionId: string }
  | { kind: 'invalid' };

/** 32 random bytes: unguessable, so a plain SHA-256 (no salt, no stretching) is enough to store it. */
function newToken(): string {
  return toBase64Url(randomBytes(32));
}

export function hashRefreshToken(token: string): Promise<string> {
  return sha256Hex(token);
}

/** Start a login session: a new refresh-token family for the user. */
export async function startSession(
  db: Database,
  userId: string,
  userAgent: string | undefined,
): Promise<IssuedRefresh> {
  const refreshToken = newToken();
  const sessionId = crypto.randomUUID();
  const [row] = await db
    .insert(sessions)
    .values({
      userId,
      familyId: sessionId,
      tokenHash: await hashRefreshToken(refreshToken),
      expiresAt: sql`now() + make_interval(secs => ${REFRESH_TOKEN_TTL_SECONDS})`,
      userAgent: userAgent?.slice(0, 300) ?? null,
    })
    .returning({ expiresAt: sessions.expiresAt });
  return { userId, sessionId, refreshToken, expiresAt: row!.expiresAt };
}

/**
 * Exchange a refresh token for its successor in the same family. The exchange is one statement (mark
 * the old row rotated only if it is still live, insert the new row from it), so two racing requests
 * with the same token cannot both succeed: the loser sees a rotated token, which is treated as reuse.
 */
export async function rotateSession(
  db: Database,
  refreshToken: string,
  userAgent: string | undefined,
): Promise<RotateResult> {
  const oldHash = await hashRefreshToken(refreshToken);
  const next = newToken();
  const nextHash = await hashRefreshToken(next);
  const rotated = await db.execute<{ user_id: string; family_id: string; expires_at: string | Date }>(sql`
    with old as (
      update ${sessions} set rotated_at = now()
      where token_hash = ${oldHash} and rotated_at is null and revoked_at is null and expires_at > now()
      returning user_id, family_id
    )
    insert into ${sessions} (user_id, family_id, token_hash, expires_at, user_agent)
    select user_id, family_id, ${nextHash}, now() + make_interval(secs => ${REFRESH_TOKEN_TTL_SECONDS}), ${userAgent?.slice(0, 300) ?? null}
    from old
    returning user_id, family_id, expires_at`);
  const row = rotated.rows[0];
  if (row) {
    return {
      kind: 'rotated',
      userId: row.user_id,
      sessionId: row.family_id,
      refreshToken: next,
      expiresAt: new Date(row.expires_at),
    };
  }
  const [existing] = await db
    .select({ familyId: sessions.familyId, rotatedAt: sessions.rotatedAt })
    .from(sessions)
    .where(eq(sessions.tokenHash, oldHash))
    .limit(1);
  if (existing?.rotatedAt) {
    await revokeFamily(db, existing.familyId);
    return { kind: 'reused', sessionId: existing.familyId };
  }
  return { kind: 'invalid' };
}

/** Revoke every token of a family (logout, or a reused token). */
export async function revokeFamily(db: Database, sessionId: string): Promise<void> {
  await db
    .update(sessions)
    .set({ revokedAt: sql`now()` })
    .where(and(eq(sessions.familyId, sessionId), isNull(sessions.revokedAt)));
}

/** The family of a refresh token, whatever its state; null for a token we never issued. */
export async function sessionOfToken(db: Database, refreshToken: string): Promise<string | null> {
  const [row] = await db
    .select({ familyId: sessions.familyId })
    .from(sessions)
    .where(eq(sessions.tokenHash, await hashRefreshToken(refreshToken)))
    .limit(1);
  return row?.familyId ?? null;
}
