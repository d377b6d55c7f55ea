import type { InferResponseType } from 'hono/client';
import { api } from './client.ts';
import { errorFromResponse } from './errors.ts';

/** Tokens and cost by day (UTC), provider and model, with the range's total. */
export type UsageReport = InferResponseType<(typeof api.usage)['$get'], 200>;
export type UsageRow = UsageReport['rows'][number];

export async function fetchUsage(
  range: { from: string; to: string },
  signal?: AbortSignal,
): Promise<UsageReport> {
  const response = await api.usage.$get({ query: range }, { init: { signal, cache: 'no-store' } });
  if (response.status !== 200) throw await errorFromResponse(response);
  return response.json();
}
