import { sql } from 'drizzle-orm';
import { bigint, check, index, integer, pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import { users } from './accounts.ts';
import { projects } from './projects.ts';

/**
 * One row per LLM call. `callId` makes recording idempotent when a Durable Object retries. `provider`
 * is the canonical provider name (models.ts in the Worker).
 */
export const usageLedger = pgTable(
  'usage_ledger',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    callId: text('call_id').notNull().unique(),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    /** Kept when the project is deleted: the spending happened. */
    projectId: uuid('project_id').references(() => projects.id, { onDelete: 'set null' }),
    agent: text('agent').notNull(),
    provider: text('provider').notNull(),
    model: text('model').notNull(),
    inputTokens: integer('input_tokens').notNull(),
    outputTokens: integer('output_tokens').notNull(),
    cachedTokens: integer('cached_tokens').notNull().default(0),
    /** Null when the model had no known price (a cost that is unknown, not zero). */
    costMicros: bigint('cost_micros', { mode: 'number' }),
    /** Where the price came from: `list` (the platform's table) or `custom` (the user's own); null when unknown. */
    pricedBy: text('priced_by', { enum: ['list', 'custom'] }),
    latencyMs: integer('latency_ms').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    index('usage_user_time_idx').on(t.userId, t.createdAt),
    index('usage_project_time_idx').on(t.projectId, t.createdAt),
    index('usage_user_model_idx').on(t.userId, t.provider, t.model),
    check('usage_priced_by_known', sql`${t.pricedBy} in ('list', 'custom')`),
    check(
      'usage_amounts_nonnegative',
      sql`${t.inputTokens} >= 0 and ${t.outputTokens} >= 0 and ${t.cachedTokens} >= 0 and ${t.costMicros} >= 0 and ${t.latencyMs} >= 0`,
    ),
  ],
);
