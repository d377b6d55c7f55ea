/**
 * The project's published app (`/api/projects/:id/publish`): publish the current files as a new version,
 * read it (URL, status, versions), roll back to a kept version, follow its log, unpublish. The app runs
 * on the sandbox-runner as a deployment of its own, public at its own origin; these routes are the
 * owner's only (another user's project is a 404 like a missing one).
 */
import { createRoute, z } from '@hono/zod-openapi';
import type { DeploymentInfo } from '@samokoder/sandbox-runner/contract';
import type { Context } from 'hono';
import type { AuthedEnv } from '../env.ts';
import type { ProjectId } from '../ids.ts';
import { RunnerClient, RunnerError } from '../sandbox/client.ts';
import { deploymentTarget } from '../sandbox/fleet/deployment-runner.ts';
import { fleetOf } from '../sandbox/fleet/fleet.ts';
import { ApiError } from './errors.ts';
import { requireUser } from './middleware/require-user.ts';
import { ProjectIdParam, errors, json, jsonBody, newApi, signedIn } from './openapi.ts';
import { ownedObject } from './project-access.ts';
import { valueOf } from './refusal.ts';

/** Longest a log read waits for new output. */
const MAX_WAIT_MS = 20_000;
const RETRY_AFTER = { 'Retry-After': '5' };

const Version = z.object({
  version: z.number().int(),
  command: z.string(),
  port: z.number().int(),
  files: z.number().int(),
  createdAt: z.string(),
  ready: z.boolean().openapi({ description: 'Kept installed: rolling back to it is instant.' }),
});

const Publication = z
  .object({
    url: z.string().openapi({ description: "The app's public address (the same for every version)." }),
    status: z.enum(['starting', 'running', 'crashed']),
    message: z.string().nullable(),
    current: z.number().int(),
    versions: z.array(Version).openapi({ description: 'Newest first.' }),
    restarts: z.number().int().openapi({ description: 'Restarts after a crash of the current version.' }),
    dataDir: z
      .string()
      .openapi({ description: 'Where the app keeps data that survives restarts (DATA_DIR).' }),
  })
  .openapi('Publication');

const PublicationState = z
  .object({ publication: Publication.nullable() })
  .openapi('PublicationState', { description: '`publication` is null while the app is not published.' });

const PublicationLog = z
  .object({
    data: z.string(),
    offset: z.number().int(),
    nextOffset: z.number().int(),
    skippedBytes: z.number().int(),
  })
  .openapi('PublicationLog');

const publication = (info: DeploymentInfo): z.infer<typeof Publication> => ({
  url: info.url,
  status: info.status,
  message: info.message,
  current: info.current,
  versions: info.versions,
  restarts: info.restarts,
  dataDir: info.dataDir,
});

/** The runner's answer as the API's error: its refusals say what to do, its failures are a 503. */
function runnerFailure(err: unknown): ApiError {
  if (err instanceof RunnerError && err.status < 500 && err.status !== 429) {
    switch (err.code) {
      case 'deployment_not_found':
        return new ApiError(404, 'not_found', "This project's app is not published.");
      case 'version_not_found':
        return new ApiError(404, 'not_found', 'There is no such version.');
      case 'file_too_large':
      case 'payload_too_large':
        return new ApiError(413, 'payload_too_large', err.message);
      case 'publish_failed':
      case 'version_not_ready':
        return new ApiError(409, 'conflict', err.message);
    }
  }
  return new ApiError(503, 'dependency_unavailable', 'Publishing is not available right now.', {
    headers: RETRY_AFTER,
    cause: err,
  });
}

/** The runner client of a project; 503 without a runner. */
function runnerClient(c: Context<AuthedEnv>, id: ProjectId): RunnerClient {
  if (!c.env.SANDBOX_RUNNER_URL) {
    throw new ApiError(503, 'dependency_unavailable', 'Apps cannot run here: no sandbox-runner is set up.', {
      headers: RETRY_AFTER,
    });
  }
  return new RunnerClient({
    baseUrl: c.env.SANDBOX_RUNNER_URL,
    secret: c.env.SANDBOX_RUNNER_SECRET,
    projectId: id,
  });
}

/**
 * The runner client of the caller's own project's published app (404 when it is not theirs). In a fleet,
 * the runner it is published on (`place`: a publish may go to a new one); null when it is not published
 * anywhere; `moved` when its runner was lost and it must be published again on the new one.
 */
async function runnerOf(
  c: Context<AuthedEnv>,
  id: ProjectId,
  place = false,
): Promise<{ client: RunnerClient | null; moved: boolean; stub: Awaited<ReturnType<typeof ownedObject>> }> {
  const stub = await ownedObject(c, id);
  const fleet = fleetOf(c.env);
  if (!fleet) return { client: runnerClient(c, id), moved: false, stub };
  const target = await deploymentTarget(fleet, stub, place).catch((err: unknown) => {
    throw runnerFailure(err);
  });
  if (target.kind === 'full') {
    throw new ApiError(503, 'dependency_unavailable', 'Every sandbox runner is full: try again shortly.', {
      headers: RETRY_AFTER,
    });
  }
  if (target.kind === 'none') return { client: null, moved: false, stub };
  const client = new RunnerClient({
    baseUrl: target.url,
    secret: c.env.SANDBOX_RUNNER_SECRET,
    projectId: id,
  });
  return { client, moved: target.moved, stub };
}

/** The runner client of a published app; 404 when the app is published on no runner of the fleet. */
async function publishedOn(c: Context<AuthedEnv>, id: ProjectId): Promise<RunnerClient> {
  const { client } = await runnerOf(c, id);
  if (!client) throw new ApiError(404, 'not_found', "This project's app is not published.");
  return client;
}

/** Publishes the project's current files and start command on `client`'s runner. */
async function publishNow(
  stub: Awaited<ReturnType<typeof ownedObject>>,
  client: RunnerClient,
): Promise<DeploymentInfo> {
  let source;
  try {
    source = await stub.publishSource();
  } catch (err) {
    throw new ApiError(503, 'dependency_unavailable', 'The project cannot be read right now.', {
      headers: RETRY_AFTER,
      cause: err,
    });
  }
  const { files, command, port, install } = valueOf(source);
  return ask(() =>
    client.publish({ files, command, port, network: 'egress', ...(install ? { install } : {}) }),
  );
}

async function ask<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (err) {
    throw runnerFailure(err);
  }
}

const route = { security: signedIn, middleware: requireUser } as const;

const publish = createRoute({
  ...route,
  method: 'post',
  path: '/{id}/publish',
  summary: "Publish the project's app as it is now: a new version, live once it answers",
  request: { params: ProjectIdParam },
  responses: {
    201: json(Publication, 'The new version is live'),
    ...errors(401, 403, 404, 409, 413, 429, 503),
  },
});

const read = createRoute({
  ...route,
  method: 'get',
  path: '/{id}/publish',
  summary: "The project's published app: its address, status and versions",
  request: { params: ProjectIdParam },
  responses: { 200: json(PublicationState, 'The publication, or null'), ...errors(401, 404, 429, 503) },
});

const rollback = createRoute({
  ...route,
  method: 'post',
  path: '/{id}/publish/rollback',
  summary: 'Make a kept version live again (instant: it is still installed)',
  request: { params: ProjectIdParam, body: jsonBody(z.object({ version: z.number().int().min(1) })) },
  responses: { 200: json(Publication, 'The version is live'), ...errors(401, 403, 404, 409, 422, 429, 503) },
});

const logs = createRoute({
  ...route,
  method: 'get',
  path: '/{id}/publish/logs',
  summary: "The published app's output from an offset (every version and restart), long-polling up to waitMs",
  request: {
    params: ProjectIdParam,
    query: z.object({
      offset: z.coerce.number().int().min(0).optional(),
      waitMs: z.coerce.number().int().min(0).max(MAX_WAIT_MS).optional(),
    }),
  },
  responses: { 200: json(PublicationLog, 'Output'), ...errors(401, 404, 422, 429, 503) },
});

const unpublish = createRoute({
  ...route,
  method: 'delete',
  path: '/{id}/publish',
  summary: 'Stop the published app and free its address; its data is kept unless deleteData=true',
  request: {
    params: ProjectIdParam,
    query: z.object({ deleteData: z.enum(['true', 'false']).optional() }),
  },
  responses: { 204: { description: 'Unpublished' }, ...errors(401, 403, 404, 422, 429, 503) },
});

export const publishApi = newApi<AuthedEnv>()
  .openapi(publish, async (c) => {
    const { client, stub } = await runnerOf(c, c.req.valid('param').id, true);
    const info = await publishNow(stub, client!);
    c.header('Cache-Control', 'no-store');
    return c.json(publication(info), 201);
  })
  .openapi(read, async (c) => {
    const { client, moved, stub } = await runnerOf(c, c.req.valid('param').id);
    c.header('Cache-Control', 'no-store');
    if (!client) return c.json({ publication: null }, 200);
    // Its runner was lost: the app is published again, from the project's current files, on another.
    const info = moved ? await publishNow(stub, client) : await ask(() => client.deployment());
    return c.json({ publication: info ? publication(info) : null }, 200);
  })
  .openapi(rollback, async (c) => {
    const client = await publishedOn(c, c.req.valid('param').id);
    const info = await ask(() => client.rollbackDeployment(c.req.valid('json').version));
    return c.json(publication(info), 200);
  })
  .openapi(logs, async (c) => {
    const client = await publishedOn(c, c.req.valid('param').id);
    const { offset, waitMs } = c.req.valid('query');
    const read = await ask(() => client.deploymentLogs({ offset: offset ?? 0, waitMs: waitMs ?? 0 }));
    c.header('Cache-Control', 'no-store');
    return c.json(read, 200);
  })
  .openapi(unpublish, async (c) => {
    const { client, stub } = await runnerOf(c, c.req.valid('param').id);
    if (!client) return c.body(null, 204);
    await ask(() => client.unpublish(c.req.valid('query').deleteData === 'true'));
    // In a fleet, the object stops watching the app's runner (it would publish it again elsewhere).
    if (fleetOf(c.env)) await stub.forgetDeploymentRunner();
    return c.body(null, 204);
  });
