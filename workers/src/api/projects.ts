import { createRoute } from '@hono/zod-openapi';
import type { ProjectAgent } from '../agent/project-agent.ts';
import { projectStub } from '../agent/stub.ts';
import type { AuthedEnv } from '../env.ts';
import { isLocalEnvironment } from '../keys/endpoints.ts';
import { describeError, log } from '../platform/logger.ts';
import { decodeCursor, encodeCursor } from '../projects/cursor.ts';
import { createProject, deleteProject, getProject, listProjects, updateProject } from '../projects/store.ts';
import { ApiError } from './errors.ts';
import { limitByUser } from './middleware/rate-limit.ts';
import { requireUser } from './middleware/require-user.ts';
import { ProjectIdParam, errors, json, jsonBody, newApi, signedIn, stack } from './openapi.ts';
import {
  CreateProjectBody,
  DEFAULT_BUDGET_MICROS,
  ListProjectsQuery,
  Project,
  ProjectPage,
  UpdateProjectBody,
} from './projects-schemas.ts';
import { ownedProject, projectAgent } from './live.ts';

/** Another user's project and a missing one look the same: nothing about it leaks. */
export const projectNotFound = () => new ApiError(404, 'not_found', 'No such project.');

const create = createRoute({
  method: 'post',
  path: '/',
  summary: 'Create a project',
  security: signedIn,
  middleware: stack(requireUser, limitByUser('projectCreate')),
  request: { body: jsonBody(CreateProjectBody) },
  responses: { 201: json(Project, 'Created'), ...errors(400, 401, 403, 413, 415, 422, 429) },
});

const list = createRoute({
  method: 'get',
  path: '/',
  summary: "The user's projects, most recently active first",
  security: signedIn,
  middleware: requireUser,
  request: { query: ListProjectsQuery },
  responses: { 200: json(ProjectPage, 'One page'), ...errors(401, 422, 429) },
});

const get = createRoute({
  method: 'get',
  path: '/{id}',
  summary: 'One project',
  security: signedIn,
  middleware: requireUser,
  request: { params: ProjectIdParam },
  responses: { 200: json(Project, 'The project'), ...errors(401, 404, 429) },
});

const update = createRoute({
  method: 'patch',
  path: '/{id}',
  summary: 'Rename a project or change its settings (review before apply)',
  security: signedIn,
  middleware: requireUser,
  request: { params: ProjectIdParam, body: jsonBody(UpdateProjectBody) },
  responses: { 200: json(Project, 'Changed'), ...errors(400, 401, 403, 404, 413, 415, 422, 429, 503) },
});

const remove = createRoute({
  method: 'delete',
  path: '/{id}',
  summary: 'Delete a project: its run stops, its sandbox is destroyed, its files and snapshots go',
  security: signedIn,
  middleware: requireUser,
  request: { params: ProjectIdParam },
  responses: { 204: { description: 'Deleted' }, ...errors(401, 403, 404, 429, 503) },
});

/** `/api/projects`: the project index (the generation itself lives in each project's Durable Object). */
export const projects = newApi<AuthedEnv>()
  .openapi(create, async (c) => {
    const body = c.req.valid('json');
    if (body.pipeline === 'scripted' && !isLocalEnvironment(c.env.APP_ENV)) {
      throw new ApiError(422, 'validation_failed', 'Some fields are not valid.', {
        fields: [{ path: 'pipeline', message: 'The scripted pipeline is for tests and local runs only.' }],
      });
    }
    const project = await createProject(await c.var.db(), c.var.user.id, body, DEFAULT_BUDGET_MICROS);
    c.header('Location', `/api/projects/${project.id}`);
    return c.json(project, 201);
  })
  .openapi(list, async (c) => {
    const { limit, cursor } = c.req.valid('query');
    const after = cursor === undefined ? null : decodeCursor(cursor);
    if (cursor !== undefined && !after) {
      throw new ApiError(422, 'validation_failed', 'Some fields are not valid.', {
        fields: [{ path: 'cursor', message: 'This cursor was not issued by this API.' }],
      });
    }
    const page = await listProjects(await c.var.db(), c.var.user.id, { limit, after });
    c.header('Cache-Control', 'no-store');
    return c.json({ items: page.items, nextCursor: page.next ? encodeCursor(page.next) : null }, 200);
  })
  .openapi(get, async (c) => {
    const project = await getProject(await c.var.db(), c.var.user.id, c.req.valid('param').id);
    if (!project) throw projectNotFound();
    c.header('Cache-Control', 'no-store');
    return c.json(project, 200);
  })
  .openapi(update, async (c) => {
    const { id } = c.req.valid('param');
    const changes = c.req.valid('json');
    const db = await c.var.db();
    const project = await updateProject(db, c.var.user.id, id, changes);
    if (!project) throw projectNotFound();
    if (changes.reviewChanges !== undefined) {
      // The project's object keeps its own copy of the settings: a run waiting for a review that is no
      // longer wanted goes on at once. Saved either way; the object also reads it on its next attach.
      const info = await ownedProject(db, c.var.user.id, id);
      try {
        if (info) await projectAgent(c.env, info);
      } catch (err) {
        if (err instanceof ApiError) throw err;
        log.warn('project settings not passed to its object', { projectId: id, ...describeError(err) });
        throw new ApiError(
          503,
          'dependency_unavailable',
          'The setting is saved, but the running project could not take it yet. Try again.',
          { headers: { 'Retry-After': '5' }, cause: err },
        );
      }
    }
    return c.json(project, 200);
  })
  .openapi(remove, async (c) => {
    const { id } = c.req.valid('param');
    const db = await c.var.db();
    if (!(await getProject(db, c.var.user.id, id))) throw projectNotFound();
    // Stopping the run can take a while: the connection goes back to the isolate's other requests meanwhile.
    c.var.releaseDb();
    // Its object stops the run for good, writes its usage to the ledger and destroys its sandboxes
    // first (ProjectAgent.destroy): if that fails the project stays, visible and deletable again,
    // rather than a hidden run spending the user's money.
    let outcome: Awaited<ReturnType<ProjectAgent['destroy']>>;
    try {
      outcome = await projectStub(c.env, id).destroy();
    } catch (err) {
      const { error, detail } = describeError(err);
      outcome = { ok: false, reason: `the project object failed: ${String(error)} ${String(detail ?? '')}` };
    }
    if (!outcome.ok) {
      log.error('project agent not destroyed', {
        requestId: c.var.requestId,
        projectId: id,
        reason: outcome.reason,
      });
      throw new ApiError(
        503,
        'dependency_unavailable',
        'The project could not be stopped completely. Try deleting it again.',
        { headers: { 'Retry-After': '5' } },
      );
    }
    await deleteProject(await c.var.db(), c.var.user.id, id);
    return c.body(null, 204);
  });
