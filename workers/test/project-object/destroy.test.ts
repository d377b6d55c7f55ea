import { schema } from '@samokoder/db';
import { runInDurableObject } from 'cloudflare:test';
import { like } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import type { ProjectObject } from '../../src/project-object/project-object.ts';
import type { DbHandle } from '@samokoder/db';
import { openDb } from '../../src/platform/deps.ts';
import { env } from 'cloudflare:workers';
import { api, errorOf } from '../helpers/api.ts';
import { registerUser } from '../helpers/users.ts';
import { settled } from './helpers.ts';
import { ownedProjectObject, withDb } from './pg.ts';

const script = {
  steps: [1, 2, 3].map((n) => ({ title: `call ${n}`, actions: [{ llm: `call ${n}`, costMicros: 100 * n }] })),
};

async function ledgerRows(projectId: string): Promise<number> {
  return withDb(async (db) => {
    const rows = await db
      .select({ callId: schema.usageLedger.callId })
      .from(schema.usageLedger)
      .where(like(schema.usageLedger.callId, `${projectId}/%`));
    return rows.length;
  });
}

describe('deleting a project whose usage is not in Postgres yet', () => {
  it('fails while the ledger cannot be written, keeps the project, and completes once it can', async () => {
    const user = await registerUser('destroy');
    const { projectId, stub } = await ownedProjectObject({
      ownerId: user.id,
      description: JSON.stringify(script),
    });
    // Postgres is unreachable from the object: the run goes on, its usage waits in the outbox.
    await runInDurableObject(stub, (agent: ProjectObject) => {
      agent.runtime.pg.connect = () => Promise.reject(new Error('connection refused'));
    });
    await stub.control('start');
    await settled(stub, ['completed']);
    expect(await ledgerRows(projectId)).toBe(0);

    const headers = { authorization: `Bearer ${user.accessToken}` };
    const refused = await api(`/api/projects/${projectId}`, { method: 'DELETE', headers });
    expect(refused.status).toBe(503);
    expect(refused.headers.get('retry-after')).not.toBeNull();
    expect(await errorOf(refused)).toMatchObject({ code: 'dependency_unavailable' });
    // The project stays (deleting it again will finish the job), but it never runs again.
    expect((await api(`/api/projects/${projectId}`, { headers })).status).toBe(200);
    expect(await stub.control('start')).toMatchObject({ ok: false, message: 'The project was deleted.' });

    await runInDurableObject(stub, (agent: ProjectObject) => {
      agent.runtime.pg.connect = (): Promise<DbHandle> => openDb(env);
    });
    const deleted = await api(`/api/projects/${projectId}`, { method: 'DELETE', headers });
    expect(deleted.status).toBe(204);
    // Every call the run made is in the ledger, though the project is gone.
    expect(await ledgerRows(projectId)).toBe(3);
    expect((await api(`/api/projects/${projectId}`, { headers })).status).toBe(404);
  });
});
