/**
 * `GET /healthz` (unauthenticated): 200 while the engine answers, the runner has started up (it may
 * start before its engine, see ../sandbox/deferred-start.ts) and is not draining; else 503 with
 * `Retry-After`.
 */
import type { FastifyInstance } from 'fastify';
import type { HealthResponse } from '../contract.ts';
import { RETRY_AFTER_SECONDS } from '../plugins/errors.ts';

export async function healthRoutes(app: FastifyInstance): Promise<void> {
  app.get('/healthz', async (_request, reply) => {
    const up = await app.dockerUp();
    const body: HealthResponse = {
      ok: up && app.sandboxes.unavailable === null && !app.sandboxes.draining,
      docker: up ? 'up' : 'down',
      sandboxes: app.sandboxes.count,
      pool: app.sandboxes.pool.size,
      draining: app.sandboxes.draining,
    };
    if (!body.ok) reply.header('retry-after', String(RETRY_AFTER_SECONDS));
    return reply.status(body.ok ? 200 : 503).send(body);
  });
}
