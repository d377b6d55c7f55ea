/** Create, list, get and destroy the token's project sandboxes. */
import type { FastifyInstance } from 'fastify';
import { CreateSandboxRequest } from '../contract.ts';
import type { ListSandboxesResponse, SandboxInfo } from '../contract.ts';
import { parseOr400 } from '../errors.ts';

/** `:id` route params. */
export interface IdParams {
  id: string;
}

export async function sandboxRoutes(app: FastifyInstance): Promise<void> {
  app.post('/sandboxes', async (request, reply) => {
    const body = parseOr400(CreateSandboxRequest, request.body ?? {});
    const sandbox = await app.sandboxes.create(request.projectId, body);
    const info: SandboxInfo = sandbox.info();
    if (sandbox.timing) void reply.header('server-timing', sandbox.timing.header());
    return reply.status(201).send(info);
  });

  app.get('/sandboxes', async (request) => {
    const body: ListSandboxesResponse = {
      sandboxes: app.sandboxes.list(request.projectId).map((s) => s.info()),
    };
    return body;
  });

  app.get<{ Params: IdParams }>('/sandboxes/:id', async (request) => {
    const info: SandboxInfo = app.sandboxes.get(request.projectId, request.params.id).info();
    return info;
  });

  app.delete<{ Params: IdParams }>('/sandboxes/:id', async (request, reply) => {
    await app.sandboxes.destroy(request.projectId, request.params.id);
    return reply.status(204).send();
  });
}
