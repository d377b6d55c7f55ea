import { schema } from '@samokoder/db';
import { runInDurableObject } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import type { ProjectObject } from '../../src/project-object/project-object.ts';
import { openDb } from '../../src/platform/deps.ts';
import { scriptedProject, settled } from './helpers.ts';
import { insertProject, withDb } from './pg.ts';

const script = {
  steps: [
    { title: 'spec', actions: [{ llm: 'spec', costMicros: 123 }] },
    {
      title: 'code',
      task: 'Build',
      endsTask: true,
      actions: [
        { write: 'a.txt', content: 'alpha' },
        { write: 'src/b.txt', content: 'beta' },
      ],
    },
    { title: 'more', task: 'Polish', endsTask: true, actions: [{ write: 'a.txt', content: 'alpha 2' }] },
  ],
};

async function drainSync(stub: DurableObjectStub<ProjectObject>, asOf?: number): Promise<number> {
  return runInDurableObject(stub, async (agent: ProjectObject) => {
    await agent.runtime.pg.settle();
    await agent.runtime.pg.flush(asOf);
    await agent.runtime.pg.settle();
    return agent.runtime.pg.pending();
  });
}

describe('Postgres kept current', () => {
  it('writes status, totals, a snapshot per task boundary and the usage ledger', async () => {
    const { ownerId, projectId } = await insertProject();
    const { stub } = await scriptedProject(script, { projectId, ownerId });
    await stub.control('start');
    await settled(stub, ['completed']);
    expect(await drainSync(stub)).toBe(0);

    await withDb(async (db) => {
      const [project] = await db.select().from(schema.projects).where(eq(schema.projects.id, projectId));
      expect(project).toMatchObject({ status: 'completed', costMicros: 123 });
      expect(project!.inputTokens).toBeGreaterThan(0);
      const snapshots = await db
        .select()
        .from(schema.projectSnapshots)
        .where(eq(schema.projectSnapshots.projectId, projectId))
        .orderBy(schema.projectSnapshots.stepId);
      expect(snapshots.map((s) => [s.label, s.stepId, s.fileCount, s.files])).toEqual([
        [
          'Build',
          2,
          2,
          [
            { path: 'a.txt', content: 'alpha' },
            { path: 'src/b.txt', content: 'beta' },
          ],
        ],
        [
          'Polish',
          3,
          2,
          [
            { path: 'a.txt', content: 'alpha 2' },
            { path: 'src/b.txt', content: 'beta' },
          ],
        ],
      ]);
      const usage = await db
        .select()
        .from(schema.usageLedger)
        .where(eq(schema.usageLedger.projectId, projectId));
      expect(usage).toHaveLength(1);
      expect(usage[0]).toMatchObject({
        userId: ownerId,
        agent: 'script',
        provider: 'scripted',
        costMicros: 123,
      });
    });
  });

  it('keeps running while Postgres is down and writes everything once it is back', async () => {
    const { ownerId, projectId } = await insertProject();
    const { stub } = await scriptedProject(script, { projectId, ownerId });
    await runInDurableObject(stub, (agent: ProjectObject) => {
      agent.runtime.pg.connect = () => Promise.reject(new Error('connection refused'));
    });
    await stub.control('start');
    expect(await settled(stub, ['completed'])).toBe('completed');
    const pending = await runInDurableObject(stub, async (agent: ProjectObject) => {
      await agent.runtime.pg.settle();
      return agent.runtime.pg.pending();
    });
    expect(pending).toBeGreaterThanOrEqual(3);
    // Postgres is back (a new instance connects normally); the retries are due later: flush as of then.
    await runInDurableObject(stub, (agent: ProjectObject) => {
      agent.runtime.pg.connect = () => openDb(env);
    });
    expect(await drainSync(stub, Date.now() + 3_600_000)).toBe(0);
    await withDb(async (db) => {
      const [project] = await db.select().from(schema.projects).where(eq(schema.projects.id, projectId));
      expect(project?.status).toBe('completed');
      const snapshots = await db
        .select({ stepId: schema.projectSnapshots.stepId })
        .from(schema.projectSnapshots)
        .where(eq(schema.projectSnapshots.projectId, projectId));
      expect(snapshots.map((s) => s.stepId).sort()).toEqual([2, 3]);
    });
  });
});
