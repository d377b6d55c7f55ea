/**
 * `POST /api/projects/{id}/control`: start, pause, resume, stop or skip a project's run over HTTP, the
 * same controls the live channel's `control` frame gives a browser, so an API client can run a project
 * without a WebSocket. Starting and resuming make the agents call models: they count against the
 * user's `llm` limit, like the live channel's.
 */
import { createRoute, z } from '@hono/zod-openapi';
import type { Outcome } from '../core/refusal.ts';
import type { AuthedEnv } from '../env.ts';
import { spendsOnLlm } from '../project-object/spending-limit.ts';
import { ControlAction, RunSnapshot } from '../protocol.ts';
import { requireUser } from './middleware/require-user.ts';
import { enforceLimit, setHeaders } from './middleware/rate-limit.ts';
import { ProjectIdParam, errors, json, jsonBody, newApi, signedIn } from './openapi.ts';
import { withFacts } from './project-access.ts';
import { valueOf } from './refusal.ts';

const ControlBody = z
  .strictObject({
    action: z.enum(ControlAction.options).openapi({
      description:
        '`start` a run that has not started (or resume one that has), `pause` it after the step in ' +
        'flight, `resume` it, `stop` it for good, or `skip` the current task.',
    }),
  })
  .openapi('RunControl');

const route = createRoute({
  method: 'post',
  path: '/{id}/control',
  summary: "Start, pause, resume, stop or skip the project's run",
  security: signedIn,
  middleware: requireUser,
  request: { params: ProjectIdParam, body: jsonBody(ControlBody) },
  responses: {
    200: json(z.object({ run: RunSnapshot }).openapi('RunControlled'), "The run's state after the control"),
    ...errors(400, 401, 403, 404, 409, 413, 415, 422, 429, 503),
  },
});

export const runControl = newApi<AuthedEnv>().openapi(route, async (c) => {
  const { id } = c.req.valid('param');
  const { action } = c.req.valid('json');
  if (spendsOnLlm({ type: 'control', action })) {
    setHeaders(c, await enforceLimit(c.env, 'llm', `user:${c.var.user.id}`, c.var.requestId));
  }
  const outcome = await withFacts(
    c,
    id,
    async (project): Promise<Outcome<RunSnapshot>> => {
      const controlled = await project.control(action);
      return controlled.ok ? { ok: true, value: await project.status() } : controlled;
    },
    (answer) => !answer.ok && answer.field === 'project',
  );
  const run = valueOf(outcome);
  c.header('Cache-Control', 'no-store');
  return c.json({ run }, 200);
});
