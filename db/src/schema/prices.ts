import { sql } from 'drizzle-orm';
import { bigint, check, pgTable, primaryKey, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import { users } from './accounts.ts';

/**
 * A user's own prices for models the platform's price table does not list (a local model, a new one):
 * what their calls of that model cost from the user's point of view. Per million tokens, in
 * micro-dollars (integers: $0.50 per million is 500000).
 */
export const modelPrices = pgTable(
  'model_prices',
  {
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    /** The canonical provider name. */
    provider: text('provider').notNull(),
    model: text('model').notNull(),
    inputMicrosPerMillion: bigint('input_micros_per_million', { mode: 'number' }).notNull(),
    outputMicrosPerMillion: bigint('output_micros_per_million', { mode: 'number' }).notNull(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    primaryKey({ columns: [t.userId, t.provider, t.model] }),
    check(
      'model_prices_nonnegative',
      sql`${t.inputMicrosPerMillion} >= 0 and ${t.outputMicrosPerMillion} >= 0`,
    ),
  ],
);
