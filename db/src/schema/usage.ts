import { sql } from 'drizzle-orm';
import { bigint, check, index, integer, pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import { users } from './accounts.ts';
import { projects } from './projects.ts';

/** One row per LLM call. `callId` makes recording idempotent when a Durable Object retries. */
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
    costMicros: bigint('cost_micros', { mode: 'number' }).notNull(),
    latencyMs: integer('latency_ms').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    index('usage_user_time_idx').on(t.userId, t.createdAt),
    index('usage_project_time_idx').on(t.projectId, t.createdAt),
    check(
      'usage_amounts_nonnegative',
      sql`${t.inputTokens} >= 0 and ${t.outputTokens} >= 0 and ${t.cachedTokens} >= 0 and ${t.costMicros} >= 0 and ${t.latencyMs} >= 0`,
    ),
  ],
);
