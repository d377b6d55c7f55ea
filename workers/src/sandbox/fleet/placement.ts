/**
 * Where a project's sandbox goes: a runner with room (not draining, fewer sandboxes than its capacity),
 * the one it used before when it still has room (its workspace may still be there), else the least
 * loaded (sandboxes for its capacity, then running commands; the id breaks ties so it is stable).
 */
import type { RunnerState } from './directory.ts';

/** Whether `runner` takes a new sandbox. */
export function hasRoom(runner: RunnerState): boolean {
  return !runner.draining && runner.sandboxes < runner.capacity;
}

/** The runner to place on, or null when every runner is full or draining. */
export function chooseRunner(
  runners: RunnerState[],
  previous: string | null,
  excluded: ReadonlySet<string> = new Set(),
): RunnerState | null {
  const open = runners.filter((r) => hasRoom(r) && !excluded.has(r.id));
  const same = previous ? open.find((r) => r.id === previous) : undefined;
  if (same) return same;
  open.sort(
    (a, b) =>
      a.sandboxes / a.capacity - b.sandboxes / b.capacity ||
      a.commands - b.commands ||
      (a.id < b.id ? -1 : a.id > b.id ? 1 : 0),
  );
  return open[0] ?? null;
}

/** Sandboxes the fleet can still take. */
export function freeRoom(runners: RunnerState[]): number {
  return runners.filter(hasRoom).reduce((sum, r) => sum + (r.capacity - r.sandboxes), 0);
}
