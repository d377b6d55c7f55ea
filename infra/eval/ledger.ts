/**
 * The usage ledger (Postgres, one row per LLM call) of a project: how many calls, their tokens and
 * cost, and the time spent waiting on the model (the sum of the calls' latencies). The Durable Object
 * writes the rows a moment after each call, so a reader waits until the run's calls are all there.
 */
import { createDb } from '@samokoder/db';
import type { AppUsage } from './report.ts';

export interface LedgerTotals extends AppUsage {
  latencyMs: number;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export async function projectLedger(databaseUrl: string, projectId: string): Promise<LedgerTotals> {
  if (!UUID.test(projectId)) throw new Error(`not a project id: ${projectId}`);
  const handle = await createDb({ url: databaseUrl, driver: 'pg', maxConnections: 1 });
  try {
    const [row] = (await handle.query(
      `SELECT count(*)::int AS calls,
              count(*) FILTER (WHERE cost_micros IS NULL)::int AS unpriced,
              coalesce(sum(input_tokens), 0)::bigint AS input,
              coalesce(sum(output_tokens), 0)::bigint AS output,
              coalesce(sum(cost_micros), 0)::bigint AS cost,
              coalesce(sum(latency_ms), 0)::bigint AS latency
         FROM usage_ledger WHERE project_id = '${projectId}'`,
    )) as { calls: number; unpriced: number; input: string; output: string; cost: string; latency: string }[];
    return {
      calls: Number(row?.calls ?? 0),
      unpricedCalls: Number(row?.unpriced ?? 0),
      inputTokens: Number(row?.input ?? 0),
      outputTokens: Number(row?.output ?? 0),
      costMicros: Number(row?.cost ?? 0),
      latencyMs: Number(row?.latency ?? 0),
    };
  } finally {
    await handle.close();
  }
}

/** The ledger once it holds at least `calls` rows (or what it holds after `timeoutMs`). */
export async function settledLedger(
  databaseUrl: string,
  projectId: string,
  calls: number,
  timeoutMs = 30_000,
): Promise<LedgerTotals> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const totals = await projectLedger(databaseUrl, projectId);
    if (totals.calls >= calls || Date.now() > deadline) return totals;
    await new Promise((r) => setTimeout(r, 500));
  }
}
