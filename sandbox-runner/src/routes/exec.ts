/**
 * `POST /v1/sandboxes/:id/exec`: runs a command and streams NDJSON (one ExecEvent per line) as it runs.
 * Errors before the command starts are ordinary JSON error responses; after that, the stream ends with
 * an `exit` or `error` line. A client that disconnects kills every process the command started.
 */
import { PassThrough } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import { ExecRequest } from '../contract.ts';
import type { ExecEvent } from '../contract.ts';
import { parseOr400 } from '../errors.ts';
import type { IdParams } from './sandboxes.ts';

export async function execRoutes(app: FastifyInstance): Promise<void> {
  app.post<{ Params: IdParams }>('/sandboxes/:id/exec', async (request, reply) => {
    const body = parseOr400(ExecRequest, request.body);
    const sandbox = app.sandboxes.running(request.projectId, request.params.id);
    const out = new PassThrough();
    let ended = false;
    const emit = (event: ExecEvent) => {
      if (ended) return;
      out.write(`${JSON.stringify(event)}\n`);
      if (event.type === 'exit' || event.type === 'error') {
        ended = true;
        out.end();
      }
    };
    const run = await app.sandboxes.exec(sandbox, body, emit);
    reply.raw.on('close', () => {
      if (!ended) run.kill('SIGKILL');
    });
    return reply
      .header('content-type', 'application/x-ndjson; charset=utf-8')
      .header('cache-control', 'no-store')
      .header('x-accel-buffering', 'no') // tell reverse proxies not to buffer the stream
      .send(out);
  });
}
