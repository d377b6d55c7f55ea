import { index, pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import { users } from './accounts.ts';

/**
 * Personal access tokens for git (clone and fetch of the user's projects over HTTPS). Only the token's
 * SHA-256 is kept: the token itself is shown once, when it is created.
 */
export const gitTokens = pgTable(
  'git_tokens',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    name: text('name').notNull(),
    /** hex SHA-256 of the token. */
    tokenHash: text('token_hash').notNull().unique(),
    /** The token's first characters (its prefix and a few more), to tell tokens apart in a list. */
    hint: text('hint').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    lastUsedAt: timestamp('last_used_at', { withTimezone: true }),
    /** Null: the token does not expire. */
    expiresAt: timestamp('expires_at', { withTimezone: true }),
  },
  (t) => [index('git_tokens_user_idx').on(t.userId, t.createdAt)],
);
