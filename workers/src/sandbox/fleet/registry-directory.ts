/**
 * The fleet directory read from the Redis registry (contract: `RunnerAnnouncement`, `REGISTRY_KEYS`):
 * the ids announced within the TTL, then their records; an id without a record is a runner that left.
 * Ids not announced for a minute are removed from the set (the runners' own records are long gone).
 */
import type { Redis } from '@upstash/redis/cloudflare';
import { REGISTRY_KEYS, REGISTRY_TTL_MS, RunnerAnnouncement } from '@samokoder/sandbox-runner/contract';
import type { RunnerState } from './directory.ts';

/** Ids older than this are dropped from the sorted set. */
const FORGET_AFTER_MS = 60_000;

/** Reads the runners up now from the registry. */
export async function readRegistry(redis: Redis, now: number): Promise<RunnerState[]> {
  const ids = await redis.zrange<string[]>(REGISTRY_KEYS.runners, now - REGISTRY_TTL_MS, '+inf', {
    byScore: true,
  });
  // Not waited for: housekeeping that any reader may do.
  void redis.zremrangebyscore(REGISTRY_KEYS.runners, 0, now - FORGET_AFTER_MS).catch(() => {});
  if (ids.length === 0) return [];
  const records = await redis.mget<unknown[]>(...ids.map((id) => REGISTRY_KEYS.runner(id)));
  const runners: RunnerState[] = [];
  for (const raw of records) {
    // The client parses JSON values itself; a string is a record it could not parse.
    const parsed = RunnerAnnouncement.safeParse(typeof raw === 'string' ? safeJson(raw) : raw);
    if (!parsed.success) continue;
    const { id, url, capacity, sandboxes, commands, draining } = parsed.data;
    runners.push({ id, url, capacity, sandboxes, commands, draining });
  }
  return runners;
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}
