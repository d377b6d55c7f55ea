import { Ratelimit } from '@upstash/ratelimit';
import { Redis } from '@upstash/redis';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startUpstashBridge, type UpstashBridge } from './server.ts';
import { startTestRedisServer, type TestRedisServer } from './test-redis-server.ts';

const token = 'test-token';
/**
 * The windows of the time-based tests: long enough that a window's few requests all land in it on a busy
 * machine (with 1 s, a slow round trip let the refused request fall into the next window).
 */
const WINDOW_MS = 3_000;
/** Up to a window to wait for one to start, and up to two more until a refusal is over. */
const WINDOW_TEST_TIMEOUT_MS = 4 * WINDOW_MS + 10_000;
let redisServer: TestRedisServer;
let bridge: UpstashBridge;
let redis: Redis;

beforeAll(async () => {
  redisServer = await startTestRedisServer();
  bridge = await startUpstashBridge({ port: 0, redisUrl: redisServer.url, token });
  redis = new Redis({ url: bridge.url, token });
});

afterAll(async () => {
  await bridge?.close();
  await redisServer?.dispose();
});

beforeEach(async () => {
  await redis.flushall();
});

/** A limiter that always asks redis: the in-memory cache would answer "blocked" without the bridge. */
function limiter(algorithm: ConstructorParameters<typeof Ratelimit>[0]['limiter']): Ratelimit {
  return new Ratelimit({
    redis,
    limiter: algorithm,
    ephemeralCache: false,
    analytics: false,
    prefix: 'test',
  });
}

const sleepUntil = (epochMs: number): Promise<void> =>
  new Promise((resolve) => setTimeout(resolve, Math.max(0, epochMs - Date.now())));

/** Fixed and sliding windows are aligned on the clock: start just after a boundary so no test straddles one. */
const startOfNextWindow = (windowMs: number): Promise<void> =>
  sleepUntil(Math.ceil(Date.now() / windowMs) * windowMs + 20);

describe('@upstash/ratelimit through the bridge (EVAL/EVALSHA scripts)', () => {
  it(
    'fixedWindow: allows the limit, refuses the next request until the window resets',
    async () => {
      const ratelimit = limiter(Ratelimit.fixedWindow(3, `${WINDOW_MS} ms`));
      await startOfNextWindow(WINDOW_MS);
      const allowed = [];
      for (let i = 0; i < 3; i++) allowed.push(await ratelimit.limit('user-a'));
      expect(allowed.map((r) => [r.success, r.remaining])).toEqual([
        [true, 2],
        [true, 1],
        [true, 0],
      ]);

      const refused = await ratelimit.limit('user-a');
      expect(refused.success).toBe(false);
      expect(refused.remaining).toBe(0);
      expect(refused.limit).toBe(3);
      expect(refused.reset).toBeGreaterThan(Date.now());
      expect(refused.reset).toBeLessThanOrEqual(Date.now() + WINDOW_MS);
      expect((await ratelimit.limit('user-b')).success).toBe(true);

      await sleepUntil(refused.reset + 50);
      const recovered = await ratelimit.limit('user-a');
      expect(recovered.success).toBe(true);
      expect(recovered.remaining).toBe(2);
    },
    WINDOW_TEST_TIMEOUT_MS,
  );

  it('fixedWindow: getRemaining and resetUsedTokens see and clear the usage', async () => {
    const ratelimit = limiter(Ratelimit.fixedWindow(2, '60 s'));
    await ratelimit.limit('user-c');
    expect((await ratelimit.getRemaining('user-c')).remaining).toBe(1);
    await ratelimit.limit('user-c');
    expect((await ratelimit.limit('user-c')).success).toBe(false);

    await ratelimit.resetUsedTokens('user-c');
    const afterReset = await ratelimit.limit('user-c');
    expect(afterReset.success).toBe(true);
    expect(afterReset.remaining).toBe(1);
  });

  it(
    'slidingWindow: refuses over the limit and recovers once the previous window has slid out',
    async () => {
      const ratelimit = limiter(Ratelimit.slidingWindow(2, `${WINDOW_MS} ms`));
      await startOfNextWindow(WINDOW_MS);
      expect((await ratelimit.limit('user-d')).success).toBe(true);
      const second = await ratelimit.limit('user-d');
      expect([second.success, second.remaining]).toEqual([true, 0]);

      const refused = await ratelimit.limit('user-d');
      expect(refused.success).toBe(false);
      expect(refused.remaining).toBe(0);
      expect(refused.reset).toBeGreaterThan(Date.now());

      // The requests of the window that just ended still weigh on the next one: wait it out entirely.
      await sleepUntil(refused.reset + WINDOW_MS + 50);
      const recovered = await ratelimit.limit('user-d');
      expect(recovered.success).toBe(true);
      expect(recovered.remaining).toBe(1);
    },
    WINDOW_TEST_TIMEOUT_MS,
  );

  it(
    'tokenBucket: spends the bucket, refuses when empty, and refills over time',
    async () => {
      const ratelimit = limiter(Ratelimit.tokenBucket(1, `${WINDOW_MS} ms`, 2));
      const first = await ratelimit.limit('user-e');
      const second = await ratelimit.limit('user-e');
      expect([first.success, first.remaining, second.success, second.remaining]).toEqual([true, 1, true, 0]);

      const refused = await ratelimit.limit('user-e');
      expect(refused.success).toBe(false);
      expect(refused.remaining).toBe(0);
      expect(refused.reset).toBeGreaterThan(Date.now());

      await sleepUntil(refused.reset + 50);
      const refilled = await ratelimit.limit('user-e');
      expect(refilled.success).toBe(true);
      expect(refilled.remaining).toBe(0);
    },
    WINDOW_TEST_TIMEOUT_MS,
  );

  it('keeps working after redis-server forgets its cached scripts (NOSCRIPT, then EVAL)', async () => {
    const ratelimit = limiter(Ratelimit.fixedWindow(5, '60 s'));
    expect((await ratelimit.limit('user-f')).remaining).toBe(4);
    await redis.scriptFlush();
    expect((await ratelimit.limit('user-f')).remaining).toBe(3);
  });
});
