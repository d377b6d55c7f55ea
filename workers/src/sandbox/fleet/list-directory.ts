/**
 * The fleet directory of a configured list of runners (`SANDBOX_RUNNER_URLS`): each one's `/healthz`
 * (its id, capacity and load; a draining runner answers 503 with the same body). One that does not
 * answer in time is not listed. A runner older than the fleet fields counts as one with room.
 */
import { z } from 'zod';
import type { RunnerState } from './directory.ts';

/** What the directory reads of `/healthz` (the contract's HealthResponse, fleet fields optional). */
const Health = z.object({
  runnerId: z.string().optional(),
  capacity: z.number().int().optional(),
  sandboxes: z.number().int(),
  commands: z.number().int().optional(),
  draining: z.boolean(),
  docker: z.enum(['up', 'down']).optional(),
});

/** How long one `/healthz` may take before the runner counts as down. */
export const HEALTH_TIMEOUT_MS = 2_000;

/** A capacity for runners that do not say theirs: room enough that only their own refusal stops it. */
const UNKNOWN_CAPACITY = 1_000_000;

/** The state of the runner at `url`, or null when it does not answer (or its engine is down). */
export async function probeRunner(url: string, fetcher: typeof fetch): Promise<RunnerState | null> {
  try {
    const res = await fetcher(new URL('/healthz', url), { signal: AbortSignal.timeout(HEALTH_TIMEOUT_MS) });
    const parsed = Health.safeParse(await res.json());
    if (!parsed.success || parsed.data.docker === 'down') return null;
    const h = parsed.data;
    return {
      id: h.runnerId ?? url,
      url,
      capacity: h.capacity ?? UNKNOWN_CAPACITY,
      sandboxes: h.sandboxes,
      commands: h.commands ?? 0,
      draining: h.draining,
    };
  } catch {
    return null;
  }
}

/** Reads every configured runner's health at once. */
export async function readList(urls: string[], fetcher: typeof fetch): Promise<RunnerState[]> {
  const states = await Promise.all(urls.map((url) => probeRunner(url, fetcher)));
  return states.filter((s): s is RunnerState => s !== null);
}
