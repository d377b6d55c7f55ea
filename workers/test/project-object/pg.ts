import { schema } from '@samokoder/db';
import { env } from 'cloudflare:workers';
import type { ProjectObject } from '../../src/project-object/project-object.ts';
import type { ProjectInfo } from '../../src/project-object/storage/meta.ts';
import { projectFacts, pushProjectFacts } from '../../src/api/project-access.ts';
import { projectStub } from '../../src/project-object/stub.ts';
import { projectIdOf, type ProjectId } from '../../src/ids.ts';
import { openDb } from '../../src/platform/deps.ts';

/** Runs `fn` with a database handle of the test's Postgres. */
export async function withDb<T>(
  fn: (db: Awaited<ReturnType<typeof openDb>>['db']) => Promise<T>,
): Promise<T> {
  const handle = await openDb(env);
  try {
    return await fn(handle.db);
  } finally {
    await handle.close();
  }
}

/** A user and a project of theirs, inserted directly (the projects API is not under test here). */
export async function insertProject(
  opts: {
    budgetMicros?: number;
    ownerId?: string;
    description?: string;
    pipeline?: 'agents' | 'scripted';
  } = {},
) {
  return withDb(async (db) => {
    let ownerId = opts.ownerId;
    if (!ownerId) {
      const [user] = await db
        .insert(schema.users)
        .values({ email: `agent-${crypto.randomUUID()}@example.test`, passwordHash: 'x' })
        .returning({ id: schema.users.id });
      ownerId = user!.id;
    }
    const [project] = await db
      .insert(schema.projects)
      .values({
        ownerId,
        name: 'agent test',
        description: opts.description ?? 'test',
        mode: 'interactive',
        budgetMicros: opts.budgetMicros ?? 1_000_000,
        // Most tests drive the engine with the scripted pipeline (the description is its script).
        pipeline: opts.pipeline ?? 'scripted',
      })
      .returning({ id: schema.projects.id });
    return { ownerId, projectId: projectIdOf(project!.id) };
  });
}

/**
 * A project of `ownerId` in Postgres and its object, told its facts the way the Worker tells them when
 * the project is created (`pushProjectFacts` reads the row and its owner's settings).
 */
export async function ownedProjectObject(opts: {
  ownerId: string;
  description: string;
  pipeline?: 'agents' | 'scripted';
}): Promise<{ projectId: ProjectId; info: ProjectInfo; stub: DurableObjectStub<ProjectObject> }> {
  const { projectId } = await insertProject(opts);
  const info = await withDb(async (db) => {
    await pushProjectFacts(env, db, opts.ownerId, projectId);
    return projectFacts(db, opts.ownerId, projectId);
  });
  if (!info) throw new Error('the project is not its owner’s');
  return { projectId, info, stub: projectStub(env, projectId) };
}
