/**
 * `/api/projects/:id/live` (the live channel) and `/api/projects/:id/live-ticket`.
 *
 * The Worker authenticates the viewer and checks that the project is theirs before the upgrade reaches
 * the project's Durable Object, which trusts what the Worker tells it. Two ways in:
 * - the session cookie, with an Origin the app serves (a WebSocket upgrade is a GET, so SameSite does
 *   not stop a cross-site page from opening one: the Origin check does);
 * - a one-time ticket (30 seconds, single use) for clients that cannot send cookies, from
 *   `POST /live-ticket`. Tickets are kept in Redis under their hash and taken with GETDEL, so a ticket
 *   works once even when two connections race with it.
 */
import { createRoute, z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { createMiddleware } from 'hono/factory';
import { validator } from 'hono/validator';
import { VIEWER_HEADER } from '../project-object/project-object.ts';
import { assertSameOrigin } from '../auth/origin.ts';
import type { AuthedEnv, Bindings } from '../env.ts';
import type { ProjectId } from '../ids.ts';
import { redisClient } from '../platform/deps.ts';
import { ApiError } from './errors.ts';
import { ownsProject, projectNotFound, withFacts } from './project-access.ts';
import { requireUser } from './middleware/require-user.ts';
import { ProjectIdParam, errors, json, newApi, signedIn } from './openapi.ts';

/** Lifetime of a live ticket. */
export const TICKET_TTL_SECONDS = 30;

/** The Redis key of a ticket: its hash, so what Redis holds cannot be used as a ticket. */
export async function ticketKey(ticket: string): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(ticket));
  return `sk:live-ticket:${btoa(String.fromCharCode(...new Uint8Array(digest)))}`;
}

function newTicket(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(32));
  return btoa(String.fromCharCode(...bytes))
    .replace(/\+/g, '-')
    .replace(/\//g, '_')
    .replace(/=+$/, '');
}

/** The user a ticket was issued to, if it is valid for this project; the ticket is spent either way. */
async function redeemTicket(env: Bindings, ticket: string, projectId: ProjectId): Promise<string> {
  const refused = () => new ApiError(401, 'unauthorized', 'The ticket is invalid, expired or already used.');
  if (!/^[A-Za-z0-9_-]{43}$/.test(ticket)) throw refused();
  let stored: { userId: string; projectId: string } | null;
  try {
    stored = await redisClient(env).getdel<{ userId: string; projectId: string }>(await ticketKey(ticket));
  } catch (err) {
    throw new ApiError(503, 'dependency_unavailable', 'Tickets cannot be checked right now.', { cause: err });
  }
  if (!stored || stored.projectId !== projectId) throw refused();
  return stored.userId;
}

/** Forwards the upgrade to the project's object as the given viewer. */
async function forward(c: Context<AuthedEnv>, userId: string, projectId: ProjectId): Promise<Response> {
  const target = new URL('https://project-object/live');
  const after = c.req.query('after');
  if (after !== undefined) target.searchParams.set('after', after);
  if (c.req.query('batch') === '1') target.searchParams.set('batch', '1');
  const res = await withFacts(
    c,
    projectId,
    // A fresh request: nothing the client sent (cookies, a forged viewer header) reaches the object.
    (stub) => stub.fetch(new Request(target, { headers: { upgrade: 'websocket', [VIEWER_HEADER]: userId } })),
    (answer) => answer.status === 409,
    userId,
  );
  if (res.status === 404) throw projectNotFound();
  if (!res.webSocket) throw new ApiError(500, 'internal', 'The live channel could not be opened.');
  // The object's response has immutable headers; the API's middleware adds its own (request id...).
  return new Response(null, { status: 101, webSocket: res.webSocket });
}

/**
 * The live route's project id, canonical: the upgrade is not an OpenAPI route, so it runs the same
 * parameter schema itself. Anything that is not a project id is a 404.
 */
const projectParam = validator('param', (value) => {
  const parsed = ProjectIdParam.safeParse(value);
  if (!parsed.success) throw projectNotFound();
  return parsed.data;
});

/** Checks the request is an upgrade for a project id; a ticket, when given, is the only credential. */
const viaTicket = createMiddleware<AuthedEnv, string, { out: { param: { id: ProjectId } } }>(
  async (c, next) => {
    const { id } = c.req.valid('param');
    if (c.req.header('upgrade')?.toLowerCase() !== 'websocket') {
      throw new ApiError(400, 'bad_request', 'The live channel is a WebSocket: send an upgrade request.');
    }
    const ticket = c.req.query('ticket');
    if (ticket === undefined) return next();
    return forward(c, await redeemTicket(c.env, ticket, id), id);
  },
);

const ticketRoute = createRoute({
  method: 'post',
  path: '/{id}/live-ticket',
  summary: 'A one-time ticket (30 s) to open the live channel without cookies',
  security: signedIn,
  middleware: requireUser,
  request: { params: ProjectIdParam },
  responses: {
    201: json(
      z.object({ ticket: z.string(), expiresIn: z.number().int(), url: z.string() }).openapi('LiveTicket'),
      'Use it once, within its lifetime: `GET url` with a WebSocket upgrade',
    ),
    ...errors(401, 403, 404, 429, 503),
  },
});

/** `/api/projects/:id/live` and `/api/projects/:id/live-ticket`. */
export const live = newApi<AuthedEnv>()
  .openapi(ticketRoute, async (c) => {
    const { id } = c.req.valid('param');
    if (!(await ownsProject(await c.var.db(), c.var.user.id, id))) throw projectNotFound();
    const ticket = newTicket();
    try {
      await redisClient(c.env).set(
        await ticketKey(ticket),
        { userId: c.var.user.id, projectId: id },
        { ex: TICKET_TTL_SECONDS },
      );
    } catch (err) {
      throw new ApiError(503, 'dependency_unavailable', 'Tickets cannot be issued right now.', {
        cause: err,
      });
    }
    c.header('Cache-Control', 'no-store');
    return c.json(
      { ticket, expiresIn: TICKET_TTL_SECONDS, url: `/api/projects/${id}/live?ticket=${ticket}` },
      201,
    );
  })
  .get('/:id/live', projectParam, viaTicket, requireUser, async (c) => {
    // An upgrade is a GET, which SameSite=Lax lets through from another site: the Origin must be ours.
    if (c.var.user.via === 'cookie') assertSameOrigin(c);
    return forward(c, c.var.user.id, c.req.valid('param').id);
  });
