/**
 * The LLM calls the steps made, recorded under their keys: a step re-run after an interruption replays
 * a recorded call instead of making (and paying for) it again. Each row also carries the call's usage,
 * for the step's and the run's totals and for the usage ledger in Postgres.
 */
import type { RecordedCall } from '../../core/journal.ts';
import type { StepUsage } from '../../protocol.ts';
import type { Sql } from './sql.ts';

/** A recorded call as the usage ledger gets it. */
export interface LedgerCall {
  provider: string;
  model: string;
  inputTokens: number;
  outputTokens: number;
  cachedTokens: number;
  /** Null: the call's price was not known. */
  costMicros: number | null;
  /** Who priced it (`list`, `custom`); null when unknown or recorded before prices had a source. */
  pricedBy: string | null;
  latencyMs: number;
  createdAt: number;
}

export class LlmCallStore {
  private readonly sql: Sql;

  constructor(sql: Sql) {
    this.sql = sql;
  }

  recorded(key: string): RecordedCall | null {
    const row = this.sql.one<{ fingerprint: string; completion: string }>(
      'SELECT fingerprint, completion FROM llm_calls WHERE key = ?',
      key,
    );
    return row
      ? { fingerprint: row.fingerprint, completion: JSON.parse(row.completion) as RecordedCall['completion'] }
      : null;
  }

  /** Records a call made by `stepId` (a call recorded again under its key takes the new completion). */
  record(key: string, stepId: number, agent: string, call: RecordedCall, now: number): void {
    const c = call.completion;
    this.sql.run(
      `INSERT INTO llm_calls (key, step_id, agent, fingerprint, completion, provider, model, input_tokens,
         output_tokens, cached_tokens, cost_micros, latency_ms, created_at, price_known)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (key) DO UPDATE SET fingerprint = excluded.fingerprint, completion = excluded.completion`,
      key,
      stepId,
      agent,
      call.fingerprint,
      JSON.stringify(c),
      c.provider,
      c.model,
      c.usage.inputTokens,
      c.usage.outputTokens,
      c.usage.cachedTokens,
      // The column holds what is known; an unknown price reads back from the completion (null).
      c.costMicros ?? 0,
      Math.round(c.latencyMs),
      now,
      c.costMicros === null ? 0 : 1,
    );
  }

  /** What a step's calls used and cost. */
  stepUsage(stepId: number): StepUsage {
    const row = this.sql.one<{
      calls: number;
      input: number | null;
      output: number | null;
      cached: number | null;
      cost: number | null;
      unpriced: number | null;
    }>(
      `SELECT count(*) AS calls, sum(input_tokens) AS input, sum(output_tokens) AS output,
         sum(cached_tokens) AS cached, sum(cost_micros) AS cost, sum(1 - price_known) AS unpriced
       FROM llm_calls WHERE step_id = ?`,
      stepId,
    );
    return {
      stepId,
      calls: row?.calls ?? 0,
      inputTokens: row?.input ?? 0,
      outputTokens: row?.output ?? 0,
      cachedTokens: row?.cached ?? 0,
      costMicros: row?.cost ?? 0,
      unpriced: row?.unpriced ?? 0,
    };
  }

  /** The call recorded under `key`, for its usage-ledger row. */
  ledgerCall(key: string): LedgerCall | null {
    const row = this.sql.one<{
      provider: string;
      model: string;
      input_tokens: number;
      output_tokens: number;
      cached_tokens: number;
      cost_micros: number | null;
      priced_by: string | null;
      latency_ms: number;
      created_at: number;
    }>(
      // The recorded completion says whether the price was known (its cost null when not).
      `SELECT provider, model, input_tokens, output_tokens, cached_tokens,
         json_extract(completion, '$.costMicros') AS cost_micros,
         json_extract(completion, '$.pricedBy') AS priced_by, latency_ms, created_at
       FROM llm_calls WHERE key = ?`,
      key,
    );
    if (!row) return null;
    return {
      provider: row.provider,
      model: row.model,
      inputTokens: row.input_tokens,
      outputTokens: row.output_tokens,
      cachedTokens: row.cached_tokens,
      costMicros: row.cost_micros === null ? null : Number(row.cost_micros),
      pricedBy: row.priced_by,
      latencyMs: row.latency_ms,
      createdAt: row.created_at,
    };
  }
}
