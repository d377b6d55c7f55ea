import { sql } from 'drizzle-orm';
import { boolean, check, index, jsonb, pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import { users } from './accounts.ts';

/** Bring-your-own LLM keys, encrypted at rest (AES-GCM under a master key named by `masterKeyId`). */
export const llmProviders = ['openai', 'anthropic', 'groq', 'openai-compatible'] as const;
export type LlmProvider = (typeof llmProviders)[number];

export const apiKeys = pgTable(
  'api_keys',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    provider: text('provider', { enum: llmProviders }).notNull(),
    label: text('label').notNull(),
    baseUrl: text('base_url'),
    /** base64 of the AES-GCM ciphertext (with its tag). */
    ciphertext: text('ciphertext').notNull(),
    /** base64 of the 12-byte nonce. */
    iv: text('iv').notNull(),
    masterKeyId: text('master_key_id').notNull(),
    last4: text('last4').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    lastUsedAt: timestamp('last_used_at', { withTimezone: true }),
    lastTestedAt: timestamp('last_tested_at', { withTimezone: true }),
    /** Outcome of the last test against the provider; null until tested. */
    lastTestOk: boolean('last_test_ok'),
    /**
     * The models the provider listed at the key's last successful test (bounded, sorted): what the
     * model fields offer. Null until a test listed them.
     */
    models: jsonb('models').$type<string[]>(),
    modelsListedAt: timestamp('models_listed_at', { withTimezone: true }),
  },
  (t) => [
    index('api_keys_user_idx').on(t.userId, t.createdAt),
    check(
      'api_keys_provider_known',
      sql`${t.provider} in ('openai', 'anthropic', 'groq', 'openai-compatible')`,
    ),
    // Only an OpenAI-compatible key names its own endpoint; the others always use the provider's.
    check(
      'api_keys_base_url_only_compatible',
      sql`(${t.provider} = 'openai-compatible') = (${t.baseUrl} is not null)`,
    ),
  ],
);
