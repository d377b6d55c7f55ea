/**
 * The one place errors become responses: `{ error: { code, message, requestId } }`. Messages are shown
 * for 4xx, and for 503 (the runner's own words on what is unavailable); any other 5xx says "internal
 * error" and is logged with its cause. A 503 carries `Retry-After`: it is worth asking again soon.
 */
import type { FastifyError, FastifyInstance } from 'fastify';
import type { ErrorCode } from '../contract.ts';
import { ERROR_STATUS } from '../contract.ts';
import { RunnerError } from '../errors.ts';

/** `Retry-After` of a 503: a Docker engine coming back, or another runner taking over from one closing. */
export const RETRY_AFTER_SECONDS = 5;

function classify(err: FastifyError | RunnerError | Error): { code: ErrorCode; message: string } {
  if (err instanceof RunnerError) return { code: err.code, message: err.message };
  const fastifyCode = 'code' in err ? String(err.code) : '';
  if (fastifyCode === 'FST_ERR_CTP_BODY_TOO_LARGE')
    return { code: 'payload_too_large', message: 'request body too large' };
  const status = 'statusCode' in err && typeof err.statusCode === 'number' ? err.statusCode : 500;
  if (status >= 400 && status < 500) return { code: 'invalid_request', message: err.message };
  return { code: 'internal', message: 'internal error' };
}

/** Installs the error and not-found handlers on `app`. */
export function installErrorHandlers(app: FastifyInstance): void {
  app.setErrorHandler((err: FastifyError | Error, request, reply) => {
    const { code, message } = classify(err);
    const status = ERROR_STATUS[code];
    if (status === 500) request.log.error({ err }, 'request failed');
    else if (status > 500) request.log.warn({ code, reason: err.message }, 'request refused');
    const shown = status < 500 || (status === 503 && err instanceof RunnerError) ? message : 'internal error';
    if (status === 503) reply.header('retry-after', String(RETRY_AFTER_SECONDS));
    reply.status(status).send({ error: { code, message: shown, requestId: request.id } });
  });
  app.setNotFoundHandler((request, reply) => {
    reply.status(404).send({ error: { code: 'not_found', message: 'no such route', requestId: request.id } });
  });
}
