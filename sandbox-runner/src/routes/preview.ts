/**
 * `POST /v1/sandboxes/:id/previews {port}`: a link to one app port of the token's project sandbox, at
 * the preview's own origin (see preview/origins.ts), carrying a preview token once.
 * `POST /v1/sandboxes/:id/previews/check {port, path}`: the page check of that port (plugins/page-check.ts).
 */
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import type { PreviewInfo } from '../contract.ts';
import { CheckPreviewRequest, CreatePreviewRequest } from '../contract.ts';
import type { PreviewCheck } from '../contract.ts';
import { parseOr400 } from '../errors.ts';
import { PREVIEW_PARAM } from '../preview/access.ts';
import { signPreviewToken } from '../tokens.ts';
import type { IdParams } from './sandboxes.ts';

export async function previewApiRoutes(app: FastifyInstance): Promise<void> {
  app.post<{ Params: IdParams }>('/sandboxes/:id/previews', async (request, reply) => {
    const body = parseOr400(CreatePreviewRequest, request.body);
    const sandbox = app.sandboxes.running(request.projectId, request.params.id);
    const ttlSeconds = body.ttlSeconds ?? 3600;
    const token = await signPreviewToken(
      app.sandboxes.config.secret,
      { projectId: sandbox.projectId, sandboxId: sandbox.id, port: body.port },
      { ttlSeconds },
    );
    const origin = app.previews.origins.origin(sandbox.projectId, body.port);
    const info: PreviewInfo = {
      url: `${origin}/?${PREVIEW_PARAM}=${token}`,
      origin,
      token,
      expiresAt: new Date(Date.now() + ttlSeconds * 1000).toISOString(),
    };
    return reply.status(201).send(info);
  });

  app.post<{ Params: IdParams }>('/sandboxes/:id/previews/check', async (request) => {
    const body = parseOr400(CheckPreviewRequest, request.body);
    const sandbox = app.sandboxes.running(request.projectId, request.params.id);
    const token = await signPreviewToken(
      app.sandboxes.config.secret,
      { projectId: sandbox.projectId, sandboxId: sandbox.id, port: body.port },
      { ttlSeconds: 120 },
    );
    // The browser reaches the runner on loopback under a `*.localhost` name, whatever the preview domain.
    const hash = app.previews.origins.projectHash(sandbox.projectId);
    const port = (app.server.address() as AddressInfo).port;
    const url = `http://${hash}-${body.port}.localhost:${port}${body.path ?? '/'}`;
    const separator = url.includes('?') ? '&' : '?';
    const checked: PreviewCheck = await app.checkPreview(`${url}${separator}${PREVIEW_PARAM}=${token}`);
    sandbox.touch();
    return checked;
  });
}
