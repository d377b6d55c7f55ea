/** `GET /healthz` (unauthenticated): 200 while the engine answers and the runner is not draining. */
import type { FastifyInstance } from 'fastify';
import type { HealthResponse } from '../contract.ts';

export async function healthRoutes(app: FastifyInstance): Promise<void> {
  app.get('/healthz', async (_request, reply) => {
    const up = await app.dockerUp();
    const body: HealthResponse = {
      ok: up && !app.sandboxes.draining,
      docker: up ? 'up' : 'down',
      sandboxes: app.sandboxes.count,
      pool: app.sandboxes.pool.size,
      draining: app.sandboxes.draining,
    };
    return reply.status(body.ok ? 200 : 503).send(body);
  });
}
