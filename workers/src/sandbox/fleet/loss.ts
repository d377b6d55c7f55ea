/**
 * Telling a lost runner from a failed call. A call that could not reach the runner (refused, reset, cut
 * mid-stream, timed out) or got a 502/503/504 that is not a drain may mean the runner is gone; it is
 * confirmed at once by its `/healthz` (and, with the registry, its record): a `kill -9` is known in one
 * refused connection, not after a TTL.
 */
import { RunnerError } from '../client.ts';

/** Runner codes that mean "this runner takes no new sandbox": the project moves, nothing is lost. */
const DRAINING_CODES = new Set(['runner_draining', 'shutting_down']);

/** The runner refused a new sandbox because it drains. */
export function isDraining(err: unknown): boolean {
  return err instanceof RunnerError && DRAINING_CODES.has(err.code);
}

/** The runner is at its sandbox limit (its announced load was behind). */
export function isFull(err: unknown): boolean {
  return err instanceof RunnerError && err.code === 'too_many_sandboxes' && err.status === 429;
}

/** The call failed in a way that may mean the runner is gone (to be confirmed). */
export function mayBeLost(err: unknown): boolean {
  if (err instanceof RunnerError) {
    if (DRAINING_CODES.has(err.code)) return false;
    // A stream cut mid-command is reported as a 502 by the client.
    return err.status === 502 || err.status === 503 || err.status === 504;
  }
  // Anything else thrown by fetch or by reading a body: refused, reset, cut, timed out.
  return err instanceof Error && err.name !== 'SandboxReset' && err.name !== 'ZodError';
}

/** What a confirmation found: still serving, draining (move, nothing lost) or lost. */
export type RunnerVerdict = 'up' | 'draining' | 'lost';
