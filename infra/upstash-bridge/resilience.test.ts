import { Redis } from '@upstash/redis';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startUpstashBridge, type UpstashBridge } from './server.ts';
import { freePort, startTestRedisServer, type TestRedisServer } from './test-redis-server.ts';

const token = 'test-token';
let redisServer: TestRedisServer;
let bridge: UpstashBridge;
let redis: Redis;

beforeEach(async () => {
  redisServer = await startTestRedisServer();
  bridge = await startUpstashBridge({ port: 0, redisUrl: redisServer.url, token, requestTimeoutMs: 700 });
  redis = new Redis({ url: bridge.url, token });
});

afterEach(async () => {
  redisServer?.resume();
  await bridge?.close();
  await redisServer?.dispose();
});

/** Awaits a promise and reports how long it took, whether it resolved or rejected. */
async function timed(promise: Promise<unknown>): Promise<{ ms: number; error: unknown }> {
  const started = Date.now();
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  return { ms: Date.now() - started, error };
}

describe('the bridge when redis-server goes away', () => {
  it('fails fast with a clean error while redis is down, then recovers after a restart', async () => {
    await redis.set('before', 'x');
    await redisServer.stop();

    const down = await timed(redis.get('before'));
    expect(String(down.error)).toMatch(/ERR redis unavailable/);
    expect(down.ms).toBeLessThan(2_000);
    await expect(redis.pipeline().set('a', 1).get('a').exec()).rejects.toThrow(/ERR redis unavailable/);
    await expect(redis.multi().set('a', 1).exec()).rejects.toThrow(/ERR redis unavailable/);

    await redisServer.start();
    expect(await redis.set('after', 'y')).toBe('OK');
    expect(await redis.get('after')).toBe('y');
  });

  it('answers 503 with Upstash’s error body while redis is down', async () => {
    await redisServer.stop();
    const response = await fetch(bridge.url, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}` },
      body: JSON.stringify(['GET', 'k']),
    });
    expect(response.status).toBe(503);
    expect(await response.json()).toEqual({ error: expect.stringMatching(/^ERR redis unavailable/) });
  });

  it('times out instead of hanging when redis stops answering, and recovers when it answers again', async () => {
    await redis.set('k', 'v');
    redisServer.pause();
    const hung = await timed(redis.get('k'));
    expect(String(hung.error)).toMatch(/ERR redis did not answer within 700 ms/);
    expect(hung.ms).toBeLessThan(2_000);

    redisServer.resume();
    expect(await redis.get('k')).toBe('v');
  });

  it('starts before redis-server exists and serves once it is up', async () => {
    const port = await freePort();
    const early = await startUpstashBridge({ port: 0, redisUrl: `redis://127.0.0.1:${port}`, token });
    let late: TestRedisServer | undefined;
    try {
      const client = new Redis({ url: early.url, token });
      await expect(client.ping()).rejects.toThrow(/ERR redis unavailable/);
      late = await startTestRedisServer({ port });
      expect(await client.ping()).toBe('PONG');
    } finally {
      await early.close();
      await late?.dispose();
    }
  });

  it('closes while a client still holds a keep-alive connection', async () => {
    await redis.set('k', 'v');
    const closed = await timed(bridge.close());
    expect(closed.error).toBeUndefined();
    expect(closed.ms).toBeLessThan(2_000);
  });
});
