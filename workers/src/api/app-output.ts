/**
 * `GET /api/projects/:id/app/output`: what the project's running app prints (its own terminal in the
 * preview pane), from an offset, long-polling up to `waitMs` for more. Read from the sandbox-runner
 * directly: following the app's output does not wake the project's Durable Object (in a fleet of runners,
 * it is asked only which runner holds the sandbox).
 */
import { createRoute, z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import type { AuthedEnv } from '../env.ts';
import type { ProjectId } from '../ids.ts';
import { projectStub } from '../project-object/stub.ts';
import { hasFleet } from '../sandbox/fleet/fleet.ts';
import { readAppOutput } from '../sandbox/app-output.ts';
import { RunnerClient } from '../sandbox/client.ts';
import { ApiError } from './errors.ts';
import { ownsProject, projectNotFound } from './project-access.ts';
import { requireUser } from './middleware/require-user.ts';
import { ProjectIdParam, errors, json, newApi, signedIn } from './openapi.ts';

/** Longest a request waits for new output. */
const MAX_WAIT_MS = 20_000;

const AppOutput = z
  .object({
    process: z
      .object({
        id: z.string(),
        status: z.enum(['running', 'exited']),
        exitCode: z.number().int().nullable(),
        signal: z.string().nullable(),
        startedAt: z.string(),
        endedAt: z.string().nullable(),
      })
      .nullable()
      .openapi({ description: 'The app process; null when no app is running.' }),
    data: z.string(),
    offset: z.number().int(),
    nextOffset: z.number().int(),
    skippedBytes: z.number().int(),
  })
  .openapi('AppOutput');

const Query = z.object({
  process: z
    .string()
    .regex(/^p[0-9]{1,9}$/)
    .optional()
    .openapi({ description: 'The process followed so far (another one starts at 0).' }),
  offset: z.coerce.number().int().min(0).optional(),
  waitMs: z.coerce.number().int().min(0).max(MAX_WAIT_MS).optional(),
});

const route = createRoute({
  method: 'get',
  path: '/{id}/app/output',
  summary: "The running app's output (stdout and stderr), from an offset",
  security: signedIn,
  middleware: requireUser,
  request: { params: ProjectIdParam, query: Query },
  responses: { 200: json(AppOutput, 'Output and the process state'), ...errors(401, 404, 422, 429, 503) },
});

/** The runner that holds the project's sandbox: its placement in a fleet, else SANDBOX_RUNNER_URL. */
async function runnerOfSandbox(c: Context<AuthedEnv>, id: ProjectId): Promise<string | null> {
  if (!hasFleet(c.env)) return c.env.SANDBOX_RUNNER_URL || null;
  c.var.releaseDb();
  try {
    return await projectStub(c.env, id).sandboxRunner();
  } catch (err) {
    throw new ApiError(503, 'dependency_unavailable', "The app's output cannot be read right now.", {
      cause: err,
    });
  }
}

export const appOutput = newApi<AuthedEnv>().openapi(route, async (c) => {
  const { id } = c.req.valid('param');
  if (!(await ownsProject(await c.var.db(), c.var.user.id, id))) throw projectNotFound();
  c.header('Cache-Control', 'no-store');
  const baseUrl = await runnerOfSandbox(c, id);
  if (!baseUrl) {
    return c.json({ process: null, data: '', offset: 0, nextOffset: 0, skippedBytes: 0 }, 200);
  }
  const client = new RunnerClient({
    baseUrl,
    secret: c.env.SANDBOX_RUNNER_SECRET,
    projectId: id,
  });
  try {
    return c.json(await readAppOutput(client, c.req.valid('query')), 200);
  } catch (err) {
    throw new ApiError(503, 'dependency_unavailable', "The app's output cannot be read right now.", {
      cause: err,
    });
  }
});
