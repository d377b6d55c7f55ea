/**
 * `GET /healthz` (unauthenticated): 200 while the engine answers, the runner has started up (it may
 * start before its engine, see ../sandbox/deferred-start.ts) and is not draining; else 503 with
 * `Retry-After`. The body says which runner answers and how loaded it is, so a fleet's configured list
 * can be polled here (the Worker places sandboxes by `capacity`, `sandboxes` and `commands`).
 *
 * A draining runner answers 503 (not ready for new work) but is alive: liveness checks of an
 * orchestrator use bin/healthcheck.ts, which accepts it.
 */
import type { FastifyInstance } from 'fastify';
import type { HealthResponse } from '../contract.ts';
import { RETRY_AFTER_SECONDS } from '../plugins/errors.ts';

export async function healthRoutes(app: FastifyInstance): Promise<void> {
  app.get('/healthz', async (_request, reply) => {
    const up = await app.dockerUp();
    const sandboxes = app.sandboxes;
    const body: HealthResponse = {
      ok: up && sandboxes.unavailable === null && !sandboxes.draining,
      docker: up ? 'up' : 'down',
      sandboxes: sandboxes.count,
      pool: sandboxes.pool.size,
      draining: sandboxes.draining,
      runnerId: sandboxes.config.runnerId,
      capacity: sandboxes.config.maxSandboxes,
      commands: sandboxes.commands,
    };
    if (!body.ok) reply.header('retry-after', String(RETRY_AFTER_SECONDS));
    return reply.status(body.ok ? 200 : 503).send(body);
  });
}
