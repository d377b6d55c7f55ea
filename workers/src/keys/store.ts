import { schema, type Database, type LlmProvider } from '@samokoder/db';
import { and, count, desc, eq, sql } from 'drizzle-orm';
import { openFresh, seal } from '../crypto/envelope.ts';
import type { KeyRing } from '../crypto/key-ring.ts';
import type { KeyId } from '../ids.ts';

const { apiKeys } = schema;

/** How many keys one user may hold: plenty for every provider and a few gateways. */
export const MAX_KEYS_PER_USER = 50;

/** A key as listed: never the secret, only its last four characters. */
export interface KeyView {
  id: string;
  provider: LlmProvider;
  label: string;
  last4: string;
  baseUrl: string | null;
  createdAt: string;
  lastUsedAt: string | null;
  lastTestedAt: string | null;
  lastTestOk: boolean | null;
  /** The models its provider listed at the last successful test (empty until then). */
  models: string[];
  modelsListedAt: string | null;
}

const viewColumns = {
  id: apiKeys.id,
  provider: apiKeys.provider,
  label: apiKeys.label,
  last4: apiKeys.last4,
  baseUrl: apiKeys.baseUrl,
  createdAt: apiKeys.createdAt,
  lastUsedAt: apiKeys.lastUsedAt,
  lastTestedAt: apiKeys.lastTestedAt,
  lastTestOk: apiKeys.lastTestOk,
  models: apiKeys.models,
  modelsListedAt: apiKeys.modelsListedAt,
};

type ViewRow = { [K in keyof typeof viewColumns]: (typeof apiKeys.$inferSelect)[K] };

function toView(row: ViewRow): KeyView {
  return {
    ...row,
    createdAt: row.createdAt.toISOString(),
    lastUsedAt: row.lastUsedAt?.toISOString() ?? null,
    lastTestedAt: row.lastTestedAt?.toISOString() ?? null,
    models: row.models ?? [],
    modelsListedAt: row.modelsListedAt?.toISOString() ?? null,
  };
}

/**
 * The additional data bound into each ciphertext: a sealed key only opens on its own row for its own
 * user, so copying ciphertexts between rows (or users) in the database yields nothing.
 */
function sealContext(keyId: string, userId: string): string {
  return `samokoder:api-key:v1:${keyId}:${userId}`;
}

export interface NewKey {
  provider: LlmProvider;
  label: string;
  key: string;
  baseUrl: string | null;
}

/** Encrypt and store a key; null when the user already holds the maximum. */
export async function addKey(
  db: Database,
  ring: KeyRing,
  userId: string,
  input: NewKey,
): Promise<KeyView | null> {
  const [held] = await db.select({ n: count() }).from(apiKeys).where(eq(apiKeys.userId, userId));
  if ((held?.n ?? 0) >= MAX_KEYS_PER_USER) return null;
  const id = crypto.randomUUID();
  const sealed = await seal(ring, input.key, sealContext(id, userId));
  const [row] = await db
    .insert(apiKeys)
    .values({
      id,
      userId,
      provider: input.provider,
      label: input.label,
      baseUrl: input.baseUrl,
      ciphertext: sealed.ciphertext,
      iv: sealed.iv,
      masterKeyId: sealed.keyId,
      last4: visibleTail(input.key),
    })
    .returning(viewColumns);
  return toView(row!);
}

/** The last 4 characters, to tell keys apart; none of a short key (they would be much of it). */
export function visibleTail(key: string): string {
  return key.length >= 16 ? key.slice(-4) : '';
}

export async function listKeys(db: Database, userId: string): Promise<KeyView[]> {
  const rows = await db
    .select(viewColumns)
    .from(apiKeys)
    .where(eq(apiKeys.userId, userId))
    .orderBy(desc(apiKeys.createdAt), desc(apiKeys.id));
  return rows.map(toView);
}

/** Delete one of the user's keys; false when the user has no such key. */
export async function deleteKey(db: Database, userId: string, id: KeyId): Promise<boolean> {
  const deleted = await db
    .delete(apiKeys)
    .where(and(eq(apiKeys.id, id), eq(apiKeys.userId, userId)))
    .returning({ id: apiKeys.id });
  return deleted.length > 0;
}

/** A key decrypted for one call to its provider. Keep it in a local; never log or return it. */
export interface OpenedKey {
  id: string;
  provider: LlmProvider;
  baseUrl: string | null;
  apiKey: string;
}

/**
 * Decrypt one of the user's keys (null when the user has no such key). A key sealed under a retired
 * primary master key is re-sealed under the current one on the way, so rotation completes as keys
 * are used.
 */
export async function openKey(
  db: Database,
  ring: KeyRing,
  userId: string,
  id: KeyId,
): Promise<OpenedKey | null> {
  const [row] = await db
    .select()
    .from(apiKeys)
    .where(and(eq(apiKeys.id, id), eq(apiKeys.userId, userId)))
    .limit(1);
  if (!row) return null;
  const plaintext = await openFresh(
    ring,
    { ciphertext: row.ciphertext, iv: row.iv, keyId: row.masterKeyId },
    sealContext(row.id, row.userId),
    (sealed) =>
      db
        .update(apiKeys)
        .set({ ciphertext: sealed.ciphertext, iv: sealed.iv, masterKeyId: sealed.keyId })
        .where(eq(apiKeys.id, row.id)),
  );
  return { id: row.id, provider: row.provider, baseUrl: row.baseUrl, apiKey: plaintext };
}

/**
 * Record the outcome of a test; a successful one replaces the models the key lists (a failed one
 * keeps the last list: the provider may only be down for a moment).
 */
export async function recordTest(
  db: Database,
  userId: string,
  id: KeyId,
  outcome: { ok: true; models: string[] } | { ok: false },
): Promise<KeyView | null> {
  const [row] = await db
    .update(apiKeys)
    .set({
      lastTestedAt: sql`now()`,
      lastTestOk: outcome.ok,
      ...(outcome.ok ? { models: outcome.models, modelsListedAt: sql`now()` } : {}),
    })
    .where(and(eq(apiKeys.id, id), eq(apiKeys.userId, userId)))
    .returning(viewColumns);
  return row ? toView(row) : null;
}
