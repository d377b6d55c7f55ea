/**
 * A project's remote connection in Postgres: its URL, branch and "push after each task" switch, and its
 * access token sealed like an LLM key (`crypto/envelope.ts`). The token is only ever opened to talk to
 * the remote; what is listed shows that one is set, its last four characters and when.
 */
import { schema, type Database } from '@samokoder/db';
import { and, eq, sql } from 'drizzle-orm';
import { openFresh, seal } from '../../crypto/envelope.ts';
import type { KeyRing } from '../../crypto/key-ring.ts';
import { visibleTail } from '../../keys/store.ts';

const { gitRemotes } = schema;

/** A connection as shown: never the token. */
export interface RemoteView {
  url: string;
  branch: string;
  pushAfterTask: boolean;
  token: { set: true; last4: string; setAt: string };
  createdAt: string;
  updatedAt: string;
  lastCheckedAt: string | null;
  lastCheckOk: boolean | null;
}

type Row = typeof gitRemotes.$inferSelect;

function toView(row: Row): RemoteView {
  return {
    url: row.url,
    branch: row.branch,
    pushAfterTask: row.pushAfterTask,
    token: { set: true, last4: row.tokenLast4, setAt: row.tokenSetAt.toISOString() },
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
    lastCheckedAt: row.lastCheckedAt?.toISOString() ?? null,
    lastCheckOk: row.lastCheckOk,
  };
}

/** Bound into the token's ciphertext: it opens only for this project and owner. */
function sealContext(projectId: string, userId: string): string {
  return `samokoder:git-remote:v1:${projectId}:${userId}`;
}

/** The project's connection as shown, or null when none. */
export async function getRemote(db: Database, userId: string, projectId: string): Promise<RemoteView | null> {
  const [row] = await db
    .select()
    .from(gitRemotes)
    .where(and(eq(gitRemotes.projectId, projectId), eq(gitRemotes.userId, userId)))
    .limit(1);
  return row ? toView(row) : null;
}

/** What a connect or an update sets; a token is required when connecting and when the URL changes. */
export interface RemoteChange {
  url: string;
  branch: string;
  pushAfterTask: boolean;
  token: string | null;
}

/**
 * Connects the project or updates its connection. Returns the view and whether it was created, or
 * `token_required` when no token is given for a new connection or a new URL (a token is never carried
 * over to another URL: it would be sent to another host).
 */
export async function saveRemote(
  db: Database,
  ring: KeyRing,
  userId: string,
  projectId: string,
  change: RemoteChange,
): Promise<{ view: RemoteView; created: boolean } | 'token_required'> {
  const [existing] = await db
    .select({ url: gitRemotes.url })
    .from(gitRemotes)
    .where(and(eq(gitRemotes.projectId, projectId), eq(gitRemotes.userId, userId)))
    .limit(1);
  if (change.token === null && (!existing || existing.url !== change.url)) return 'token_required';
  const sealed =
    change.token === null ? null : await seal(ring, change.token, sealContext(projectId, userId));
  const secret = sealed
    ? {
        ciphertext: sealed.ciphertext,
        iv: sealed.iv,
        masterKeyId: sealed.keyId,
        tokenLast4: visibleTail(change.token!),
        tokenSetAt: sql`now()`,
      }
    : {};
  const fields = { url: change.url, branch: change.branch, pushAfterTask: change.pushAfterTask };
  if (existing) {
    const [row] = await db
      .update(gitRemotes)
      .set({ ...fields, ...secret, updatedAt: sql`now()`, lastCheckedAt: null, lastCheckOk: null })
      .where(and(eq(gitRemotes.projectId, projectId), eq(gitRemotes.userId, userId)))
      .returning();
    return { view: toView(row!), created: false };
  }
  const [row] = await db
    .insert(gitRemotes)
    .values({
      projectId,
      userId,
      ...fields,
      ciphertext: sealed!.ciphertext,
      iv: sealed!.iv,
      masterKeyId: sealed!.keyId,
      tokenLast4: visibleTail(change.token!),
    })
    .returning();
  return { view: toView(row!), created: true };
}

/** Disconnects the project; false when it had no connection. */
export async function deleteRemote(db: Database, userId: string, projectId: string): Promise<boolean> {
  const deleted = await db
    .delete(gitRemotes)
    .where(and(eq(gitRemotes.projectId, projectId), eq(gitRemotes.userId, userId)))
    .returning({ projectId: gitRemotes.projectId });
  return deleted.length > 0;
}

/** The connection with its token opened, for one conversation with the remote. Never log or return it. */
export interface OpenedRemote {
  url: string;
  branch: string;
  token: string;
  pushAfterTask: boolean;
}

/** Opens the project's token (re-sealing it under the current master key when it was sealed by an old one). */
export async function openRemote(
  db: Database,
  ring: KeyRing,
  userId: string,
  projectId: string,
): Promise<OpenedRemote | null> {
  const [row] = await db
    .select()
    .from(gitRemotes)
    .where(and(eq(gitRemotes.projectId, projectId), eq(gitRemotes.userId, userId)))
    .limit(1);
  if (!row) return null;
  const plaintext = await openFresh(
    ring,
    { ciphertext: row.ciphertext, iv: row.iv, keyId: row.masterKeyId },
    sealContext(row.projectId, row.userId),
    (sealed) =>
      db
        .update(gitRemotes)
        .set({ ciphertext: sealed.ciphertext, iv: sealed.iv, masterKeyId: sealed.keyId })
        .where(eq(gitRemotes.projectId, row.projectId)),
  );
  return { url: row.url, branch: row.branch, token: plaintext, pushAfterTask: row.pushAfterTask };
}

/** Records the outcome of a connection check. */
export async function recordCheck(
  db: Database,
  userId: string,
  projectId: string,
  ok: boolean,
): Promise<RemoteView | null> {
  const [row] = await db
    .update(gitRemotes)
    .set({ lastCheckedAt: sql`now()`, lastCheckOk: ok })
    .where(and(eq(gitRemotes.projectId, projectId), eq(gitRemotes.userId, userId)))
    .returning();
  return row ? toView(row) : null;
}
