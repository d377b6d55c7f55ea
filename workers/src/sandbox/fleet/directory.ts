/**
 * The fleet's runners that are up, as the Worker sees them: read from the Redis registry the runners
 * announce themselves to (registry-directory.ts) or from a configured list polled at `/healthz`
 * (list-directory.ts). Reads are cached per isolate for a moment: placing many projects at once costs
 * one read, not one each.
 */

/** One runner: where it is, its room and its load (a registry record or a `/healthz` answer). */
export interface RunnerState {
  id: string;
  url: string;
  capacity: number;
  sandboxes: number;
  commands: number;
  draining: boolean;
}

/** Where the runners are listed. */
export interface RunnerDirectory {
  /** The runners up now; `fresh`: not from the cache (a loss is being confirmed). */
  runners(opts?: { fresh?: boolean }): Promise<RunnerState[]>;
  /**
   * This isolate placed a sandbox on `runnerId` (or took one off it): counted in the cached view until
   * the next read, so projects placed in the same moment spread instead of all picking the same runner.
   */
  adjust(runnerId: string, sandboxes: number): void;
}

/** How long a read of the directory is reused. */
export const DIRECTORY_CACHE_MS = 1_000;

/** A directory over `read`, cached for {@link DIRECTORY_CACHE_MS}. */
export function cachedDirectory(
  read: () => Promise<RunnerState[]>,
  now: () => number = () => Date.now(),
): RunnerDirectory {
  let cached: { at: number; runners: Promise<RunnerState[]> } | null = null;
  const adjustments = new Map<string, number>();
  const load = (): Promise<RunnerState[]> => {
    const runners = read();
    cached = { at: now(), runners };
    adjustments.clear();
    // A failed read is not kept: the next caller reads again.
    runners.catch(() => {
      if (cached?.runners === runners) cached = null;
    });
    return runners;
  };
  return {
    async runners(opts = {}) {
      const list = await (!opts.fresh && cached && now() - cached.at < DIRECTORY_CACHE_MS
        ? cached.runners
        : load());
      return list.map((r) => ({ ...r, sandboxes: r.sandboxes + (adjustments.get(r.id) ?? 0) }));
    },
    adjust(runnerId, sandboxes) {
      adjustments.set(runnerId, (adjustments.get(runnerId) ?? 0) + sandboxes);
    },
  };
}
