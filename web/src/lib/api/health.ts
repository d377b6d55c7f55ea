import type { InferResponseType } from 'hono/client';
import { api } from './client.ts';
import { ApiRequestError, errorFromResponse } from './errors.ts';

/** `GET /api/health`: the Worker's readiness report, typed from the API. */
export type Health = InferResponseType<typeof api.health.$get>;
export type DependencyName = keyof Health['checks'];
export type DependencyCheck = Health['checks'][DependencyName];

/** Display order and names of the probed dependencies. */
export const DEPENDENCIES: readonly { key: DependencyName; label: string }[] = [
  { key: 'postgres', label: 'Postgres' },
  { key: 'redis', label: 'Redis' },
  { key: 'sandboxRunner', label: 'Sandbox runner' },
];

const TIMEOUT_MS = 10_000;

function isCheck(value: unknown): value is DependencyCheck {
  if (typeof value !== 'object' || value === null) return false;
  const check = value as Record<string, unknown>;
  return (
    (check.status === 'up' || check.status === 'down') &&
    typeof check.latencyMs === 'number' &&
    (check.error === undefined || typeof check.error === 'string')
  );
}

/** The types describe the Worker; this guards against whatever else may answer (a proxy, a stale page). */
function isHealth(value: unknown): value is Health {
  if (typeof value !== 'object' || value === null) return false;
  const { status, checks } = value as Record<string, unknown>;
  if (status !== 'ok' && status !== 'degraded') return false;
  if (typeof checks !== 'object' || checks === null) return false;
  return DEPENDENCIES.every(({ key }) => isCheck((checks as Record<string, unknown>)[key]));
}

/**
 * Fetch the readiness report. A 503 is an answer (some dependency is down), not a failure; anything
 * else that is not a report throws an `ApiRequestError` with a message fit for the user.
 */
export async function fetchHealth(signal?: AbortSignal): Promise<Health> {
  const timeout = AbortSignal.timeout(TIMEOUT_MS);
  const response = await api.health.$get(undefined, {
    init: { signal: signal ? AbortSignal.any([signal, timeout]) : timeout, cache: 'no-store' },
  });
  const status: number = response.status;
  if (status !== 200 && status !== 503) throw await errorFromResponse(response);
  const body: unknown = await response.json().catch(() => null);
  if (!isHealth(body)) {
    throw new ApiRequestError(status, {
      code: 'unexpected_response',
      message: 'The API answered with something other than a health report.',
    });
  }
  return body;
}
