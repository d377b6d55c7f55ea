/**
 * One identity per thing: every spelling of an id the API accepts names the same resource as its
 * canonical form, and every other spelling is a 404. The operations come from the API's own OpenAPI
 * document, so a new route that takes an id is covered without editing this file.
 */
import { runInDurableObject } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { validFixtureKey } from '../../infra/llm-fixture/keys.ts';
import type { ProjectObject } from '../src/project-object/project-object.ts';
import type { Script } from '../src/testing/scripted-pipeline.ts';
import { connect, isType, settled } from './project-object/helpers.ts';
import { ownedProjectObject } from './project-object/pg.ts';
import { ORIGIN, api } from './helpers/api.ts';
import { differences, mask, observe, type Observed } from './helpers/observe.ts';
import {
  needsRunner,
  openApiDoc,
  operations,
  sample,
  sampleQuery,
  type Operation,
} from './helpers/openapi.ts';
import { unlimited } from './helpers/unlimited.ts';
import { registerUser, type TestUser } from './helpers/users.ts';

const encode = (ch: string) => `%${ch.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`;

/** Spellings of a canonical id that the API takes as that id. */
function acceptedSpellings(id: string): Record<string, string> {
  return {
    'upper case': id.toUpperCase(),
    'mixed case': [...id].map((ch, i) => (i % 2 ? ch.toUpperCase() : ch)).join(''),
    'percent-encoded': [...id].map(encode).join(''),
    'upper case, partly percent-encoded': [...id.toUpperCase()]
      .map((ch, i) => (i % 3 ? ch : encode(ch)))
      .join(''),
  };
}

/** Spellings that Postgres would also read as the uuid, and that the API refuses as not an id. */
function refusedSpellings(id: string): Record<string, string> {
  const hex = id.replaceAll('-', '');
  return {
    braces: `%7B${id}%7D`,
    'leading space': `%20${id}`,
    'trailing space': `${id}%20`,
    'trailing newline': `${id}%0A`,
    'no hyphens': hex,
    'hyphens every four digits': hex.match(/.{4}/g)!.join('-'),
    'urn prefix': `urn:uuid:${id}`,
  };
}

/** A run that writes the file the samples name and completes: every files route has something to show. */
const script: Script = {
  steps: [
    { title: 'write', actions: [{ write: 'README.md', content: '# Notes\n' }] },
    { title: 'edit', actions: [{ write: 'README.md', content: '# Notes\n\nMore.\n' }] },
  ],
};

/**
 * A project whose run completed, with a user's edit on top: its object's files then differ from its
 * last snapshot in Postgres, so an export that reached another object (and fell back to the snapshot)
 * would show.
 */
async function completedProject(user: TestUser): Promise<string> {
  const { projectId, stub } = await ownedProjectObject({
    ownerId: user.id,
    description: JSON.stringify(script),
  });
  await stub.control('start');
  await settled(stub, ['completed']);
  const edit = await stub.saveFile('README.md', '# Notes\n\nEdited by its user.\n');
  if (!edit.ok) throw new Error(edit.message);
  return projectId;
}

async function storedKey(user: TestUser): Promise<string> {
  const res = await unlimited('/api/keys', {
    method: 'POST',
    headers: { authorization: `Bearer ${user.accessToken}`, 'content-type': 'application/json' },
    body: JSON.stringify({ provider: 'openai', key: validFixtureKey('openai', 'ids'), label: 'ids test' }),
  });
  if (res.status !== 201) throw new Error(`key not stored: ${res.status} ${await res.text()}`);
  return (await res.json<{ id: string }>()).id;
}

async function storedGitToken(user: TestUser): Promise<string> {
  const res = await unlimited('/api/settings/git-tokens', {
    method: 'POST',
    headers: { authorization: `Bearer ${user.accessToken}`, 'content-type': 'application/json' },
    body: JSON.stringify({ name: 'ids test' }),
  });
  if (res.status !== 201) throw new Error(`git token not created: ${res.status} ${await res.text()}`);
  return (await res.json<{ id: string }>()).id;
}

/** Calls `op` for the resource spelled `id`, as `user`, with valid sample input. */
async function callWith(op: Operation, id: string, user: TestUser): Promise<Observed> {
  const doc = await openApiDoc();
  const query = sampleQuery(doc, op).toString();
  const path = `${op.path.replace('{id}', id)}${query ? `?${query}` : ''}`;
  const body = op.body ? JSON.stringify(sample(doc, op.body)) : undefined;
  const headers: Record<string, string> = { authorization: `Bearer ${user.accessToken}` };
  if (body !== undefined) headers['content-type'] = 'application/json';
  return observe(await unlimited(path, { method: op.method, headers, ...(body ? { body } : {}) }));
}

/** What a refused spelling gets: the envelope of an unknown resource. */
function expectNotFound(seen: Observed, label: string): void {
  expect(seen.status, label).toBe(404);
  expect(seen.body, label).toMatchObject({ error: { code: 'not_found', message: expect.any(String) } });
}

describe('one identity per id', () => {
  it('answers every id-taking operation of the OpenAPI document alike for every spelling of the id', async () => {
    const user = await registerUser('ids');
    const shared = {
      project: await completedProject(user),
      key: await storedKey(user),
      gitToken: await storedGitToken(user),
    };
    const fresh = {
      project: () => completedProject(user),
      key: () => storedKey(user),
      gitToken: () => storedGitToken(user),
    };
    const ops = (await operations()).filter((op) => op.takesId);
    expect(ops.map((op) => op.name)).toEqual(
      expect.arrayContaining([
        'DELETE /api/projects/{id}',
        'GET /api/projects/{id}/export',
        'GET /api/projects/{id}/files/content',
        'POST /api/projects/{id}/live-ticket',
        'POST /api/projects/{id}/preview',
        'DELETE /api/keys/{id}',
        'DELETE /api/settings/git-tokens/{id}',
        'POST /api/keys/{id}/test',
      ]),
    );

    for (const op of ops) {
      const kind = op.resource!;
      // A DELETE of the resource itself takes it away: each of its calls gets a fresh one. Every other
      // operation (a DELETE of a part, such as the published app) reaches a fixed point after one call.
      const destructive = op.method === 'DELETE' && op.path.endsWith('{id}');
      const target = async () => (destructive ? fresh[kind]() : shared[kind]);
      if (!destructive) await callWith(op, shared[kind], user);
      const first = await callWith(op, await target(), user);
      const second = await callWith(op, await target(), user);
      expect(second.status, `${op.name}: two canonical calls`).toBe(first.status);
      if (needsRunner(op)) {
        // No sandbox-runner in this suite: the dependency's answer, alike for every accepted spelling.
        expect(first.body, `${op.name} answers its canonical id`).toMatchObject({
          error: { code: 'dependency_unavailable' },
        });
      } else expect(first.status, `${op.name} answers its canonical id`).toBeLessThan(500);
      const volatile = differences(first, second);

      for (const label of Object.keys(acceptedSpellings(shared[kind]))) {
        const id = await target();
        const seen = await callWith(op, acceptedSpellings(id)[label]!, user);
        expect(mask(seen, volatile), `${op.name} with the id in ${label}`).toEqual(mask(first, volatile));
        if (destructive)
          expect(await exists(kind, id, user), `${op.name} in ${label} deleted it`).toBe(false);
      }

      const victim = await target();
      for (const [label, spell] of Object.entries(refusedSpellings(victim))) {
        expectNotFound(await callWith(op, spell, user), `${op.name} with ${label}`);
      }
      expect(await exists(kind, victim, user), `${op.name}: refused spellings left it alone`).toBe(true);
    }
  }, 300_000);

  it('opens the live channel and redeems its tickets under any spelling of the project id', async () => {
    const user = await registerUser('ids-live');
    const projectId = await completedProject(user);
    const upper = projectId.toUpperCase();
    const headers = { authorization: `Bearer ${user.accessToken}` };

    const ticket = await api(`/api/projects/${upper}/live-ticket`, { method: 'POST', headers });
    expect(ticket.status).toBe(201);
    const { url } = await ticket.json<{ url: string }>();
    // The link names the project canonically, whatever spelling asked for it.
    expect(url).toContain(`/api/projects/${projectId}/live?ticket=`);

    const worker = {
      fetch: (req: Request) => api(`${new URL(req.url).pathname}${new URL(req.url).search}`, req),
    };
    for (const spelling of [projectId, upper, `${upper.slice(0, 18)}${projectId.slice(18)}`]) {
      const issued = await api(`/api/projects/${spelling}/live-ticket`, { method: 'POST', headers });
      const { url: once } = await issued.json<{ url: string }>();
      // The ticket is redeemed on another spelling than the one it was asked for.
      const viewer = await connect(worker, {
        url: `${ORIGIN}${once.replace(`/api/projects/${projectId}/`, `/api/projects/${spelling.toUpperCase()}/`)}`,
      });
      const hello = await viewer.waitFor(isType('hello'));
      // The same object as the canonical id's: it knows the project and its completed run.
      expect(hello.projectId).toBe(projectId);
      expect(hello.run.status).toBe('completed');
      viewer.close();
    }
    const refused = await api(`/api/projects/%7B${projectId}%7D/live`, {
      headers: { ...headers, upgrade: 'websocket' },
    });
    expect(refused.status).toBe(404);
  });

  it('deletes by an id in upper case the Durable Object the run lives in, for good', async () => {
    const user = await registerUser('ids-delete');
    const long: Script = {
      steps: [{ title: 'long', repeat: 500, actions: [{ llm: 'x', delayMs: 20 }, { touch: 'f' }] }],
    };
    const { projectId, stub } = await ownedProjectObject({
      ownerId: user.id,
      description: JSON.stringify(long),
    });
    const viewer = await connect(stub, { after: 0 });
    await stub.control('start');
    await viewer.waitUntil((fs) => fs.some((f) => f.type === 'step.completed'));
    const res = await api(`/api/projects/${projectId.toUpperCase()}`, {
      method: 'DELETE',
      headers: { authorization: `Bearer ${user.accessToken}` },
    });
    expect(res.status).toBe(204);
    // Its viewers were told.
    expect((await viewer.closed).reason).toBe('The project was deleted.');
    await runInDurableObject(stub, async (_agent: ProjectObject, state) => {
      // Nothing is left but the tombstone, and nothing is scheduled to run.
      expect(await state.storage.getAlarm()).toBeNull();
      expect([...(await state.storage.list()).keys()]).toEqual(['deleted']);
    });
    expect(await stub.control('start')).toEqual({
      ok: false,
      code: 'conflict',
      message: 'The project was deleted.',
    });
    expect(
      (await api(`/api/projects/${projectId}`, { headers: { authorization: `Bearer ${user.accessToken}` } }))
        .status,
    ).toBe(404);
  });
});

/** Whether the user still has the resource. */
async function exists(kind: 'project' | 'key' | 'gitToken', id: string, user: TestUser): Promise<boolean> {
  const headers = { authorization: `Bearer ${user.accessToken}` };
  if (kind === 'project') return (await unlimited(`/api/projects/${id}`, { headers })).status === 200;
  const listed = kind === 'key' ? '/api/keys' : '/api/settings/git-tokens';
  const list = await (await unlimited(listed, { headers })).json<{ items: { id: string }[] }>();
  return list.items.some((k) => k.id === id);
}
