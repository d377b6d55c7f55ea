import { env } from 'cloudflare:workers';
import { createExecutionContext, waitOnExecutionContext } from 'cloudflare:test';
import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import { database } from '../src/api/middleware/database.ts';
import { app } from '../src/app.ts';
import type { AppEnv, Bindings } from '../src/env.ts';
import { connectionGate } from '../src/platform/deps.ts';
import { ORIGIN, errorOf } from './helpers/api.ts';
import { registerUser } from './helpers/users.ts';

/** Nothing listens on the discard port of loopback: a dependency there is down. */
const DOWN = '127.0.0.1:9';

/** Calls the Worker with some bindings changed; waits for what it left running (closing its connection). */
async function fetchWith(overrides: Partial<Bindings>, path: string, token: string): Promise<Response> {
  const ctx = createExecutionContext();
  const res = await app.fetch(
    new Request(`${ORIGIN}${path}`, { headers: { authorization: `Bearer ${token}` } }),
    { ...env, ...overrides },
    ctx,
  );
  await waitOnExecutionContext(ctx);
  return res;
}

async function expectUnavailable(res: Response): Promise<void> {
  expect(res.status).toBe(503);
  expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0);
  const error = await errorOf(res);
  expect(error.code).toBe('dependency_unavailable');
  expect(error.message).toMatch(/Try again/);
  // Nothing about where the dependency lives reaches the client.
  expect(JSON.stringify(error)).not.toContain('127.0.0.1');
}

describe('a dependency that is down', () => {
  it('answers 503 with Retry-After when the database cannot be reached (its proxy is down)', async () => {
    const user = await registerUser('deps-db');
    await expectUnavailable(await fetchWith({ NEON_WS_PROXY: DOWN }, '/api/projects', user.accessToken));
  });

  it('answers 503 with Retry-After when Redis cannot be reached', async () => {
    const user = await registerUser('deps-redis');
    await expectUnavailable(
      await fetchWith({ UPSTASH_REDIS_REST_URL: `http://${DOWN}` }, '/api/projects', user.accessToken),
    );
  });
});

describe('database connections', () => {
  it('queues a burst beyond the isolate bound: every request is answered, never more connections than the bound', async () => {
    const user = await registerUser('deps-burst');
    // The burst is about connections, not the per-user limit.
    const limits = JSON.stringify({ api: { limit: 1000, windowSeconds: 60 } });
    let mostActive = 0;
    let mostWaiting = 0;
    const sample = () => {
      mostActive = Math.max(mostActive, connectionGate.stats.active);
      mostWaiting = Math.max(mostWaiting, connectionGate.stats.waiting);
    };
    const sampler = setInterval(sample, 1);
    try {
      const burst = await Promise.all(
        Array.from({ length: 48 }, async () => {
          const res = await fetchWith({ RATE_LIMITS: limits }, '/api/projects', user.accessToken);
          sample();
          return res.status;
        }),
      );
      expect(burst).toEqual(Array.from({ length: 48 }, () => 200));
    } finally {
      clearInterval(sampler);
    }
    expect(mostWaiting, 'some requests waited for a connection').toBeGreaterThan(0);
    expect(mostActive).toBeLessThanOrEqual(8);
  });
});

describe('a route done with its database', () => {
  it('gives its connection back before it answers, and can open another', async () => {
    const route = new Hono<AppEnv>().use(database).get('/', async (c) => {
      await (await c.var.db()).execute('select 1');
      const holding = connectionGate.stats.active;
      c.var.releaseDb();
      // What follows (a Durable Object call, in the API) runs without a connection of this request.
      await new Promise((resolve) => setTimeout(resolve, 200));
      const afterRelease = connectionGate.stats.active;
      await (await c.var.db()).execute('select 1');
      return c.json({ holding, afterRelease, reopened: connectionGate.stats.active });
    });
    const ctx = createExecutionContext();
    const res = await route.fetch(new Request(`${ORIGIN}/`), env, ctx);
    await waitOnExecutionContext(ctx);
    expect(await res.json()).toEqual({ holding: 1, afterRelease: 0, reopened: 1 });
    expect(connectionGate.stats.active, 'closed once the response is sent').toBe(0);
  });
});
