/**
 * The LLM calls the steps made, recorded under their keys: a step re-run after an interruption replays
 * a recorded call instead of making (and paying for) it again. Each row also carries the call's usage,
 * for the step's and the run's totals and for the usage ledger in Postgres.
 *
 * A call slot (`s<step>:c<n>`, the n-th call of a step) may be tried more than once: a call that must
 * not be replayed any more (its answer failed the step, the user resumed the step for a fresh try, its
 * prompt changed) is retired, and the slot's next call is recorded under a new key (`<slot>:t<k>`). A
 * key is never reused: the usage ledger in Postgres is idempotent by key, and a retired call stays in
 * the totals and the ledger (it was paid for).
 */
import type { CallSlot, RecordedCall } from '../../core/journal.ts';
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

/** The fingerprint of a retired call starts with this: never equal to a prompt's fingerprint. */
const RETIRED = 'retired:';
/** A call that was billed but unusable (see context.ts): never replayed either. */
const LOST = 'lost';

/** Which try of `slot` a key records (0: the slot's own key), or null for other keys (`:lost` ones). */
function tryOf(slot: string, key: string): number | null {
  if (key === slot) return 0;
  const match = /^:t(\d+)$/.exec(key.slice(slot.length));
  return key.startsWith(slot) && match ? Number(match[1]) : null;
}

export class LlmCallStore {
  private readonly sql: Sql;

  constructor(sql: Sql) {
    this.sql = sql;
  }

  /** The latest try of a call slot: its call to replay, or (retired, or none yet) the key of the next. */
  slot(slot: string): CallSlot {
    // The slot's own key and its tries (`<slot>:t…`): a range of the primary key.
    const rows = this.sql.all<{ key: string; fingerprint: string; completion: string }>(
      'SELECT key, fingerprint, completion FROM llm_calls WHERE key = ? OR (key > ? AND key < ?)',
      slot,
      `${slot}:t`,
      `${slot}:u`,
    );
    let latest: { n: number; row: (typeof rows)[number] } | null = null;
    for (const row of rows) {
      const n = tryOf(slot, row.key);
      if (n !== null && (latest === null || n > latest.n)) latest = { n, row };
    }
    if (!latest) return { key: slot, recorded: null };
    if (latest.row.fingerprint.startsWith(RETIRED))
      return { key: `${slot}:t${latest.n + 1}`, recorded: null };
    return {
      key: latest.row.key,
      recorded: {
        fingerprint: latest.row.fingerprint,
        completion: JSON.parse(latest.row.completion) as RecordedCall['completion'],
      },
    };
  }

  /** Stops replaying the call recorded under `key` (it stays, with its usage). */
  retire(key: string): void {
    this.sql.run(
      `UPDATE llm_calls SET fingerprint = ? || fingerprint
       WHERE key = ? AND fingerprint <> ? AND fingerprint NOT LIKE '${RETIRED}%'`,
      RETIRED,
      key,
      LOST,
    );
  }

  /**
   * Stops replaying the calls a step made since its latest answered question: those of its attempts
   * that ran on to fail. The calls before led to the question the person answered, and stay replayed
   * (asked again, they could ask a different question, which the recorded answer would then meet).
   */
  retireStep(stepId: number): void {
    this.sql.run(
      `UPDATE llm_calls SET fingerprint = ? || fingerprint
       WHERE step_id = ? AND fingerprint <> ? AND fingerprint NOT LIKE '${RETIRED}%'
         AND created_at >= coalesce((SELECT max(answered_at) FROM questions WHERE step_id = ?), 0)`,
      RETIRED,
      stepId,
      LOST,
      stepId,
    );
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
