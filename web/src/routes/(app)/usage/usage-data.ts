/** The usage report arranged for the page: series, one stack per day, totals per model. */
import type { UsageReport } from '$lib/api/usage.ts';
import type { DayStack, Series } from './usage-chart.svelte';

export type Metric = 'cost' | 'tokens';

export const DAY_MS = 86_400_000;
const PALETTE = [1, 2, 3, 4, 5, 6].map((n) => `var(--color-chart-${n})`);

export const isoDay = (ms: number) => new Date(ms).toISOString().slice(0, 10);
const keyOf = (row: { provider: string; model: string }) => `${row.provider}/${row.model}`;

export interface ModelTotals {
  key: string;
  provider: string;
  model: string;
  calls: number;
  /** Calls without a known price: not in `costMicros`. */
  unpricedCalls: number;
  inputTokens: number;
  outputTokens: number;
  costMicros: number;
}

/** Totals per provider and model over the range, the costliest first. */
export function byModel(report: UsageReport | null): ModelTotals[] {
  const rows = new Map<string, ModelTotals>();
  for (const row of report?.rows ?? []) {
    const key = keyOf(row);
    const entry = rows.get(key) ?? {
      key,
      provider: row.provider,
      model: row.model,
      calls: 0,
      unpricedCalls: 0,
      inputTokens: 0,
      outputTokens: 0,
      costMicros: 0,
    };
    entry.calls += row.calls;
    entry.unpricedCalls += row.unpricedCalls;
    entry.inputTokens += row.inputTokens;
    entry.outputTokens += row.outputTokens;
    entry.costMicros += row.costMicros;
    rows.set(key, entry);
  }
  return [...rows.values()].sort(
    (a, b) =>
      b.costMicros - a.costMicros || b.inputTokens + b.outputTokens - (a.inputTokens + a.outputTokens),
  );
}

/**
 * What a chart of `metric` can show: cost only where some cost is known. When no call of the range has
 * a known price, a cost chart would be an axis of "$0.00" with no bars: tokens are shown instead.
 */
export function chartMetric(report: UsageReport | null, metric: Metric): Metric {
  if (metric !== 'cost' || !report) return metric;
  const { costMicros, unpricedCalls } = report.total;
  return costMicros === 0 && unpricedCalls > 0 ? 'tokens' : 'cost';
}

/** One series per provider and model, in the order of `byModel` (the costliest get the first colours). */
export function seriesOf(report: UsageReport | null): Series[] {
  return byModel(report).map((m, i) => ({
    key: m.key,
    label: `${m.provider} · ${m.model}`,
    color: PALETTE[i % PALETTE.length]!,
  }));
}

/**
 * Every day of the range (days without usage too), with the metric per series; for cost, also how
 * many calls of the day have no known price (they are not in its bars).
 */
export function stacksOf(report: UsageReport | null, metric: Metric): DayStack[] {
  if (!report) return [];
  const byDay = new Map<string, DayStack>();
  const start = Date.parse(`${report.from}T00:00:00Z`);
  const end = Date.parse(`${report.to}T00:00:00Z`);
  for (let t = start; t <= end; t += DAY_MS) byDay.set(isoDay(t), { day: isoDay(t), values: {}, total: 0 });
  for (const row of report.rows) {
    const stack = byDay.get(row.day);
    if (!stack) continue;
    const value = metric === 'cost' ? row.costMicros : row.inputTokens + row.outputTokens;
    stack.values[keyOf(row)] = (stack.values[keyOf(row)] ?? 0) + value;
    stack.total += value;
    if (metric === 'cost' && row.unpricedCalls > 0)
      stack.unpricedCalls = (stack.unpricedCalls ?? 0) + row.unpricedCalls;
  }
  return [...byDay.values()];
}
