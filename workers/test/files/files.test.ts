import { describe, expect, it } from 'vitest';
import type { Script } from '../../src/testing/scripted-pipeline.ts';
import { settled } from '../project-object/helpers.ts';
import { ownedProjectObject } from '../project-object/pg.ts';
import { call, errorOf } from '../helpers/api.ts';
import { registerUser, type TestUser } from '../helpers/users.ts';

const script: Script = {
  steps: [
    { title: 'write', actions: [{ write: 'src/app.js', content: 'const a = 1;\nconst b = 2;\n' }] },
    { title: 'wait', actions: [{ ask: 'Ready?', default: 'yes' }] },
    { title: 'copy', actions: [{ copy: 'src/app.js', to: 'copy.js' }] },
  ],
};

async function startedProject(user: TestUser) {
  const { projectId, stub } = await ownedProjectObject({
    ownerId: user.id,
    description: JSON.stringify(script),
  });
  await stub.control('start');
  await settled(stub, ['waiting']);
  return { projectId, stub };
}

describe('/api/projects/:id/files', () => {
  it("serves the tree and versions, saves a user's edit the agents then read, and diffs versions", async () => {
    const user = await registerUser('files');
    const { projectId, stub } = await startedProject(user);
    const get = (path: string) =>
      call(`/api/projects/${projectId}/files${path}`, { token: user.accessToken, ip: user.ip });

    const tree = await get('');
    expect(tree.status).toBe(200);
    expect(await tree.json()).toEqual({ branch: 0, files: [{ path: 'src/app.js', version: 1, size: 26 }] });

    const save = (content: string, baseVersion?: number) =>
      call(`/api/projects/${projectId}/files/content`, {
        method: 'PUT',
        token: user.accessToken,
        ip: user.ip,
        json: { path: 'src/app.js', content, ...(baseVersion === undefined ? {} : { baseVersion }) },
      });
    const saved = await save('const a = 1;\nconst b = 3;\n', 1);
    expect(saved.status).toBe(200);
    expect(await saved.json()).toEqual({ path: 'src/app.js', version: 2, op: 'update', size: 26 });
    const stale = await save('lost edit', 1);
    expect(stale.status).toBe(409);
    expect((await errorOf(stale)).message).toMatch(/version 2/);

    const v1 = await get('/content?path=src/app.js&version=1');
    expect(await v1.json()).toMatchObject({
      version: 1,
      content: 'const a = 1;\nconst b = 2;\n',
      author: 'agent',
      stepId: 1,
    });
    const latest = await get('/content?path=src/app.js');
    expect(await latest.json()).toMatchObject({
      version: 2,
      content: 'const a = 1;\nconst b = 3;\n',
      author: 'user',
      stepId: null,
    });

    const diff = await get('/diff?path=src/app.js&from=1&to=2');
    expect(await diff.json()).toMatchObject({
      from: 1,
      to: 2,
      diff: { added: 1, removed: 1, unified: '@@ -1,2 +1,2 @@\n const a = 1;\n-const b = 2;\n+const b = 3;' },
    });
    const history = await get('/history?path=src/app.js');
    expect(
      (await history.json<{ versions: { version: number; author: string }[] }>()).versions,
    ).toMatchObject([
      { version: 2, author: 'user' },
      { version: 1, author: 'agent' },
    ]);

    // The agents see the edit: the next step copies the file as it reads it.
    const { openQuestion } = await stub.status();
    expect((await stub.answer(openQuestion!.questionId, 'yes')).ok).toBe(true);
    await settled(stub, ['completed']);
    const copy = await get('/content?path=copy.js');
    expect(await copy.json()).toMatchObject({ content: 'const a = 1;\nconst b = 3;\n', stepId: 3 });
    const changes = await get('/changes?step=3');
    expect(await changes.json()).toMatchObject({
      stepId: 3,
      changes: [{ path: 'copy.js', version: 1, op: 'create' }],
    });
  });

  it('answers unknown files, bad paths and other users with the error envelope', async () => {
    const user = await registerUser('files');
    const { projectId } = await startedProject(user);
    const get = (path: string, who = user) =>
      call(`/api/projects/${projectId}/files${path}`, { token: who.accessToken, ip: who.ip });
    expect((await get('/content?path=nope.js')).status).toBe(404);
    expect((await get('/content?path=src/app.js&version=9')).status).toBe(404);
    const bad = await get('/content?path=../etc/passwd');
    expect(bad.status).toBe(422);
    expect((await errorOf(bad)).fields).toEqual([{ path: 'path', message: 'Not an acceptable file path.' }]);
    expect((await get('/changes?step=999')).status).toBe(404);
    const intruder = await registerUser('intruder');
    const foreign = await get('', intruder);
    expect(foreign.status).toBe(404);
    expect((await errorOf(foreign)).code).toBe('not_found');
    const write = await call(`/api/projects/${projectId}/files/content`, {
      method: 'PUT',
      token: intruder.accessToken,
      ip: intruder.ip,
      json: { path: 'x.js', content: 'x' },
    });
    expect(write.status).toBe(404);
    expect((await get('')).status).toBe(200);
    expect((await call(`/api/projects/${projectId}/files`)).status).toBe(401);
  });
});

describe('POST /api/projects/:id/preview', () => {
  it('says why there is no preview yet, and is the owner’s only', async () => {
    const user = await registerUser('preview');
    const { projectId } = await startedProject(user);
    const res = await call(`/api/projects/${projectId}/preview`, {
      method: 'POST',
      token: user.accessToken,
      ip: user.ip,
    });
    expect(res.status).toBe(409);
    expect((await errorOf(res)).message).toMatch(/has not been started yet/);
    const other = await registerUser('preview-other');
    const stranger = await call(`/api/projects/${projectId}/preview`, {
      method: 'POST',
      token: other.accessToken,
      ip: other.ip,
    });
    expect(stranger.status).toBe(404);
    expect((await call(`/api/projects/${projectId}/preview`, { method: 'POST' })).status).toBe(401);
  });
});
