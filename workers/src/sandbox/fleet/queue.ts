/**
 * The line of projects waiting for a sandbox when every runner is full: a Redis sorted set by the time
 * each joined (first come, first placed), and a short-lived "still waiting" key per project that it
 * renews while it waits. A project whose key expired (its object went away) is dropped by whoever reads
 * the line next; one that gives up, gets placed or is deleted leaves at once.
 */
import type { Redis } from '@upstash/redis/cloudflare';

const LINE = 'samokoder:placement-queue';
const waiting = (projectId: string) => `samokoder:placement-queue:${projectId}`;
/** A waiting project renews its key well within this (it polls every second or so). */
const WAITING_TTL_MS = 30_000;

export class PlacementQueue {
  private readonly redis: Redis;

  constructor(redis: Redis) {
    this.redis = redis;
  }

  /**
   * Joins the line (keeping the place a project already has) and says where it stands: 1 is the head.
   * Projects ahead that stopped waiting are removed on the way.
   */
  async position(projectId: string, now: number): Promise<number> {
    const joined = this.redis.pipeline();
    joined.zadd(LINE, { nx: true }, { score: now, member: projectId });
    joined.set(waiting(projectId), '1', { px: WAITING_TTL_MS });
    joined.zrank(LINE, projectId);
    const [, , rank] = await joined.exec<[number | null, string, number | null]>();
    if (rank === null || rank === 0) return 1;
    const ahead = await this.redis.zrange<string[]>(LINE, 0, rank - 1);
    const alive = await this.redis.mget<(string | null)[]>(...ahead.map(waiting));
    const gone = ahead.filter((_, i) => alive[i] === null);
    if (gone.length > 0) await this.redis.zrem(LINE, ...gone);
    return ahead.length - gone.length + 1;
  }

  /** Projects in line (0: nobody waits, a newcomer with room goes straight ahead). */
  length(): Promise<number> {
    return this.redis.zcard(LINE);
  }

  /** Leaves the line (placed, gave up, or deleted). */
  async leave(projectId: string): Promise<void> {
    const left = this.redis.pipeline();
    left.zrem(LINE, projectId);
    left.del(waiting(projectId));
    await left.exec();
  }
}
