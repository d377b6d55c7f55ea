/**
 * The token's project's published app: publish a version, read it, roll back to a kept version, read
 * its log, unpublish. The app itself answers at its public origin (../preview/router.ts).
 */
import type { FastifyInstance } from 'fastify';
import { DeploymentLogsQuery, PublishRequest, RollbackRequest, UnpublishQuery } from '../contract.ts';
import type { DeploymentInfo } from '../contract.ts';
import { parseOr400 } from '../errors.ts';

export async function deploymentRoutes(app: FastifyInstance): Promise<void> {
  app.post('/deployment', async (request, reply) => {
    const body = parseOr400(PublishRequest, request.body);
    const info: DeploymentInfo = await app.deployments.publish(request.projectId, body);
    return reply.status(201).send(info);
  });

  app.get('/deployment', async (request) => {
    const info: DeploymentInfo = app.deployments.get(request.projectId).info();
    return info;
  });

  app.post('/deployment/rollback', async (request) => {
    const body = parseOr400(RollbackRequest, request.body);
    const info: DeploymentInfo = await app.deployments.rollback(request.projectId, body.version);
    return info;
  });

  app.get('/deployment/logs', async (request) => {
    const query = parseOr400(DeploymentLogsQuery, request.query, 'query');
    return app.deployments.logs(
      request.projectId,
      query.offset ?? 0,
      query.limit ?? 256 * 1024,
      query.waitMs ?? 0,
    );
  });

  app.delete('/deployment', async (request, reply) => {
    const query = parseOr400(UnpublishQuery, request.query, 'query');
    await app.deployments.unpublish(request.projectId, query.data ?? false);
    return reply.status(204).send();
  });
}
