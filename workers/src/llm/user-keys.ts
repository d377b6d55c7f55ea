/**
 * Users' own keys for the LLM layer: the project owner's newest key for a provider (one whose last test
 * failed is passed over), read from Postgres and decrypted for one call only (issue-3's key store and
 * envelope). Nothing decrypted is cached: a key deleted by its user stops being used at the next call.
 */
import { schema } from '@samokoder/db';
import { and, desc, eq, isNull, or } from 'drizzle-orm';
import { loadKeyRing } from '../crypto/key-ring.ts';
import type { Bindings } from '../env.ts';
import { openKey } from '../keys/store.ts';
import { openDb } from '../platform/deps.ts';
import type { KeyId } from '../ids.ts';
import type { KeySource } from './keys.ts';

const { apiKeys } = schema;

/** The owner's keys, from Postgres (none when no database is configured). */
export function userKeySource(env: Bindings, ownerId: string): KeySource['user'] {
  return async (provider) => {
    if (!env.DATABASE_URL) return null;
    const handle = await openDb(env);
    try {
      const [row] = await handle.db
        .select({ id: apiKeys.id })
        .from(apiKeys)
        .where(
          and(
            eq(apiKeys.userId, ownerId),
            eq(apiKeys.provider, provider),
            or(isNull(apiKeys.lastTestOk), eq(apiKeys.lastTestOk, true)),
          ),
        )
        .orderBy(desc(apiKeys.createdAt))
        .limit(1);
      if (!row) return null;
      // Postgres prints uuids in their canonical form: the row's id needs no parsing.
      const opened = await openKey(
        handle.db,
        await loadKeyRing(env.KEYS_MASTER_KEY),
        ownerId,
        row.id as KeyId,
      );
      return opened ? { apiKey: opened.apiKey, baseUrl: opened.baseUrl } : null;
    } finally {
      await handle.close();
    }
  };
}
