import { schema, type Database } from '@samokoder/db';
import { and, asc, eq, gte, lt, sql, type SQLWrapper } from 'drizzle-orm';
import type { ProjectId } from '../ids.ts';

const { usageLedger } = schema;

/**
 * Token and cost sums (cost in micro-dollars). `costMicros` sums the calls whose price is known;
 * `unpricedCalls` of the `calls` had none (their tokens are counted, their cost is not: unknown, not 0).
 */
export interface UsageTotals {
  calls: number;
  unpricedCalls: number;
  inputTokens: number;
  outputTokens: number;
  cachedTokens: number;
  costMicros: number;
}

/** The sums of one UTC day for one provider and model. */
export interface UsageRow extends UsageTotals {
  day: string;
  provider: string;
  model: string;
}

export interface UsageReport {
  /** First and last day covered (UTC, inclusive). */
  from: string;
  to: string;
  total: UsageTotals;
  rows: UsageRow[];
}

const day = sql<string>`to_char(${usageLedger.createdAt} at time zone 'UTC', 'YYYY-MM-DD')`;
// Sums come back from Postgres as numeric strings; a user's totals stay far below 2^53.
const sum = (column: SQLWrapper) => sql<number>`coalesce(sum(${column}), 0)`.mapWith(Number);

/**
 * A user's usage (or one project's) from the ledger, grouped by day, provider and model, with the
 * total. The ledger keeps rows of deleted projects (unlinked), so a user's totals include them.
 */
export async function usageReport(
  db: Database,
  scope: { userId: string; projectId?: ProjectId },
  range: { from: string; to: string },
): Promise<UsageReport> {
  const start = new Date(`${range.from}T00:00:00Z`);
  const end = new Date(Date.parse(`${range.to}T00:00:00Z`) + 24 * 3600 * 1000);
  const rows = await db
    .select({
      day,
      provider: usageLedger.provider,
      model: usageLedger.model,
      calls: sql<number>`count(*)`.mapWith(Number),
      unpricedCalls: sql<number>`count(*) filter (where ${usageLedger.costMicros} is null)`.mapWith(Number),
      inputTokens: sum(usageLedger.inputTokens),
      outputTokens: sum(usageLedger.outputTokens),
      cachedTokens: sum(usageLedger.cachedTokens),
      costMicros: sum(usageLedger.costMicros),
    })
    .from(usageLedger)
    .where(
      and(
        eq(usageLedger.userId, scope.userId),
        scope.projectId ? eq(usageLedger.projectId, scope.projectId) : undefined,
        gte(usageLedger.createdAt, start),
        lt(usageLedger.createdAt, end),
      ),
    )
    .groupBy(day, usageLedger.provider, usageLedger.model)
    .orderBy(asc(day), asc(usageLedger.provider), asc(usageLedger.model));
  const total: UsageTotals = {
    calls: 0,
    unpricedCalls: 0,
    inputTokens: 0,
    outputTokens: 0,
    cachedTokens: 0,
    costMicros: 0,
  };
  for (const row of rows) {
    total.calls += row.calls;
    total.unpricedCalls += row.unpricedCalls;
    total.inputTokens += row.inputTokens;
    total.outputTokens += row.outputTokens;
    total.cachedTokens += row.cachedTokens;
    total.costMicros += row.costMicros;
  }
  return { from: range.from, to: range.to, total, rows };
}
