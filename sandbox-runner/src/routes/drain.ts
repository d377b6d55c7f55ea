/**
 * An operator's drain (operator token only, see ../plugins/auth.ts):
 *
 *   POST   /v1/drain  -> DrainResponse: no new sandboxes (creates answer 503 `runner_draining`), running
 *                        commands finish, existing sandboxes keep working until the Worker moves their
 *                        projects; `/healthz` says `draining`.
 *   DELETE /v1/drain  -> DrainResponse: takes new sandboxes again (503 `shutting_down` once shutting down).
 *
 * Both are idempotent. Taking the runner away afterwards is the orchestrator's (SIGTERM drains too).
 */
import type { FastifyInstance } from 'fastify';
import type { DrainResponse } from '../contract.ts';

export async function drainRoutes(app: FastifyInstance): Promise<void> {
  app.addHook('onRequest', app.authenticateOperator);
  const state = (): DrainResponse => ({
    runnerId: app.sandboxes.config.runnerId,
    draining: app.sandboxes.draining,
    sandboxes: app.sandboxes.count,
    commands: app.sandboxes.commands,
  });
  app.post('/v1/drain', async () => {
    app.sandboxes.setDraining(true);
    return state();
  });
  app.delete('/v1/drain', async () => {
    app.sandboxes.setDraining(false);
    return state();
  });
}
