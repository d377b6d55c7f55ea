import { sql } from 'drizzle-orm';
import { index, jsonb, pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core';

/** User preferences that are not worth a column each (model per agent, UI choices). */
export interface UserSettings {
  models?: Record<string, string>;
  defaultBudgetMicros?: number;
}

export const users = pgTable('users', {
  id: uuid('id').primaryKey().defaultRandom(),
  /** Normalised (trimmed, lower-cased) so one person cannot hold two accounts by case. */
  email: text('email').notNull().unique(),
  /** Self-describing PBKDF2 hash: `pbkdf2-sha256$<iterations>$<salt>$<hash>`. */
  passwordHash: text('password_hash').notNull(),
  settings: jsonb('settings')
    .$type<UserSettings>()
    .notNull()
    .default(sql`'{}'::jsonb`),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
});

/**
 * Refresh-token sessions. Tokens are opaque and stored only as hashes; every refresh rotates the token
 * within its family, and presenting a rotated token again revokes the whole family (token theft).
 */
export const sessions = pgTable(
  'sessions',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    familyId: uuid('family_id').notNull(),
    tokenHash: text('token_hash').notNull().unique(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
    /** Set when the token was exchanged for its successor. */
    rotatedAt: timestamp('rotated_at', { withTimezone: true }),
    revokedAt: timestamp('revoked_at', { withTimezone: true }),
    userAgent: text('user_agent'),
  },
  (t) => [index('sessions_user_idx').on(t.userId), index('sessions_family_idx').on(t.familyId)],
);
