import { describe, expect, it } from 'vitest';
import { buildZip, type ZipEntry } from '../src/projects/zip.ts';
import { call, errorOf } from './helpers/api.ts';
import { unzip } from './helpers/unzip.ts';
import { registerUser, type TestUser } from './helpers/users.ts';

const text = (s: string) => new TextEncoder().encode(s);
/** A PNG's signature, then every byte value: not text. */
const PNG = Uint8Array.from([
  0x89,
  0x50,
  0x4e,
  0x47,
  0x0d,
  0x0a,
  0x1a,
  0x0a,
  ...Array.from({ length: 256 }, (_, i) => i),
]);
const PACKAGE_JSON = '{ "name": "shop", "scripts": { "start": "node server.js" } }\n';
const SERVER_JS =
  'import http from "node:http";\r\nhttp.createServer((q, s) => s.end("hi")).listen(3000);\r\n';

function upload(user: TestUser, body: BodyInit, query = '', type = 'application/zip') {
  return call(`/api/projects/import${query}`, {
    method: 'POST',
    token: user.accessToken,
    ip: user.ip,
    headers: { 'content-type': type },
    body: body as string,
  });
}

const zipOf = (entries: ZipEntry[]) => buildZip(entries, new Date('2026-12-01T00:00:00Z'));

interface ImportBody {
  project: { id: string; name: string; description: string };
  files: number;
  skipped: { reason: string; count: number; examples: string[] }[];
}

describe('POST /api/projects/import', () => {
  it('creates a project from a zip: one top folder unwrapped, tool folders skipped and counted, a binary file kept byte-exact', async () => {
    const user = await registerUser('import');
    const archive = await zipOf([
      {
        path: 'shop/package.json',
        data: text('{ "name": "shop", "scripts": { "start": "node server.js" } }\n'),
      },
      { path: 'shop/server.js', data: text(SERVER_JS) },
      { path: 'shop/public/logo.png', data: PNG },
      { path: 'shop/node_modules/left-pad/index.js', data: text('module.exports = 1;\n') },
      { path: 'shop/.git/HEAD', data: text('ref: refs/heads/main\n') },
    ]);
    const res = await upload(user, archive, '?file=shop.zip');
    expect(res.status).toBe(201);
    const body = await res.json<ImportBody>();
    expect(body.project).toMatchObject({ name: 'shop', description: 'Imported from shop.zip: 3 files.' });
    expect(body.files).toBe(3);
    expect(body.skipped).toEqual([
      { reason: 'dependencies', count: 1, examples: ['shop/node_modules/left-pad/index.js'] },
      { reason: 'version control', count: 1, examples: ['shop/.git/HEAD'] },
    ]);
    const id = body.project.id;
    const get = (path: string) =>
      call(`/api/projects/${id}${path}`, { token: user.accessToken, ip: user.ip });

    // The file tree shows the image as binary; reading it gives its base64, not text.
    expect(await (await get('/files')).json()).toEqual({
      branch: 0,
      files: [
        { path: 'package.json', version: 1, size: PACKAGE_JSON.length },
        { path: 'public/logo.png', version: 1, size: PNG.length, binary: true },
        { path: 'server.js', version: 1, size: SERVER_JS.length },
      ],
    });
    const logo = await (
      await get('/files/content?path=public/logo.png')
    ).json<{ content: string; binary: boolean }>();
    expect(logo.binary).toBe(true);
    expect(Uint8Array.from(atob(logo.content), (ch) => ch.charCodeAt(0))).toEqual(PNG);

    // The export gives every file back byte for byte.
    const exported = await unzip(new Uint8Array(await (await get('/export')).arrayBuffer()));
    const byPath = new Map(exported.map((e) => [e.path, e.data]));
    expect([...byPath.keys()].sort()).toEqual([
      'shop/package.json',
      'shop/public/logo.png',
      'shop/server.js',
    ]);
    expect(byPath.get('shop/public/logo.png')).toEqual(PNG);
    expect(byPath.get('shop/server.js')).toEqual(text(SERVER_JS));

    // Another user cannot see it.
    const stranger = await registerUser('import-stranger');
    for (const path of ['', '/files', '/export']) {
      const res = await call(`/api/projects/${id}${path}`, { token: stranger.accessToken, ip: stranger.ip });
      expect(res.status).toBe(404);
    }
  });

  it('refuses what it cannot take, in the error envelope, naming the limit', async () => {
    const user = await registerUser('import-limits');
    const tooBig = await upload(user, new Uint8Array(10 * 1024 * 1024 + 1));
    expect(tooBig.status).toBe(413);
    expect(await errorOf(tooBig)).toMatchObject({
      code: 'payload_too_large',
      message: expect.stringMatching(/10485760 bytes/),
    });

    const notZip = await upload(user, text('just some text, long enough to look for a directory in it'));
    expect(notZip.status).toBe(422);
    expect(await errorOf(notZip)).toMatchObject({
      code: 'validation_failed',
      message: expect.stringMatching(/not a zip/),
    });

    const empty = await upload(user, await zipOf([{ path: 'app/node_modules/x.js', data: text('x') }]));
    expect(empty.status).toBe(422);
    expect((await errorOf(empty)).message).toMatch(/no files of the app itself/);

    const traversal = await upload(user, await zipOf([{ path: '../../etc/cron.d/x', data: text('x') }]));
    expect(traversal.status).toBe(422);
    expect((await errorOf(traversal)).message).toMatch(/points outside the project/);

    const many = await zipOf(
      Array.from({ length: 2001 }, (_, i) => ({ path: `f${i}.txt`, data: text('x') })),
    );
    const tooMany = await upload(user, many);
    expect(tooMany.status).toBe(413);
    expect((await errorOf(tooMany)).message).toMatch(/limit is 2,000/);

    const json = await upload(user, '{}', '', 'application/json');
    expect(json.status).toBe(415);

    // None of the refused uploads left a project behind.
    const list = await call('/api/projects', { token: user.accessToken, ip: user.ip });
    expect((await list.json<{ items: unknown[] }>()).items).toEqual([]);
  });
});
