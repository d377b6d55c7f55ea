/**
 * The API's way to a project's object, and the one way its facts reach it.
 *
 * - `ownedObject` only reads: it checks in Postgres that the project is the caller's and gives the
 *   object's stub. Nothing is written on the way, so a read (the live channel, the files, the preview)
 *   costs one small query and the object's own work.
 * - `pushProjectFacts` / `pushOwnerFacts` tell objects their project's facts (owner, mode, budget,
 *   models, review before apply), read from Postgres after the change. Only the routes that change
 *   those facts call them: creating or updating a project, and the owner's model settings.
 * - `withFacts` covers objects made before facts were pushed on creation: when one answers that it does
 *   not know its project yet, its facts are pushed once and the call is made again.
 */
import { schema, type Database } from '@samokoder/db';
import { and, eq } from 'drizzle-orm';
import type { Context } from 'hono';
import type { AuthedEnv, Bindings } from '../env.ts';
import { parseProjectId, type ProjectId } from '../ids.ts';
import { layerModels } from '../llm/models.ts';
import { describeError, log } from '../platform/logger.ts';
import type { ProjectInfo, ProjectObject } from '../project-object/project-object.ts';
import { projectStub } from '../project-object/stub.ts';
import { ApiError } from './errors.ts';

export type ProjectStub = DurableObjectStub<ProjectObject>;

/** Another user's project and a missing one look the same: nothing about it leaks. */
export const projectNotFound = () => new ApiError(404, 'not_found', 'No such project.');

/** Objects told at once when an owner's settings change (each is one RPC). */
const PUSH_CONCURRENCY = 8;

/** Whether the project exists and is the user's: one indexed lookup. */
export async function ownsProject(db: Database, userId: string, projectId: ProjectId): Promise<boolean> {
  const [row] = await db
    .select({ id: schema.projects.id })
    .from(schema.projects)
    .where(and(eq(schema.projects.id, projectId), eq(schema.projects.ownerId, userId)))
    .limit(1);
  return row !== undefined;
}

/**
 * The caller's project's object, once Postgres says the project is theirs (a 404 otherwise). The
 * request's database connection is given back first: the rest is the object's work.
 */
export async function ownedObject(
  c: Context<AuthedEnv>,
  projectId: ProjectId,
  userId: string = c.var.user.id,
): Promise<ProjectStub> {
  const owned = await ownsProject(await c.var.db(), userId, projectId);
  c.var.releaseDb();
  if (!owned) throw projectNotFound();
  return projectStub(c.env, projectId);
}

const factColumns = {
  id: schema.projects.id,
  ownerId: schema.projects.ownerId,
  name: schema.projects.name,
  description: schema.projects.description,
  mode: schema.projects.mode,
  budgetMicros: schema.projects.budgetMicros,
  pipeline: schema.projects.pipeline,
  models: schema.projects.models,
  reviewChanges: schema.projects.reviewChanges,
  ownerSettings: schema.users.settings,
};

type FactRow = { [K in keyof typeof factColumns]: (typeof factColumns)[K]['_']['data'] };

function factsOf(projectId: ProjectId, row: FactRow): ProjectInfo {
  return {
    projectId,
    ownerId: row.ownerId,
    name: row.name,
    description: row.description,
    mode: row.mode,
    budgetMicros: row.budgetMicros,
    pipeline: row.pipeline,
    reviewChanges: row.reviewChanges,
    // The project's own choice wins over its owner's Settings.
    models: layerModels(row.models, row.ownerSettings.models ?? {}),
  };
}

/** The facts of the user's project as its object needs them, or null when it is not theirs. */
export async function projectFacts(
  db: Database,
  userId: string,
  projectId: ProjectId,
): Promise<ProjectInfo | null> {
  const [row] = await db
    .select(factColumns)
    .from(schema.projects)
    .innerJoin(schema.users, eq(schema.users.id, schema.projects.ownerId))
    .where(and(eq(schema.projects.id, projectId), eq(schema.projects.ownerId, userId)))
    .limit(1);
  return row ? factsOf(projectId, row) : null;
}

/** Tells the project's object its facts as Postgres has them now; a 404 when the project is gone. */
export async function pushProjectFacts(
  env: Bindings,
  db: Database,
  userId: string,
  projectId: ProjectId,
): Promise<void> {
  const facts = await projectFacts(db, userId, projectId);
  if (!facts) throw projectNotFound();
  // False: the object was deleted (a request racing with the deletion).
  if (!(await projectStub(env, projectId).setProject(facts))) throw projectNotFound();
}

/**
 * Tells every object of the owner's projects its facts again (their models are layered over the
 * owner's settings). An object that cannot be reached now keeps its old facts until the next change,
 * which is logged: the settings themselves are saved either way.
 */
export async function pushOwnerFacts(env: Bindings, db: Database, userId: string): Promise<void> {
  const rows = await db
    .select(factColumns)
    .from(schema.projects)
    .innerJoin(schema.users, eq(schema.users.id, schema.projects.ownerId))
    .where(eq(schema.projects.ownerId, userId));
  const facts = rows.flatMap((row) => {
    const id = parseProjectId(row.id);
    return id ? [factsOf(id, row)] : [];
  });
  for (let i = 0; i < facts.length; i += PUSH_CONCURRENCY) {
    const outcomes = await Promise.allSettled(
      facts.slice(i, i + PUSH_CONCURRENCY).map((f) => projectStub(env, f.projectId).setProject(f)),
    );
    for (const outcome of outcomes) {
      if (outcome.status === 'rejected') {
        log.warn('project facts not pushed', { ownerId: userId, ...describeError(outcome.reason) });
      }
    }
  }
}

/**
 * `ask` of the project's object (the caller's, or `userId`'s: a live ticket's); when the object answers
 * that it does not know its project (`lacksFacts`), its facts are pushed and it is asked once more.
 */
export async function withFacts<T>(
  c: Context<AuthedEnv>,
  projectId: ProjectId,
  ask: (stub: ProjectStub) => Promise<T>,
  lacksFacts: (answer: T) => boolean,
  userId: string = c.var.user.id,
): Promise<T> {
  const stub = await ownedObject(c, projectId, userId);
  const answer = await ask(stub);
  if (!lacksFacts(answer)) return answer;
  await pushProjectFacts(c.env, await c.var.db(), userId, projectId);
  c.var.releaseDb();
  return ask(stub);
}
