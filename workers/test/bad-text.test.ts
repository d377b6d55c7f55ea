/**
 * Text Postgres cannot store (NUL, lone surrogates) is refused with the field's name, by the one rule
 * every route's input goes through, never reaching the database (where it used to be a 500).
 */
import { describe, expect, it } from 'vitest';
import { validFixtureKey } from '../../infra/llm-fixture/keys.ts';
import type { Script } from '../src/testing/scripted-pipeline.ts';
import { connect, isType } from './project-object/helpers.ts';
import { ownedProjectObject } from './project-object/pg.ts';
import { call, errorOf, uniqueEmail } from './helpers/api.ts';
import { createProject } from './helpers/projects.ts';
import { GOOD_PASSWORD, registerUser } from './helpers/users.ts';

const NUL = 'a\u0000b';
const LONE = 'a\uD800b';

async function expectRefused(res: Response, path: string): Promise<void> {
  expect(res.status).toBe(422);
  const error = await errorOf(res);
  expect(error.code).toBe('validation_failed');
  expect(error.fields).toContainEqual({ path, message: expect.stringMatching(/NUL|lone surrogate/) });
}

describe('text Postgres cannot store', () => {
  it('is refused in project names, descriptions and renames, and key labels, with the field named', async () => {
    const user = await registerUser('bad-text');
    const token = user.accessToken;
    const ip = user.ip;
    await expectRefused(
      await call('/api/projects', { json: { name: NUL, description: 'fine' }, token, ip }),
      'name',
    );
    await expectRefused(
      await call('/api/projects', { json: { name: 'fine', description: LONE }, token, ip }),
      'description',
    );
    const project = await createProject(user);
    await expectRefused(
      await call(`/api/projects/${project.id}`, { method: 'PATCH', json: { name: LONE }, token, ip }),
      'name',
    );
    await expectRefused(
      await call('/api/keys', {
        json: { provider: 'openai', key: validFixtureKey('openai', 'text'), label: NUL },
        token,
        ip,
      }),
      'label',
    );
    // Nothing was stored on the way.
    const list = await call('/api/projects', { token, ip });
    expect((await list.json<{ items: { name: string }[] }>()).items.map((p) => p.name)).toEqual([
      project.name,
    ]);
  });

  it('is refused in queries, file contents and account fields alike', async () => {
    const user = await registerUser('bad-text-more');
    const { projectId } = await ownedProjectObject({ ownerId: user.id, description: 'x' });
    const token = user.accessToken;
    const ip = user.ip;
    await expectRefused(
      await call(`/api/projects/${projectId}/files/content?path=${encodeURIComponent(NUL)}`, { token, ip }),
      'path',
    );
    await expectRefused(
      await call(`/api/projects/${projectId}/files/content`, {
        method: 'PUT',
        json: { path: 'notes.txt', content: LONE },
        token,
        ip,
      }),
      'content',
    );
    await expectRefused(
      await call('/api/auth/register', {
        json: { email: uniqueEmail(), password: `${GOOD_PASSWORD}\u0000` },
        ip: user.ip,
      }),
      'password',
    );
  });

  it('is refused in live-channel frames', async () => {
    const script: Script = { steps: [{ title: 'ask', actions: [{ ask: 'Ready?', default: 'yes' }] }] };
    const user = await registerUser('bad-text-live');
    const { stub } = await ownedProjectObject({ ownerId: user.id, description: JSON.stringify(script) });
    const viewer = await connect(stub, { userId: user.id });
    viewer.send({ type: 'chat', text: NUL, kind: 'message' });
    const error = await viewer.waitFor(isType('error'));
    expect(error).toMatchObject({ code: 'bad_frame', message: expect.stringMatching(/^text: .*NUL/) });
    viewer.close();
  });
});
