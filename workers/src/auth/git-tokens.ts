/**
 * Personal access tokens for git: created with a name (and an optional expiry), shown once, kept as
 * their SHA-256 only, listed without the secret, revoked by deleting them. A token lets git clone and
 * fetch its owner's projects and nothing else.
 */
import { schema, type Database } from '@samokoder/db';
import { and, count, desc, eq } from 'drizzle-orm';
import { randomBytes, sha256Hex, toBase64Url } from '../crypto/bytes.ts';

/** What every token starts with: it tells a leaked token's kind at a glance (and to secret scanners). */
export const GIT_TOKEN_PREFIX = 'skgit_';

/** Tokens a user may keep at once. */
export const MAX_GIT_TOKENS_PER_USER = 20;

/** How often a token's last use is written (a clone makes two requests: one write is enough). */
const LAST_USED_PRECISION_MS = 60_000;

/** A token as lists show it: never the token. */
export interface GitTokenInfo {
  id: string;
  name: string;
  hint: string;
  createdAt: string;
  lastUsedAt: string | null;
  expiresAt: string | null;
}

const columns = {
  id: schema.gitTokens.id,
  name: schema.gitTokens.name,
  hint: schema.gitTokens.hint,
  createdAt: schema.gitTokens.createdAt,
  lastUsedAt: schema.gitTokens.lastUsedAt,
  expiresAt: schema.gitTokens.expiresAt,
};

function infoOf(row: {
  id: string;
  name: string;
  hint: string;
  createdAt: Date;
  lastUsedAt: Date | null;
  expiresAt: Date | null;
}): GitTokenInfo {
  return {
    id: row.id,
    name: row.name,
    hint: row.hint,
    createdAt: row.createdAt.toISOString(),
    lastUsedAt: row.lastUsedAt?.toISOString() ?? null,
    expiresAt: row.expiresAt?.toISOString() ?? null,
  };
}

/** Whether a text has a token's shape (checked before any lookup). */
export function looksLikeGitToken(text: string): boolean {
  return /^skgit_[A-Za-z0-9_-]{43}$/.test(text);
}

export async function listGitTokens(db: Database, userId: string): Promise<GitTokenInfo[]> {
  const rows = await db
    .select(columns)
    .from(schema.gitTokens)
    .where(eq(schema.gitTokens.userId, userId))
    .orderBy(desc(schema.gitTokens.createdAt));
  return rows.map(infoOf);
}

/** Creates a token; the token itself is in the answer and nowhere else. Null: the user has too many. */
export async function createGitToken(
  db: Database,
  userId: string,
  input: { name: string; expiresAt: Date | null },
): Promise<{ token: string; info: GitTokenInfo } | null> {
  const token = `${GIT_TOKEN_PREFIX}${toBase64Url(randomBytes(32))}`;
  const [counted] = await db
    .select({ n: count() })
    .from(schema.gitTokens)
    .where(eq(schema.gitTokens.userId, userId));
  // Two creations at once may both pass: the limit is a bound on clutter, not a security boundary.
  if ((counted?.n ?? 0) >= MAX_GIT_TOKENS_PER_USER) return null;
  const rows = await db
    .insert(schema.gitTokens)
    .values({
      userId,
      name: input.name,
      tokenHash: await sha256Hex(token),
      hint: token.slice(0, GIT_TOKEN_PREFIX.length + 4),
      expiresAt: input.expiresAt,
    })
    .returning(columns);
  const row = rows[0];
  return row ? { token, info: infoOf(row) } : null;
}

/** Revokes (deletes) one of the user's tokens; false when there is no such token of theirs. */
export async function revokeGitToken(db: Database, userId: string, id: string): Promise<boolean> {
  const rows = await db
    .delete(schema.gitTokens)
    .where(and(eq(schema.gitTokens.id, id), eq(schema.gitTokens.userId, userId)))
    .returning({ id: schema.gitTokens.id });
  return rows.length > 0;
}

/** The user a token belongs to, if it is one, not expired; its last use is recorded. */
export async function userOfGitToken(db: Database, token: string, now = new Date()): Promise<string | null> {
  if (!looksLikeGitToken(token)) return null;
  const [row] = await db
    .select({
      id: schema.gitTokens.id,
      userId: schema.gitTokens.userId,
      lastUsedAt: schema.gitTokens.lastUsedAt,
      expiresAt: schema.gitTokens.expiresAt,
    })
    .from(schema.gitTokens)
    .where(eq(schema.gitTokens.tokenHash, await sha256Hex(token)))
    .limit(1);
  if (!row || (row.expiresAt && row.expiresAt <= now)) return null;
  if (!row.lastUsedAt || now.getTime() - row.lastUsedAt.getTime() > LAST_USED_PRECISION_MS) {
    await db.update(schema.gitTokens).set({ lastUsedAt: now }).where(eq(schema.gitTokens.id, row.id));
  }
  return row.userId;
}
