import { beforeAll, describe, expect, inject, it } from 'vitest';
import { call, errorOf } from './helpers/api.ts';
import { createProject } from './helpers/projects.ts';
import { registerUser, type TestUser } from './helpers/users.ts';

interface RemoteBody {
  url: string;
  branch: string;
  pushAfterTask: boolean;
  token: { set: true; last4: string; setAt: string };
  lastCheckOk: boolean | null;
}

const served = inject('gitRemote');

function connect(user: TestUser, projectId: string, body: Record<string, unknown>): Promise<Response> {
  return call(`/api/projects/${projectId}/remote`, { method: 'PUT', json: body, token: user.accessToken });
}

let owner: TestUser;
// The file's first request also starts the Worker, which on a busy machine takes longer than a test may.
beforeAll(async () => {
  owner = await registerUser('remote');
});

/** The owner and a fresh project of theirs. */
async function ownerWithProject(): Promise<{ user: TestUser; projectId: string }> {
  const project = await createProject(owner);
  return { user: owner, projectId: project.id };
}

describe('a project’s remote repository', () => {
  it('is connected with a token that is never shown again, and tested against the real remote', async () => {
    const { user, projectId } = await ownerWithProject();
    const res = await connect(user, projectId, { url: served.url, token: served.token, pushAfterTask: true });
    expect(res.status).toBe(201);
    const text = await res.text();
    expect(text).not.toContain(served.token);
    expect(JSON.parse(text)).toMatchObject({
      url: served.url,
      branch: 'main',
      pushAfterTask: true,
      token: { set: true, last4: served.token.slice(-4) },
      lastCheckOk: null,
    });

    const read = await call(`/api/projects/${projectId}/remote`, { token: user.accessToken });
    const readText = await read.text();
    expect(readText).not.toContain(served.token);
    expect(JSON.parse(readText)).toMatchObject({ remote: { url: served.url } });

    const check = await call(`/api/projects/${projectId}/remote/check`, {
      method: 'POST',
      token: user.accessToken,
    });
    expect(check.status).toBe(200);
    const checked = await check.json<{
      ok: boolean;
      result: string;
      branchExists: boolean;
      remote: RemoteBody;
    }>();
    expect(checked).toMatchObject({
      ok: true,
      result: 'ok',
      branchExists: false,
      remote: { lastCheckOk: true },
    });

    // An update without a token keeps it; a new URL needs a new one (a token never follows a URL elsewhere).
    const update = await connect(user, projectId, { url: served.url, branch: 'release/1.0' });
    expect(update.status).toBe(200);
    expect(await update.json<RemoteBody>()).toMatchObject({ branch: 'release/1.0', pushAfterTask: false });
    const moved = await connect(user, projectId, { url: `${served.url.replace(/\.git$/, '')}-other.git` });
    expect(moved.status).toBe(422);
    expect((await errorOf(moved)).fields).toEqual([{ path: 'token', message: expect.any(String) }]);
  });

  it('says when the remote refuses the token, without showing it', async () => {
    const { user, projectId } = await ownerWithProject();
    const wrong = `wrong-token-${crypto.randomUUID()}`;
    expect((await connect(user, projectId, { url: served.url, token: wrong })).status).toBe(201);
    const check = await call(`/api/projects/${projectId}/remote/check`, {
      method: 'POST',
      token: user.accessToken,
    });
    const text = await check.text();
    expect(text).not.toContain(wrong);
    expect(JSON.parse(text)).toMatchObject({
      ok: false,
      result: 'auth',
      message: expect.stringMatching(/refused the token/),
      remote: { lastCheckOk: false },
    });
  });

  it('is the owner’s alone: another user gets 404 for every route', async () => {
    const { user, projectId } = await ownerWithProject();
    await connect(user, projectId, { url: served.url, token: served.token });
    const other = await registerUser('remote-other');
    const asOther = (path: string, method: string, json?: unknown) =>
      call(`/api/projects/${projectId}/remote${path}`, { method, token: other.accessToken, json });
    for (const res of [
      await asOther('', 'GET'),
      await asOther('', 'PUT', { url: served.url, token: 'stolen-token' }),
      await asOther('', 'DELETE'),
      await asOther('/check', 'POST'),
      await asOther('/push', 'POST'),
    ]) {
      expect(res.status).toBe(404);
      expect((await errorOf(res)).code).toBe('not_found');
    }
    const mine = await call(`/api/projects/${projectId}/remote`, { token: user.accessToken });
    expect(await mine.json()).toMatchObject({ remote: { url: served.url } });
  });

  it('refuses URLs with credentials, other schemes or no repository path', async () => {
    const { user, projectId } = await ownerWithProject();
    for (const url of [
      'ftp://example.com/a.git',
      'https://me:pw@example.com/a.git',
      'https://example.com/',
      'nope',
    ]) {
      const res = await connect(user, projectId, { url, token: served.token });
      expect(res.status, url).toBe(422);
      expect((await errorOf(res)).fields?.[0]?.path).toBe('url');
    }
    const badBranch = await connect(user, projectId, {
      url: served.url,
      token: served.token,
      branch: 'a..b',
    });
    expect((await errorOf(badBranch)).fields?.[0]?.path).toBe('branch');
  });

  it('answers push and pull of a project with nothing to move honestly', async () => {
    const { user, projectId } = await ownerWithProject();
    const before = await call(`/api/projects/${projectId}/remote/push`, {
      method: 'POST',
      token: user.accessToken,
    });
    expect(before.status).toBe(409);
    expect((await errorOf(before)).message).toMatch(/Connect a repository/);
    await connect(user, projectId, { url: served.url, token: served.token });
    const push = await call(`/api/projects/${projectId}/remote/push`, {
      method: 'POST',
      token: user.accessToken,
    });
    expect(push.status).toBe(409);
    expect((await errorOf(push)).message).toMatch(/Nothing to push/);
    const pull = await call(`/api/projects/${projectId}/remote/pull`, {
      method: 'POST',
      token: user.accessToken,
    });
    expect(pull.status).toBe(409);
    expect((await errorOf(pull)).message).toMatch(/no branch main/);
    expect(
      (await call(`/api/projects/${projectId}/remote`, { method: 'DELETE', token: user.accessToken })).status,
    ).toBe(204);
    expect(
      await (await call(`/api/projects/${projectId}/remote`, { token: user.accessToken })).json(),
    ).toEqual({ remote: null });
  });
});
