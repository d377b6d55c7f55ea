import { beforeAll, describe, expect, inject, it } from 'vitest';
import { call, errorOf } from './helpers/api.ts';
import {
  IMPORTABLE_SKIPPED,
  IMPORTABLE_TEXT_FILES,
  LOGO_PATH,
  LOGO_PNG,
  OTHER_BRANCH,
  OTHER_BRANCH_FILE,
} from './helpers/importable-repository.ts';
import { unzip } from './helpers/unzip.ts';
import { registerUser, type TestUser } from './helpers/users.ts';

const served = inject('importableRepository');
const text = (s: string) => new TextEncoder().encode(s);

function importRepository(user: TestUser, body: Record<string, unknown>): Promise<Response> {
  return call('/api/projects/import/repository', {
    method: 'POST',
    json: body,
    token: user.accessToken,
    ip: user.ip,
  });
}

interface ImportBody {
  project: { id: string; name: string; description: string };
  files: number;
  skipped: { reason: string; count: number; examples: string[] }[];
}

let user: TestUser;
// The file's first request also starts the Worker, which on a busy machine takes longer than a test may.
beforeAll(async () => {
  user = await registerUser('import-repo');
});

describe('POST /api/projects/import/repository', () => {
  it('creates a project from the latest commit of the default branch: binaries byte-exact, dependencies, links and submodules left out', async () => {
    const res = await importRepository(user, { url: served.url, token: served.token });
    expect(res.status).toBe(201);
    const resText = await res.text();
    expect(resText).not.toContain(served.token);
    const body = JSON.parse(resText) as ImportBody;
    expect(body.project).toMatchObject({
      name: 'importable',
      description: `Imported from ${served.url} (main): 4 files.`,
    });
    expect(body.files).toBe(4);
    expect(body.skipped).toEqual([
      { reason: 'dependencies', count: 1, examples: [IMPORTABLE_SKIPPED.dependencies] },
      { reason: 'symbolic links', count: 1, examples: [IMPORTABLE_SKIPPED.symlink] },
      { reason: 'submodules', count: 1, examples: [IMPORTABLE_SKIPPED.submodule] },
    ]);
    const id = body.project.id;
    const get = (path: string) =>
      call(`/api/projects/${id}${path}`, { token: user.accessToken, ip: user.ip });

    // The branch as its latest commit has it: neither a file the first commit had nor one of another branch.
    const files = await (await get('/files')).json<{ files: { path: string; binary?: boolean }[] }>();
    expect(files.files.map((f) => [f.path, f.binary ?? false])).toEqual([
      ['package.json', false],
      [LOGO_PATH, true],
      ['src/lib/format.js', false],
      ['src/server.js', false],
    ]);

    // The export gives every file back byte for byte.
    const exported = await unzip(new Uint8Array(await (await get('/export')).arrayBuffer()));
    const byPath = new Map(exported.map((e) => [e.path.slice(e.path.indexOf('/') + 1), e.data]));
    expect(byPath.get(LOGO_PATH)).toEqual(LOGO_PNG);
    for (const [path, content] of Object.entries(IMPORTABLE_TEXT_FILES)) {
      expect(byPath.get(path)).toEqual(text(content));
    }

    // Another user cannot see it.
    const stranger = await registerUser('import-repo-stranger');
    for (const path of ['', '/files', '/export']) {
      const res = await call(`/api/projects/${id}${path}`, { token: stranger.accessToken, ip: stranger.ip });
      expect(res.status).toBe(404);
    }
  });

  it('takes the branch asked for', async () => {
    const user = await registerUser('import-repo-branch');
    const res = await importRepository(user, {
      url: served.url,
      token: served.token,
      branch: OTHER_BRANCH,
      name: 'Next kiosk',
    });
    expect(res.status).toBe(201);
    const body = await res.json<ImportBody>();
    expect(body).toMatchObject({ project: { name: 'Next kiosk' }, files: 5 });
    const files = await (
      await call(`/api/projects/${body.project.id}/files`, { token: user.accessToken, ip: user.ip })
    ).json<{ files: { path: string }[] }>();
    expect(files.files.map((f) => f.path)).toContain(OTHER_BRANCH_FILE);
  });

  it('says what went wrong with the remote, in the error envelope, and leaves no project behind', async () => {
    const user = await registerUser('import-repo-errors');
    const wrongToken = `wrong-${crypto.randomUUID()}`;
    const refused = await importRepository(user, { url: served.url, token: wrongToken });
    expect(refused.status).toBe(422);
    const refusedText = await refused.text();
    expect(refusedText).not.toContain(wrongToken);
    expect(JSON.parse(refusedText)).toMatchObject({
      error: {
        code: 'validation_failed',
        message: expect.stringMatching(/refused the token/),
        fields: [{ path: 'token', message: expect.stringMatching(/refused the token/) }],
      },
    });

    const noBranch = await importRepository(user, { url: served.url, token: served.token, branch: 'gone' });
    expect(noBranch.status).toBe(404);
    expect(await errorOf(noBranch)).toMatchObject({
      code: 'not_found',
      message: expect.stringMatching(/no such repository or branch.*no branch "gone"/i),
    });

    const noRepository = await importRepository(user, {
      url: served.url.replace(/importable\.git$/, 'missing.git'),
      token: served.token,
    });
    expect(noRepository.status).toBe(404);
    expect((await errorOf(noRepository)).code).toBe('not_found');

    const badUrl = await importRepository(user, { url: 'ftp://example.com/app.git' });
    expect(badUrl.status).toBe(422);
    expect((await errorOf(badUrl)).fields).toEqual([{ path: 'url', message: expect.any(String) }]);

    // Nothing listens on port 1 of loopback: unreachable, worth a retry.
    const unreachable = await importRepository(user, { url: 'http://127.0.0.1:1/app.git' });
    expect(unreachable.status).toBe(503);
    expect(unreachable.headers.get('Retry-After')).toBeTruthy();
    expect((await errorOf(unreachable)).code).toBe('dependency_unavailable');

    const list = await call('/api/projects', { token: user.accessToken, ip: user.ip });
    expect((await list.json<{ items: unknown[] }>()).items).toEqual([]);
  });
});
