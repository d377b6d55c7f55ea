import { OpenAPIHono, createRoute, z } from '@hono/zod-openapi';
import type { AppEnv, Bindings } from '../env.ts';
import { openDb, redisClient } from '../platform/deps.ts';
import { pingRunner } from '../sandbox/client.ts';
import { fleetOf } from '../sandbox/fleet/fleet.ts';

const PROBE_TIMEOUT_MS = 2500;

const Check = z.object({
  status: z.enum(['up', 'down']),
  latencyMs: z.number(),
  error: z.string().optional(),
});
type Check = z.infer<typeof Check>;

const Health = z
  .object({
    status: z.enum(['ok', 'degraded']),
    checks: z.object({ postgres: Check, redis: Check, sandboxRunner: Check }),
  })
  .openapi('Health');

/** Run a probe with a deadline; a failure is reported, never thrown. */
async function probe(run: () => Promise<unknown>): Promise<Check> {
  const started = Date.now();
  let timer: ReturnType<typeof setTimeout> | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${PROBE_TIMEOUT_MS} ms`)), PROBE_TIMEOUT_MS);
  });
  try {
    await Promise.race([run(), deadline]);
    return { status: 'up', latencyMs: Date.now() - started };
  } catch (err) {
    // Only the error's first line: driver messages can be long, never contain credentials here.
    const message = err instanceof Error ? err.message.split('\n')[0]!.slice(0, 200) : 'unreachable';
    return { status: 'down', latencyMs: Date.now() - started, error: message };
  } finally {
    clearTimeout(timer);
  }
}

async function probePostgres(env: Bindings, waitUntil: (p: Promise<unknown>) => void): Promise<void> {
  if (!env.DATABASE_URL) throw new Error('DATABASE_URL is not configured');
  const handle = await openDb(env);
  try {
    await handle.query('select 1');
  } finally {
    waitUntil(handle.close().catch(() => {}));
  }
}

async function probeRedis(env: Bindings): Promise<void> {
  if (!env.UPSTASH_REDIS_REST_URL) throw new Error('UPSTASH_REDIS_REST_URL is not configured');
  const pong = await redisClient(env).ping();
  if (pong !== 'PONG') throw new Error('unexpected PING reply');
}

async function probeRunner(env: Bindings): Promise<void> {
  const fleet = fleetOf(env);
  if (fleet) {
    // A fleet is up while one runner takes new sandboxes.
    const runners = await fleet.directory.runners({ fresh: true });
    if (!runners.some((r) => !r.draining)) throw new Error('no sandbox-runner of the fleet is up');
    return;
  }
  if (!env.SANDBOX_RUNNER_URL) throw new Error('SANDBOX_RUNNER_URL is not configured');
  await pingRunner(env.SANDBOX_RUNNER_URL);
}

const readiness = createRoute({
  method: 'get',
  path: '/',
  summary: 'Readiness: probes Postgres, Redis and the sandbox-runner',
  responses: {
    200: { description: 'Every dependency answered', content: { 'application/json': { schema: Health } } },
    503: { description: 'A dependency is down', content: { 'application/json': { schema: Health } } },
  },
});

const liveness = createRoute({
  method: 'get',
  path: '/live',
  summary: 'Liveness: answers without touching any dependency',
  responses: {
    200: {
      description: 'The Worker is serving',
      content: { 'application/json': { schema: z.object({ status: z.literal('ok') }) } },
    },
  },
});

/** `/api/health` (readiness, every dependency really probed) and `/api/health/live` (liveness). */
export const health = new OpenAPIHono<AppEnv>()
  .openapi(liveness, (c) => c.json({ status: 'ok' as const }, 200))
  .openapi(readiness, async (c) => {
    const waitUntil = (p: Promise<unknown>) => c.executionCtx.waitUntil(p);
    const [postgres, redis, sandboxRunner] = await Promise.all([
      probe(() => probePostgres(c.env, waitUntil)),
      probe(() => probeRedis(c.env)),
      probe(() => probeRunner(c.env)),
    ]);
    const checks = { postgres, redis, sandboxRunner };
    const allUp = Object.values(checks).every((check) => check.status === 'up');
    c.header('Cache-Control', 'no-store');
    return allUp
      ? c.json({ status: 'ok' as const, checks }, 200)
      : c.json({ status: 'degraded' as const, checks }, 503);
  });
