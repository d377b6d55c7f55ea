/**
 * Bearer-token authentication: `app.authenticate` is an onRequest hook that verifies the runner token
 * (HS256, audience `sandbox-runner`) and sets `request.projectId` from its subject;
 * `app.authenticateOperator` admits only an operator token (subject `operator`). Each refuses the
 * other's token with 403: an operator does not act for a project, a project cannot drain a runner.
 */
import type { FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { RunnerError } from '../errors.ts';
import { TokenError, verifyApiToken } from '../tokens.ts';

declare module 'fastify' {
  interface FastifyInstance {
    authenticate(request: FastifyRequest): Promise<void>;
    authenticateOperator(request: FastifyRequest): Promise<void>;
  }
  interface FastifyRequest {
    /** The project of the verified token; set by `authenticate`. */
    projectId: string;
  }
}

export const authPlugin = fp<{ secret: string; maxTokenTtlSeconds: number }>(
  async (app, opts) => {
    app.decorateRequest('projectId', '');
    const verify = async (request: FastifyRequest) => {
      const header = request.headers.authorization;
      const match = header ? /^Bearer\s+(\S+)$/i.exec(header) : null;
      if (!match?.[1]) throw new RunnerError('unauthorized', 'a bearer token is required');
      try {
        return await verifyApiToken(opts.secret, match[1], opts.maxTokenTtlSeconds);
      } catch (err) {
        if (err instanceof TokenError) throw new RunnerError(err.code, err.message, { cause: err });
        throw err;
      }
    };
    app.decorate('authenticate', async (request: FastifyRequest) => {
      const token = await verify(request);
      if (token.operator)
        throw new RunnerError('permission_denied', 'an operator token does not act for a project');
      request.projectId = token.projectId;
    });
    app.decorate('authenticateOperator', async (request: FastifyRequest) => {
      const token = await verify(request);
      if (!token.operator) throw new RunnerError('permission_denied', 'this call needs an operator token');
    });
  },
  { name: 'auth', fastify: '5.x' },
);
