import { env } from 'cloudflare:workers';
import { runInDurableObject } from 'cloudflare:test';
import { schema } from '@samokoder/db';
import { eq, inArray, sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import type { ProjectObject } from '../src/project-object/project-object.ts';
import { call, errorOf } from './helpers/api.ts';
import { withDb } from './helpers/db.ts';
import { createProject, type ProjectBody } from './helpers/projects.ts';
import { registerUser } from './helpers/users.ts';

interface Page {
  items: ProjectBody[];
  nextCursor: string | null;
}

async function page(token: string, query = ''): Promise<Page> {
  const res = await call(`/api/projects${query}`, { token });
  if (res.status !== 200) throw new Error(`list failed: ${res.status} ${await res.text()}`);
  return res.json<Page>();
}

describe('creating projects', () => {
  it('creates a project with defaults and returns where it lives', async () => {
    const user = await registerUser('proj');
    const res = await call('/api/projects', {
      json: { name: '  Recipe box ', description: 'Save and search recipes' },
      token: user.accessToken,
    });
    expect(res.status).toBe(201);
    const project = await res.json<ProjectBody>();
    expect(project).toMatchObject({
      name: 'Recipe box',
      description: 'Save and search recipes',
      mode: 'interactive',
      pipeline: 'agents',
      status: 'idle',
      budgetMicros: 5_000_000,
      costMicros: 0,
    });
    expect(res.headers.get('location')).toBe(`/api/projects/${project.id}`);
    const got = await call(`/api/projects/${project.id}`, { token: user.accessToken });
    expect(await got.json()).toEqual(project);
  });

  it("gives a project without a budget the owner's default budget, and one with a budget that budget", async () => {
    const user = await registerUser('proj-default-budget');
    const saved = await call('/api/settings', {
      method: 'PATCH',
      json: { defaultBudgetMicros: 2_000_000 },
      token: user.accessToken,
      ip: user.ip,
    });
    expect(saved.status).toBe(200);
    expect((await createProject(user)).budgetMicros).toBe(2_000_000);
    expect((await createProject(user, { budgetMicros: 7_000_000 })).budgetMicros).toBe(7_000_000);
    // Another user's default is not this one's.
    expect((await createProject(await registerUser('proj-default-budget-other'))).budgetMicros).toBe(
      5_000_000,
    );
  });

  it('takes a mode, a budget in micro-dollars and a model per agent', async () => {
    const user = await registerUser('proj-budget');
    const project = await createProject(user, { mode: 'autopilot', budgetMicros: 12_500_000 });
    expect(project).toMatchObject({ mode: 'autopilot', budgetMicros: 12_500_000, models: {} });
    const tuned = await createProject(user, { models: { TechLead: 'anthropic:claude-sonnet-4-20250514' } });
    expect(tuned.models).toEqual({ TechLead: 'anthropic:claude-sonnet-4-20250514' });
    const wrong = await call('/api/projects', {
      json: { name: 'x', description: 'y', models: { TechLead: 'claude' } },
      token: user.accessToken,
    });
    expect(wrong.status).toBe(422);
    expect((await errorOf(wrong)).fields?.[0]?.path).toBe('models.TechLead');
  });

  it('runs only the pipelines its Worker has: here the test Worker adds the scripted one', async () => {
    const user = await registerUser('proj-pipeline');
    const body = { name: 'Scripted', description: '{"steps":[]}', pipeline: 'scripted' };
    const scripted = await call('/api/projects', { json: body, token: user.accessToken });
    expect(scripted.status).toBe(201);
    expect(await scripted.json()).toMatchObject({ pipeline: 'scripted' });
    const unknown = await call('/api/projects', {
      json: { ...body, pipeline: 'magic' },
      token: user.accessToken,
    });
    expect(unknown.status).toBe(422);
    expect((await errorOf(unknown)).fields).toEqual([
      { path: 'pipeline', message: 'There is no such pipeline: use `agents`.' },
    ]);
  });

  it('names every invalid field: wrong types, bounds and unknown fields', async () => {
    const user = await registerUser('proj-invalid');
    const res = await call('/api/projects', {
      json: { name: '', description: 7, mode: 'yolo', budgetMicros: -1, ownerId: user.id },
      token: user.accessToken,
    });
    expect(res.status).toBe(422);
    const error = await errorOf(res);
    expect(error.fields?.map((f) => f.path).sort()).toEqual([
      'budgetMicros',
      'description',
      'mode',
      'name',
      'ownerId',
    ]);
    for (const budgetMicros of [1.5, '5000000', 1_000_000_001]) {
      const r = await call('/api/projects', {
        json: { name: 'x', description: 'y', budgetMicros },
        token: user.accessToken,
      });
      expect(r.status, String(budgetMicros)).toBe(422);
    }
  });

  it('refuses malformed JSON, a non-JSON body and an oversize body', async () => {
    const user = await registerUser('proj-body');
    expect((await call('/api/projects', { body: '{"name": "x"', token: user.accessToken })).status).toBe(400);
    const form = await call('/api/projects', {
      body: 'name=x',
      headers: { 'content-type': 'text/plain' },
      token: user.accessToken,
    });
    expect(form.status).toBe(415);
    const tooLong = await call('/api/projects', {
      json: { name: 'x', description: 'y'.repeat(25_000) },
      token: user.accessToken,
    });
    expect(tooLong.status).toBe(422);
    const oversize = await call('/api/projects', {
      json: { name: 'x', description: 'y'.repeat(300_000) },
      token: user.accessToken,
    });
    expect(oversize.status).toBe(413);
  });
});

describe('listing projects', () => {
  it('lists only the owner’s projects, most recently active first', async () => {
    const user = await registerUser('list');
    const other = await registerUser('list-other');
    const a = await createProject(user, { name: 'A' });
    const b = await createProject(user, { name: 'B' });
    const c = await createProject(user, { name: 'C' });
    await createProject(other, { name: 'not yours' });
    // Activity on A (what the project's Durable Object records) moves it to the top.
    await withDb((db) =>
      db
        .update(schema.projects)
        .set({ lastActivityAt: sql`now()` })
        .where(eq(schema.projects.id, a.id)),
    );
    const { items, nextCursor } = await page(user.accessToken);
    expect(items.map((p) => p.name)).toEqual(['A', 'C', 'B']);
    expect(items.map((p) => p.id)).toEqual([a.id, c.id, b.id]);
    expect(nextCursor).toBeNull();
  });

  it('pages with a cursor, without skipping or repeating projects active at the same instant', async () => {
    const user = await registerUser('pages');
    const created: ProjectBody[] = [];
    for (let i = 0; i < 5; i++) created.push(await createProject(user, { name: `P${i}` }));
    // Three projects share one activity time to the microsecond: only the id orders them.
    await withDb((db) =>
      db
        .update(schema.projects)
        .set({ lastActivityAt: sql`'2030-01-01T00:00:00.123456Z'::timestamptz` })
        .where(inArray(schema.projects.id, [created[1]!.id, created[2]!.id, created[3]!.id])),
    );
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const query: string = `?limit=2${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
      const result = await page(user.accessToken, query);
      expect(result.items.length).toBeLessThanOrEqual(2);
      seen.push(...result.items.map((p) => p.id));
      cursor = result.nextCursor;
      pages++;
    } while (cursor && pages < 10);
    expect(pages).toBe(3);
    expect(new Set(seen).size).toBe(5);
    const tied = [created[1]!.id, created[2]!.id, created[3]!.id].sort().reverse();
    expect(seen.slice(0, 3)).toEqual(tied);
  });

  it('refuses a forged cursor, bad limits and unknown parameters', async () => {
    const user = await registerUser('list-bad');
    for (const query of [
      '?cursor=abc',
      `?cursor=${btoa('{"a":"x","i":"y"}')}`,
      '?limit=0',
      '?limit=51',
      '?limit=ten',
      '?sort=name',
    ]) {
      const res = await call(`/api/projects${query}`, { token: user.accessToken });
      expect(res.status, query).toBe(422);
      expect((await errorOf(res)).code).toBe('validation_failed');
    }
  });
});

describe('renaming and deleting', () => {
  it('renames a project', async () => {
    const user = await registerUser('rename');
    const project = await createProject(user);
    const res = await call(`/api/projects/${project.id}`, {
      method: 'PATCH',
      json: { name: 'Renamed' },
      token: user.accessToken,
    });
    expect(res.status).toBe(200);
    const renamed = await res.json<ProjectBody>();
    expect(renamed.name).toBe('Renamed');
    expect(Date.parse(renamed.updatedAt)).toBeGreaterThan(Date.parse(project.updatedAt));
    const bad = await call(`/api/projects/${project.id}`, {
      method: 'PATCH',
      json: { name: ' ', description: 'no' },
      token: user.accessToken,
    });
    expect((await errorOf(bad)).fields?.map((f) => f.path).sort()).toEqual(['description', 'name']);
  });

  it('turns review before apply on and off (off by default), and the project’s object follows at once', async () => {
    const user = await registerUser('review');
    const project = await createProject(user);
    expect(project.reviewChanges).toBe(false);
    expect((await createProject(user, { reviewChanges: true })).reviewChanges).toBe(true);
    const stub = env.PROJECT_OBJECT.get(env.PROJECT_OBJECT.idFromName(project.id));
    const stored = () =>
      runInDurableObject(
        stub,
        async (instance: ProjectObject) => instance.runtime.journal.project()?.reviewChanges,
      );

    const on = await call(`/api/projects/${project.id}`, {
      method: 'PATCH',
      json: { reviewChanges: true },
      token: user.accessToken,
    });
    expect(on.status).toBe(200);
    expect(await on.json<ProjectBody>()).toMatchObject({ name: 'Todo app', reviewChanges: true });
    expect(await stored()).toBe(true);
    const off = await call(`/api/projects/${project.id}`, {
      method: 'PATCH',
      json: { reviewChanges: false },
      token: user.accessToken,
    });
    expect((await off.json<ProjectBody>()).reviewChanges).toBe(false);
    expect(await stored()).toBe(false);

    for (const json of [{}, { reviewChanges: 'yes' }]) {
      const bad = await call(`/api/projects/${project.id}`, {
        method: 'PATCH',
        json,
        token: user.accessToken,
      });
      expect(bad.status, JSON.stringify(json)).toBe(422);
    }
  });

  it('deletes a project and destroys its Durable Object’s state', async () => {
    const user = await registerUser('delete');
    const project = await createProject(user);
    const stub = env.PROJECT_OBJECT.get(env.PROJECT_OBJECT.idFromName(project.id));
    await runInDurableObject(stub, async (_instance, state) => {
      await state.storage.put('marker', 'still here');
    });
    const res = await call(`/api/projects/${project.id}`, { method: 'DELETE', token: user.accessToken });
    expect(res.status).toBe(204);
    await runInDurableObject(stub, async (_instance, state) => {
      expect(await state.storage.get('marker')).toBeUndefined();
    });
    expect((await call(`/api/projects/${project.id}`, { token: user.accessToken })).status).toBe(404);
    expect(
      (await call(`/api/projects/${project.id}`, { method: 'DELETE', token: user.accessToken })).status,
    ).toBe(404);
  });
});

describe('another user’s project', () => {
  it('is 404 to read, rename, delete, export or account, and stays untouched', async () => {
    const owner = await registerUser('owner');
    const intruder = await registerUser('intruder');
    const project = await createProject(owner, {
      name: 'Secret plans',
      description: 'Top secret description',
    });
    const attempts = [
      call(`/api/projects/${project.id}`, { token: intruder.accessToken }),
      call(`/api/projects/${project.id}`, {
        method: 'PATCH',
        json: { name: 'pwned' },
        token: intruder.accessToken,
      }),
      call(`/api/projects/${project.id}`, { method: 'DELETE', token: intruder.accessToken }),
      call(`/api/projects/${project.id}/export`, { token: intruder.accessToken }),
      call(`/api/projects/${project.id}/usage`, { token: intruder.accessToken }),
    ];
    for (const res of await Promise.all(attempts)) {
      expect(res.status).toBe(404);
      const text = await res.text();
      expect(text).not.toContain('Secret plans');
      expect(text).not.toContain('Top secret');
      expect(JSON.parse(text)).toMatchObject({ error: { code: 'not_found', message: 'No such project.' } });
    }
    const still = await call(`/api/projects/${project.id}`, { token: owner.accessToken });
    expect(still.status).toBe(200);
    expect((await still.json<ProjectBody>()).name).toBe('Secret plans');
    expect((await page(intruder.accessToken)).items).toEqual([]);
  });

  it('answers 404 for a malformed id', async () => {
    const user = await registerUser('badid');
    expect((await call('/api/projects/123', { token: user.accessToken })).status).toBe(404);
  });
});
