import { createRoute, type z } from '@hono/zod-openapi';
import type { Database } from '@samokoder/db';
import type { Context } from 'hono';
import { loadKeyRing } from '../crypto/key-ring.ts';
import type { AuthedEnv } from '../env.ts';
import {
  deleteRemote,
  getRemote,
  openRemote,
  recordCheck,
  saveRemote,
} from '../git/remote/connection-store.ts';
import { discoverRefs } from '../git/remote/discovery.ts';
import { RemoteError } from '../git/remote/errors.ts';
import { fullRef } from '../git/remote/fetch-ref.ts';
import { checkRemoteUrl, isBranchName } from '../git/remote/remote-url.ts';
import type { ProjectId } from '../ids.ts';
import { isLocalEnvironment } from '../keys/endpoints.ts';
import { describeError, log } from '../platform/logger.ts';
import { ApiError } from './errors.ts';
import type { RemoteFailure, RemoteOutcome, RemoteTarget } from '../project-object/remote-sync.ts';
import { projectStub } from '../project-object/stub.ts';
import {
  PullResult,
  PushResult,
  RemoteCheck,
  RemoteState,
  Remote,
  SaveRemoteBody,
} from './git-remote-schemas.ts';
import { refusalError } from './refusal.ts';
import { limitByUser } from './middleware/rate-limit.ts';
import { requireUser } from './middleware/require-user.ts';
import { ProjectIdParam, errors, json, jsonBody, newApi, signedIn, stack } from './openapi.ts';
import { ownsProject, projectNotFound, type ProjectStub } from './project-access.ts';

const noRemote = () => new ApiError(409, 'conflict', 'Connect a repository first.');
const invalid = (path: string, message: string) =>
  new ApiError(422, 'validation_failed', 'Some fields are not valid.', { fields: [{ path, message }] });

const read = createRoute({
  method: 'get',
  path: '/{id}/remote',
  summary: "The project's remote repository (never its token)",
  security: signedIn,
  middleware: requireUser,
  request: { params: ProjectIdParam },
  responses: { 200: json(RemoteState, 'The connection, or null'), ...errors(401, 404, 429) },
});

const save = createRoute({
  method: 'put',
  path: '/{id}/remote',
  summary:
    'Connect the project to a remote repository, or change the connection; the token is encrypted at rest',
  security: signedIn,
  middleware: requireUser,
  request: { params: ProjectIdParam, body: jsonBody(SaveRemoteBody) },
  responses: {
    200: json(Remote, 'Updated'),
    201: json(Remote, 'Connected'),
    ...errors(400, 401, 403, 404, 413, 415, 422, 429),
  },
});

const remove = createRoute({
  method: 'delete',
  path: '/{id}/remote',
  summary: 'Disconnect the remote repository (its token is deleted)',
  security: signedIn,
  middleware: requireUser,
  request: { params: ProjectIdParam },
  responses: { 204: { description: 'Disconnected' }, ...errors(401, 403, 404, 429) },
});

const check = createRoute({
  method: 'post',
  path: '/{id}/remote/check',
  summary: 'Test the connection: read the remote’s branches with the stored token',
  security: signedIn,
  middleware: stack(requireUser, limitByUser('api')),
  request: { params: ProjectIdParam },
  responses: { 200: json(RemoteCheck, 'The outcome, working or not'), ...errors(401, 403, 404, 409, 429) },
});

const historyRoute = <A extends 'push' | 'pull', R extends z.ZodType>(action: A, result: R) =>
  createRoute({
    method: 'post',
    path: `/{id}/remote/${action}` as `/{id}/remote/${A}`,
    summary:
      action === 'push'
        ? "Push the project's current branch to the remote (fast-forward only; a remote that moved is rejected)"
        : "Pull the remote branch in as a user's step; a conflict is answered, and nothing is changed",
    security: signedIn,
    middleware: stack(requireUser, limitByUser('api')),
    request: { params: ProjectIdParam },
    responses: {
      200: json(result, action === 'push' ? 'What became of the push' : 'What became of the pull'),
      ...errors(401, 404, 409, 422, 429, 503),
    },
  });

/** How long to wait before trying a remote again that could not be reached. */
const REMOTE_RETRY_AFTER_SECONDS = '30';

/** The API error of a remote that could not be used: the token or URL at fault, or the remote down. */
function remoteFailureError(failure: RemoteFailure): ApiError {
  switch (failure.kind) {
    case 'auth':
      return new ApiError(422, 'validation_failed', failure.message, {
        fields: [{ path: 'token', message: failure.message }],
      });
    case 'not_found':
      return new ApiError(422, 'validation_failed', failure.message, {
        fields: [{ path: 'url', message: failure.message }],
      });
    case 'unavailable':
    case 'protocol':
      return new ApiError(503, 'dependency_unavailable', failure.message, {
        headers: { 'Retry-After': REMOTE_RETRY_AFTER_SECONDS },
      });
  }
}

/**
 * Runs a push or pull in the project's object with the connection's token opened here (the object
 * uses it for this call only and never stores it), and maps what it answers.
 */
async function withRemote<T>(
  c: Context<AuthedEnv>,
  id: ProjectId,
  action: (stub: ProjectStub, target: RemoteTarget) => Promise<RemoteOutcome<T>>,
): Promise<T> {
  const db = await c.var.db();
  await owned(db, c.var.user.id, id);
  const remote = await openRemote(db, await loadKeyRing(c.env.KEYS_MASTER_KEY), c.var.user.id, id);
  if (!remote) throw noRemote();
  // The remote may be slow: the database connection is not held while it answers.
  c.var.releaseDb();
  const outcome = await action(projectStub(c.env, id), {
    url: remote.url,
    token: remote.token,
    branch: remote.branch,
  });
  if (outcome.ok) return outcome.value;
  if (outcome.code !== 'remote') throw refusalError(outcome);
  log.info('remote push or pull failed', {
    requestId: c.var.requestId,
    projectId: id,
    kind: outcome.kind,
  });
  throw remoteFailureError(outcome);
}

/** The caller's project, or a 404 (another user's project looks missing). */
async function owned(db: Database, userId: string, id: ProjectId): Promise<void> {
  if (!(await ownsProject(db, userId, id))) throw projectNotFound();
}

/** `/api/projects/{id}/remote`: the project's remote repository. */
export const gitRemote = newApi<AuthedEnv>()
  .openapi(read, async (c) => {
    const { id } = c.req.valid('param');
    const db = await c.var.db();
    await owned(db, c.var.user.id, id);
    c.header('Cache-Control', 'no-store');
    return c.json({ remote: await getRemote(db, c.var.user.id, id) }, 200);
  })
  .openapi(save, async (c) => {
    const { id } = c.req.valid('param');
    const body = c.req.valid('json');
    const url = checkRemoteUrl(body.url, isLocalEnvironment(c.env.APP_ENV));
    if (!url.ok) throw invalid('url', url.message);
    const branch = body.branch || 'main';
    if (!isBranchName(branch)) throw invalid('branch', 'Not a branch name git accepts.');
    const db = await c.var.db();
    await owned(db, c.var.user.id, id);
    const saved = await saveRemote(db, await loadKeyRing(c.env.KEYS_MASTER_KEY), c.var.user.id, id, {
      url: url.url,
      branch,
      pushAfterTask: body.pushAfterTask ?? false,
      token: body.token ?? null,
    });
    if (saved === 'token_required') {
      throw invalid('token', 'Enter the access token for this repository.');
    }
    return c.json(saved.view, saved.created ? 201 : 200);
  })
  .openapi(remove, async (c) => {
    const { id } = c.req.valid('param');
    const db = await c.var.db();
    await owned(db, c.var.user.id, id);
    if (!(await deleteRemote(db, c.var.user.id, id)))
      throw new ApiError(404, 'not_found', 'No repository is connected.');
    return c.body(null, 204);
  })
  .openapi(check, async (c) => {
    const { id } = c.req.valid('param');
    const db = await c.var.db();
    await owned(db, c.var.user.id, id);
    const remote = await openRemote(db, await loadKeyRing(c.env.KEYS_MASTER_KEY), c.var.user.id, id);
    if (!remote) throw noRemote();
    // The remote may be slow: the database connection is not held while it answers.
    c.var.releaseDb();
    let outcome: { result: 'ok' | RemoteError['kind']; message: string; branches: string[] };
    try {
      const advertised = await discoverRefs({ url: remote.url, token: remote.token }, 'git-receive-pack');
      const branches = [...advertised.refs.keys()]
        .filter((ref) => ref.startsWith('refs/heads/'))
        .map((ref) => ref.slice('refs/heads/'.length));
      const exists = advertised.refs.has(fullRef(remote.branch));
      outcome = {
        result: 'ok',
        branches,
        message: exists
          ? `Connected: the token can push, and ${remote.branch} is there.`
          : `Connected: the token can push; ${remote.branch} will be created by the first push.`,
      };
    } catch (err) {
      if (!(err instanceof RemoteError)) throw err;
      log.info('remote check failed', {
        requestId: c.var.requestId,
        projectId: id,
        kind: err.kind,
        ...describeError(err),
      });
      outcome = { result: err.kind, branches: [], message: err.message };
    }
    const view = await recordCheck(await c.var.db(), c.var.user.id, id, outcome.result === 'ok');
    if (!view) throw projectNotFound();
    return c.json(
      {
        ok: outcome.result === 'ok',
        ...outcome,
        branchExists: outcome.branches.includes(remote.branch),
        remote: view,
      },
      200,
    );
  })
  .openapi(historyRoute('push', PushResult), async (c) => {
    const { id } = c.req.valid('param');
    const result = await withRemote(c, id, (stub, target) => stub.pushToRemote(target));
    c.header('Cache-Control', 'no-store');
    return c.json(result, 200);
  })
  .openapi(historyRoute('pull', PullResult), async (c) => {
    const { id } = c.req.valid('param');
    const result = await withRemote(c, id, (stub, target) => stub.pullFromRemote(target));
    c.header('Cache-Control', 'no-store');
    return c.json(result, 200);
  });
