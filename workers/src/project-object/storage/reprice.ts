/**
 * Pricing a project's recorded LLM calls again when their owner sets (or changes, or removes) their
 * own price for a model: the calls of that model that had no price, or had the owner's price, take the
 * new one. Calls priced from the list keep their price (a person's price never overrides the list).
 */
import type { LlmCompletion, LlmUsage } from '../../core/ports.ts';
import type { Sql } from './sql.ts';

/** What pricing again changed: the calls whose cost changed, and how the totals move. */
export interface Repriced {
  calls: { key: string; agent: string }[];
  costDelta: number;
  unpricedDelta: number;
}

/**
 * Prices again the calls of `model` under any of `providers` (a provider's current and older names);
 * `costOf` null means the model has no price now. Rows and their recorded completions are updated.
 */
export function repriceRows(
  sql: Sql,
  providers: readonly string[],
  model: string,
  costOf: ((usage: LlmUsage) => number) | null,
): Repriced {
  const out: Repriced = { calls: [], costDelta: 0, unpricedDelta: 0 };
  const rows = sql.all<{ key: string; agent: string; completion: string }>(
    `SELECT key, agent, completion FROM llm_calls
     WHERE provider IN (${providers.map(() => '?').join(', ')}) AND model = ?`,
    ...providers,
    model,
  );
  for (const row of rows) {
    const completion = JSON.parse(row.completion) as LlmCompletion;
    // A list price stays; so does a record from before prices could be unknown (it has no `pricedBy`).
    if (completion.pricedBy === 'list') continue;
    if (completion.pricedBy === undefined && completion.costMicros !== null) continue;
    const before = completion.costMicros;
    const after = costOf ? costOf(completion.usage) : null;
    if (before === after) continue;
    const next: LlmCompletion = { ...completion, costMicros: after };
    if (after === null) delete next.pricedBy;
    else next.pricedBy = 'custom';
    sql.run(
      'UPDATE llm_calls SET completion = ?, cost_micros = ?, price_known = ? WHERE key = ?',
      JSON.stringify(next),
      after ?? 0,
      after === null ? 0 : 1,
      row.key,
    );
    out.calls.push({ key: row.key, agent: row.agent });
    out.costDelta += (after ?? 0) - (before ?? 0);
    out.unpricedDelta += (after === null ? 1 : 0) - (before === null ? 1 : 0);
  }
  return out;
}
