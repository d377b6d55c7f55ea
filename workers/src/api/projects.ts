import { createRoute } from '@hono/zod-openapi';
import type { Database } from '@samokoder/db';
import type { Context } from 'hono';
import { knownPipeline } from '../project-object/composition-root.ts';
import type { ProjectObject } from '../project-object/project-object.ts';
import type { AuthedEnv } from '../env.ts';
import { projectIdOf, type ProjectId } from '../ids.ts';
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
import { ownedObject, projectNotFound, pushProjectFacts } from './project-access.ts';

/**
 * Tells the project's object its facts after a route changed them. The change is saved either way; an
 * object that cannot take it now is a 503 the client may retry (the route is idempotent).
 */
async function pushFacts(c: Context<AuthedEnv>, db: Database, projectId: ProjectId): Promise<void> {
  try {
    await pushProjectFacts(c.env, db, c.var.user.id, projectId);
  } catch (err) {
    if (err instanceof ApiError) throw err;
    log.warn('project facts not passed to its object', { projectId, ...describeError(err) });
    throw new ApiError(
      503,
      'dependency_unavailable',
      'The change is saved, but the project could not take it yet. Try again.',
      { headers: { 'Retry-After': '5' }, cause: err },
    );
  }
}

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
    if (!knownPipeline(body.pipeline)) {
      throw new ApiError(422, 'validation_failed', 'Some fields are not valid.', {
        fields: [{ path: 'pipeline', message: 'There is no such pipeline: use `agents`.' }],
      });
    }
    const db = await c.var.db();
    const project = await createProject(db, c.var.user.id, body, DEFAULT_BUDGET_MICROS);
    // Not a 503 when the object cannot take them now: the project exists, and a retried POST would make a
    // second one. The object asks for its facts the first time it is used without them.
    await pushProjectFacts(c.env, db, c.var.user.id, projectIdOf(project.id)).catch((err: unknown) =>
      log.warn('new project facts not passed to its object', {
        projectId: project.id,
        ...describeError(err),
      }),
    );
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
    // The object keeps its own copy of these facts: a run waiting for a review that is no longer wanted
    // goes on at once, a raised budget lets a stopped run resume.
    await pushFacts(c, db, id);
    return c.json(project, 200);
  })
  .openapi(remove, async (c) => {
    const { id } = c.req.valid('param');
    const object = await ownedObject(c, id);
    // Its object stops the run for good, writes its usage to the ledger and destroys its sandboxes
    // first (ProjectObject.destroy): if that fails the project stays, visible and deletable again,
    // rather than a hidden run spending the user's money.
    let outcome: Awaited<ReturnType<ProjectObject['destroy']>>;
    try {
      outcome = await object.destroy();
    } catch (err) {
      const { error, detail } = describeError(err);
      outcome = { ok: false, reason: `the project object failed: ${String(error)} ${String(detail ?? '')}` };
    }
    if (!outcome.ok) {
      log.error('project object not destroyed', {
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
