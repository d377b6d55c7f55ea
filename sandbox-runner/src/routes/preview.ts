/**
 * Previews: `POST /v1/sandboxes/:id/previews` mints a signed preview URL; `/preview/:id/:port/*` proxies
 * HTTP and WebSocket traffic to that port inside the sandbox (works with network policy `none`: the
 * traffic rides the agent's stream). Only a valid preview token for that sandbox and port gets through;
 * the first request carries it as `?sk_preview=`, the runner then sets it as a cookie scoped to the
 * preview path so the app's own requests (scripts, fetches, HMR socket) carry it too.
 */
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { CreatePreviewRequest } from '../contract.ts';
import type { PreviewInfo } from '../contract.ts';
import { parseOr400, RunnerError } from '../errors.ts';
import type { Sandbox } from '../sandbox/sandbox.ts';
import {
  PREVIEW_PARAM,
  previewToken,
  proxyHttp,
  proxyUpgrade,
  upstreamPath,
} from '../sandbox/preview-proxy.ts';
import { signPreviewToken, TokenError, verifyPreviewToken } from '../tokens.ts';
import type { IdParams } from './sandboxes.ts';

const PREVIEW_PATH = /^\/preview\/(sb_[a-z2-7]{20})\/(\d{1,5})(?=\/|$)/;

/** `/v1` part: mint a preview URL for a port of the token's project sandbox. */
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
    const info: PreviewInfo = {
      url: `${app.sandboxes.config.publicUrl ?? `${request.protocol}://${request.host}`}/preview/${sandbox.id}/${body.port}/?${PREVIEW_PARAM}=${token}`,
      token,
      expiresAt: new Date(Date.now() + ttlSeconds * 1000).toISOString(),
    };
    return reply.status(201).send(info);
  });
}

/** The proxy itself: an HTTP catch-all under `/preview/` and the server's `upgrade` event. */
export async function previewProxyRoutes(app: FastifyInstance): Promise<void> {
  const config = app.sandboxes.config;
  const secure = config.publicUrl?.startsWith('https:') ?? false;

  /** Authorizes a preview request; returns the sandbox, port and the path prefix. */
  async function authorize(req: IncomingMessage) {
    const url = new URL(req.url ?? '/', 'http://runner');
    const match = PREVIEW_PATH.exec(url.pathname);
    if (!match?.[1] || !match[2]) throw new RunnerError('not_found', 'no such preview');
    const sandboxId = match[1];
    const port = Number(match[2]);
    const { token, fromQuery } = previewToken(url, req.headers);
    if (!token) throw new RunnerError('unauthorized', 'a preview token is required');
    const claims = await verifyPreviewToken(config.secret, token).catch((err: unknown) => {
      if (err instanceof TokenError) throw new RunnerError(err.code, err.message, { cause: err });
      throw err;
    });
    if (claims.sandboxId !== sandboxId || claims.port !== port) {
      throw new RunnerError('unauthorized', 'the preview token is for another sandbox or port');
    }
    const sandbox: Sandbox | undefined = app.sandboxes.find(sandboxId);
    if (!sandbox || sandbox.projectId !== claims.projectId || !sandbox.running) {
      throw new RunnerError('sandbox_not_found', `no sandbox ${sandboxId}`);
    }
    sandbox.touch();
    const prefix = match[0];
    const cookie = fromQuery
      ? `${PREVIEW_PARAM}=${token}; Path=${prefix}/; HttpOnly; ${secure ? 'Secure; SameSite=None' : 'SameSite=Lax'}`
      : undefined;
    return { sandbox, port, prefix, path: upstreamPath(url, prefix), cookie };
  }

  await app.register(async (scope) => {
    // The body is streamed to the app untouched: no parsing, no body limit.
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', (_request, _payload, done) => done(null, undefined));
    const handler = async (request: FastifyRequest, reply: FastifyReply) => {
      const target = await authorize(request.raw);
      let tunnel;
      try {
        tunnel = await target.sandbox.session.connect(target.port);
      } catch (err) {
        app.metrics.previewRequests.inc({ kind: 'http', result: 'unreachable' });
        throw err;
      }
      app.metrics.previewRequests.inc({ kind: 'http', result: 'ok' });
      reply.hijack();
      proxyHttp(request.raw, reply.raw, tunnel, { ...target, setCookie: target.cookie });
    };
    scope.all('/preview/:id/:port', handler);
    scope.all('/preview/:id/:port/*', handler);
  });

  const upgraded = new Set<Duplex>();
  const refuse = (socket: Duplex, status: number, text: string) => {
    socket.end(`HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
  };
  app.server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', () => socket.destroy());
    authorize(req)
      .then(async (target) => {
        const tunnel = await target.sandbox.session.connect(target.port);
        upgraded.add(socket);
        socket.on('close', () => upgraded.delete(socket));
        app.metrics.previewRequests.inc({ kind: 'websocket', result: 'ok' });
        proxyUpgrade(req, socket, head, tunnel, target);
      })
      .catch((err: unknown) => {
        const status = err instanceof RunnerError ? err.status : 500;
        const result = status === 502 ? 'unreachable' : 'refused';
        app.metrics.previewRequests.inc({ kind: 'websocket', result });
        refuse(
          socket,
          status,
          status === 401 ? 'Unauthorized' : status === 404 ? 'Not Found' : 'Bad Gateway',
        );
      });
  });
  app.addHook('preClose', async () => {
    for (const socket of upgraded) socket.destroy();
  });
}
