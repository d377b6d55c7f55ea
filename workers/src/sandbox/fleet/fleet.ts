/**
 * The Worker's view of its fleet of sandbox runners, chosen by configuration:
 * - `SANDBOX_RUNNER_REGISTRY=redis`: the runners that announce themselves in the Worker's Redis;
 * - `SANDBOX_RUNNER_URLS`: a configured list, each polled at `/healthz`;
 * - neither: no fleet; `SANDBOX_RUNNER_URL` alone is one runner used as before.
 * With either, projects wait in one line in Redis when every runner is full.
 */
import type { Redis } from '@upstash/redis/cloudflare';
import type { Bindings } from '../../env.ts';
import { redisClient } from '../../platform/deps.ts';
import { cachedDirectory, type RunnerDirectory, type RunnerState } from './directory.ts';
import { probeRunner, readList } from './list-directory.ts';
import type { RunnerVerdict } from './loss.ts';
import { PlacementQueue } from './queue.ts';
import { readRegistry } from './registry-directory.ts';

export interface Fleet {
  directory: RunnerDirectory;
  queue: PlacementQueue;
  /**
   * Whether the runner is still serving, checked now: its `/healthz` (a refused connection is known at
   * once), and with the registry its record (gone once it left).
   */
  verdict(runner: Pick<RunnerState, 'id' | 'url'>): Promise<RunnerVerdict>;
}

/** The configured runner URLs (comma-separated, blanks ignored). */
export function runnerUrls(env: Pick<Bindings, 'SANDBOX_RUNNER_URLS'>): string[] {
  return (env.SANDBOX_RUNNER_URLS ?? '')
    .split(',')
    .map((u) => u.trim())
    .filter((u) => u.length > 0);
}

/** Whether this Worker places projects on a fleet (else: the one `SANDBOX_RUNNER_URL`, if any). */
export function hasFleet(env: Pick<Bindings, 'SANDBOX_RUNNER_REGISTRY' | 'SANDBOX_RUNNER_URLS'>): boolean {
  return env.SANDBOX_RUNNER_REGISTRY === 'redis' || runnerUrls(env).length > 0;
}

/** Directories by configuration: one per isolate, so its cache is shared by the isolate's projects. */
const directories = new Map<string, RunnerDirectory>();

/** A plain `fetch` (workerd's must be called as a function, not a method). */
const plainFetch: typeof fetch = (input, init) => fetch(input, init);

/** The fleet this Worker is configured with, or null when it has none. */
export function fleetOf(env: Bindings, fetcher: typeof fetch = plainFetch): Fleet | null {
  if (!hasFleet(env)) return null;
  const redis = redisClient(env);
  const registry = env.SANDBOX_RUNNER_REGISTRY === 'redis';
  const urls = runnerUrls(env);
  const key = registry ? `registry\n${env.UPSTASH_REDIS_REST_URL}` : `list\n${urls.join(',')}`;
  let directory = directories.get(key);
  if (!directory) {
    // The directory's reads are the platform's, not a project's: they use the plain fetch.
    directory = cachedDirectory(() =>
      registry ? readRegistry(redis, Date.now()) : readList(urls, plainFetch),
    );
    if (directories.size >= 8) directories.clear();
    directories.set(key, directory);
  }
  return fleetOver({ redis, directory, registry, fetcher });
}

/** A fleet over its parts (the Worker's, or a benchmark's own). */
export function fleetOver(parts: {
  redis: Redis;
  directory: RunnerDirectory;
  /** The directory is the registry: a runner without a record has left. */
  registry: boolean;
  fetcher: typeof fetch;
}): Fleet {
  const { directory, registry, fetcher } = parts;
  return {
    directory,
    queue: new PlacementQueue(parts.redis),
    async verdict(runner) {
      const health = await probeRunner(runner.url, fetcher);
      if (!health) return 'lost';
      if (health.draining) return 'draining';
      if (!registry) return 'up';
      const listed = (await directory.runners({ fresh: true })).find((r) => r.id === runner.id);
      if (!listed) return 'lost';
      return listed.draining ? 'draining' : 'up';
    },
  };
}
