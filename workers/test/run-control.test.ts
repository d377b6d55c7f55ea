import { env } from 'cloudflare:workers';
import { runInDurableObject } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import type { ProjectObject } from '../src/project-object/project-object.ts';
import { projectStub } from '../src/project-object/stub.ts';
import { projectIdOf } from '../src/ids.ts';
import type { RunSnapshot } from '../src/protocol.ts';
import { call, errorOf } from './helpers/api.ts';
import { createProject } from './helpers/projects.ts';
import { registerUser, type TestUser } from './helpers/users.ts';
import { insertProject } from './project-object/pg.ts';

/** A scripted run of one step that makes one LLM call and finishes. */
const ONE_STEP = JSON.stringify({
  steps: [{ title: 'Say hello', agent: 'SpecWriter', actions: [{ llm: 'hello' }] }],
});

function control(user: TestUser, projectId: string, action: string): Promise<Response> {
  return call(`/api/projects/${projectId}/control`, { json: { action }, token: user.accessToken });
}

/** What the project's object knows of its project (null: it was never told). */
function objectFacts(projectId: string) {
  return runInDurableObject(projectStub(env, projectIdOf(projectId)), (object: ProjectObject) =>
    object.runtime.journal.project(),
  );
}

async function statusOf(user: TestUser, projectId: string): Promise<string> {
  const res = await call(`/api/projects/${projectId}`, { token: user.accessToken });
  return (await res.json<{ status: string }>()).status;
}

describe('controlling a run over HTTP', () => {
  it('starts a run without a WebSocket, which then runs to its end', async () => {
    const user = await registerUser('control-start');
    const project = await createProject(user, { description: ONE_STEP, pipeline: 'scripted' });
    const res = await control(user, project.id, 'start');
    expect(res.status).toBe(200);
    const { run } = await res.json<{ run: RunSnapshot }>();
    expect(run.status).toBe('running');
    await expect.poll(() => statusOf(user, project.id), { timeout: 20_000 }).toBe('completed');
  });

  it('refuses what the run cannot do in the one envelope, and other users’ projects as missing', async () => {
    const user = await registerUser('control-refused');
    const project = await createProject(user, { description: ONE_STEP, pipeline: 'scripted' });
    const paused = await control(user, project.id, 'pause');
    expect(paused.status).toBe(409);
    expect(await errorOf(paused)).toMatchObject({ code: 'conflict' });
    const wrong = await control(user, project.id, 'explode');
    expect(wrong.status).toBe(422);
    expect((await errorOf(wrong)).fields?.[0]?.path).toBe('action');
    const stranger = await registerUser('control-stranger');
    const foreign = await control(stranger, project.id, 'start');
    expect(foreign.status).toBe(404);
    expect(await objectFacts(project.id)).toMatchObject({ ownerId: user.id });
    expect(await statusOf(user, project.id)).toBe('idle');
  });

  it('tells an object made before facts were pushed its project, then starts it', async () => {
    const user = await registerUser('control-legacy');
    // Inserted straight into Postgres: its object was never told anything, like a project created
    // before the create route pushed facts.
    const { projectId } = await insertProject({ ownerId: user.id, description: ONE_STEP });
    expect(await objectFacts(projectId)).toBeNull();
    const res = await control(user, projectId, 'start');
    expect(res.status).toBe(200);
    expect(await objectFacts(projectId)).toMatchObject({ projectId, ownerId: user.id });
    await expect.poll(() => statusOf(user, projectId), { timeout: 20_000 }).toBe('completed');
  });
});

describe("a project's facts reach its object only from the routes that change them", () => {
  it('pushes them on creation, on a change of the project and on a change of the owner’s models', async () => {
    const user = await registerUser('facts');
    const project = await createProject(user, { description: ONE_STEP, pipeline: 'scripted' });
    expect(await objectFacts(project.id)).toMatchObject({ name: 'Todo app', reviewChanges: false });
    const renamed = await call(`/api/projects/${project.id}`, {
      method: 'PATCH',
      json: { name: 'Shopping list', reviewChanges: true },
      token: user.accessToken,
    });
    expect(renamed.status).toBe(200);
    expect(await objectFacts(project.id)).toMatchObject({ name: 'Shopping list', reviewChanges: true });
    const settings = await call('/api/settings', {
      method: 'PATCH',
      json: { models: { TechLead: 'openai:gpt-4o-mini' } },
      token: user.accessToken,
    });
    expect(settings.status).toBe(200);
    expect((await objectFacts(project.id))?.models).toMatchObject({ TechLead: 'openai:gpt-4o-mini' });
  });

  it('does not write them when a route only reads', async () => {
    const user = await registerUser('facts-read');
    const { projectId } = await insertProject({ ownerId: user.id, description: ONE_STEP });
    const tree = await call(`/api/projects/${projectId}/files`, { token: user.accessToken });
    expect(tree.status).toBe(200);
    const preview = await call(`/api/projects/${projectId}/preview`, {
      method: 'POST',
      token: user.accessToken,
    });
    expect(preview.status).toBe(409);
    expect(await objectFacts(projectId)).toBeNull();
  });
});
