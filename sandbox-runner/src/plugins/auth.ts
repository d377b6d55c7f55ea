/**
 * Bearer-token authentication: `app.authenticate` is an onRequest hook that verifies the runner token
 * (HS256, audience `sandbox-runner`) and sets `request.projectId` from its subject.
 */
import type { FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { RunnerError } from '../errors.ts';
import { TokenError, verifyRunnerToken } from '../tokens.ts';

declare module 'fastify' {
  interface FastifyInstance {
    authenticate(request: FastifyRequest): Promise<void>;
  }
  interface FastifyRequest {
    /** The project of the verified token; set by `authenticate`. */
    projectId: string;
  }
}

export const authPlugin = fp<{ secret: string; maxTokenTtlSeconds: number }>(
  async (app, opts) => {
    app.decorateRequest('projectId', '');
    app.decorate('authenticate', async (request: FastifyRequest) => {
      const header = request.headers.authorization;
      const match = header ? /^Bearer\s+(\S+)$/i.exec(header) : null;
      if (!match?.[1]) throw new RunnerError('unauthorized', 'a bearer token is required');
      try {
        const { projectId } = await verifyRunnerToken(opts.secret, match[1], opts.maxTokenTtlSeconds);
        request.projectId = projectId;
      } catch (err) {
        if (err instanceof TokenError) throw new RunnerError(err.code, err.message, { cause: err });
        throw err;
      }
    });
  },
  { name: 'auth', fastify: '5.x' },
);
