import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ListFilesResponse, ReadFileResponse, SandboxInfo } from '../src/contract.ts';
import { startRunner } from './helpers.ts';
import type { Client, TestRunner } from './helpers.ts';

let runner: TestRunner;
let client: Client;
let sandbox: SandboxInfo;
let files: string;
beforeAll(async () => {
  runner = await startRunner({ maxFileBytes: 1024 * 1024, bodyLimitBytes: 4 * 1024 * 1024 });
  client = runner.client();
  sandbox = await client.create({ limits: { workspaceMb: 16 } });
  files = `/v1/sandboxes/${sandbox.id}/files`;
  // Symlinks a hostile program (or a careless one) could leave in the workspace.
  await client.sh(
    sandbox.id,
    'ln -s /etc etc-link && ln -s /etc/passwd passwd-link && ln -s /tmp tmp-link && ln -s /tmp/nowhere dangling && mkdir inner && ln -s inner inner-link',
  );
});
afterAll(() => runner.close());

type ErrorRes = { error: { code: string; message: string } };
const q = (params: Record<string, string>) => `?${new URLSearchParams(params)}`;

describe('files', () => {
  it('writes a batch, reads it back, lists and deletes', async () => {
    const write = await client.request('PUT', files, {
      files: [
        { path: 'src/index.js', content: 'console.log("hi")\n' },
        { path: 'bin/run.sh', content: '#!/bin/sh\necho ran\n', mode: 0o755 },
        { path: 'data.bin', content: Buffer.from([0, 1, 2, 255]).toString('base64'), encoding: 'base64' },
      ],
    });
    expect(write).toEqual({ status: 200, body: { written: 3, bytes: 18 + 19 + 4 } });
    expect(await client.sh(sandbox.id, './bin/run.sh && node src/index.js')).toBe('ran\nhi\n');

    const text = await client.request<ReadFileResponse>(
      'GET',
      `${files}/content${q({ path: 'src/index.js' })}`,
    );
    expect(text.body).toEqual({
      path: 'src/index.js',
      content: 'console.log("hi")\n',
      encoding: 'utf8',
      size: 18,
    });
    const bin = await client.request<ReadFileResponse>(
      'GET',
      `${files}/content${q({ path: 'data.bin', encoding: 'base64' })}`,
    );
    expect(Buffer.from(bin.body.content, 'base64')).toEqual(Buffer.from([0, 1, 2, 255]));

    const list = await client.request<ListFilesResponse>('GET', `${files}${q({ depth: '2' })}`);
    const paths = list.body.entries.map((e) => `${e.type}:${e.path}`);
    expect(paths).toEqual(
      expect.arrayContaining(['dir:src', 'file:src/index.js', 'file:bin/run.sh', 'symlink:etc-link']),
    );
    // symlinks are listed, never followed
    expect(paths.some((p) => p.startsWith('file:etc-link/'))).toBe(false);

    expect((await client.request('DELETE', `${files}${q({ path: 'src' })}`)).status).toBe(400);
    expect((await client.request('DELETE', `${files}${q({ path: 'src', recursive: 'true' })}`)).status).toBe(
      204,
    );
    expect((await client.request('GET', `${files}/content${q({ path: 'src/index.js' })}`)).status).toBe(404);
  });

  it('follows a symlink that stays inside the workspace', async () => {
    await client.request('PUT', files, { files: [{ path: 'inner-link/through.txt', content: 'ok' }] });
    const read = await client.request<ReadFileResponse>(
      'GET',
      `${files}/content${q({ path: 'inner/through.txt' })}`,
    );
    expect(read.body.content).toBe('ok');
  });

  describe('refuses path traversal in every file API', () => {
    const escapes = ['../etc/passwd', 'a/../../etc/passwd', '/etc/passwd', '/workspace/x', '..'];
    const symlinkEscapes = ['etc-link/passwd', 'passwd-link', 'tmp-link/planted', 'dangling', 'etc-link'];

    it.each(escapes)('lexical escape %s', async (path) => {
      const read = await client.request<ErrorRes>('GET', `${files}/content${q({ path })}`);
      const list = await client.request<ErrorRes>('GET', `${files}${q({ path })}`);
      const del = await client.request<ErrorRes>('DELETE', `${files}${q({ path, recursive: 'true' })}`);
      const write = await client.request<ErrorRes>('PUT', files, { files: [{ path, content: 'x' }] });
      for (const res of [read, list, del, write]) {
        expect(res.status).toBe(400);
        expect(res.body.error.code).toBe('invalid_path');
      }
    });

    it.each(symlinkEscapes)('symlink escape %s', async (path) => {
      const read = await client.request<ErrorRes>('GET', `${files}/content${q({ path })}`);
      const list = await client.request<ErrorRes>('GET', `${files}${q({ path })}`);
      const write = await client.request<ErrorRes>('PUT', files, { files: [{ path, content: 'planted' }] });
      for (const res of [read, list, write]) {
        expect(res.status).toBe(400);
        expect(res.body.error.code).toBe('path_outside_workspace');
      }
      if (path.includes('/')) {
        const del = await client.request<ErrorRes>('DELETE', `${files}${q({ path })}`);
        expect(del.status).toBe(400);
      }
    });

    it('wrote nothing outside and deleting a link removes only the link', async () => {
      expect(await client.sh(sandbox.id, 'ls /tmp; test -e /tmp/nowhere && echo bad || echo clean')).toBe(
        'clean\n',
      );
      expect((await client.request('DELETE', `${files}${q({ path: 'passwd-link' })}`)).status).toBe(204);
      expect(await client.sh(sandbox.id, 'head -1 /etc/passwd')).toBe('root:x:0:0:root:/root:/bin/sh\n');
    });

    it('refuses a cwd that leads out through a symlink', async () => {
      const res = await client.request<ErrorRes>('POST', `/v1/sandboxes/${sandbox.id}/exec`, {
        command: 'pwd',
        cwd: 'etc-link',
      });
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe('path_outside_workspace');
    });
  });

  it('refuses a huge single file and a huge body, and stays healthy', async () => {
    const big = await client.request<ErrorRes>('PUT', files, {
      files: [{ path: 'big.txt', content: 'x'.repeat(1024 * 1024 + 1) }],
    });
    expect(big.status).toBe(413);
    expect(big.body.error.code).toBe('file_too_large');
    const huge = await client.request<ErrorRes>('PUT', files, {
      files: [{ path: 'huge.txt', content: 'x'.repeat(5 * 1024 * 1024) }],
    });
    expect(huge.status).toBe(413);
    expect(huge.body.error.code).toBe('payload_too_large');
    expect(await client.sh(sandbox.id, 'ls big.txt huge.txt 2>/dev/null | wc -l')).toBe('0\n');
    expect((await fetch(`${runner.base}/healthz`)).status).toBe(200);
  });

  it('refuses to read a file larger than the limit', async () => {
    await client.sh(sandbox.id, 'head -c 1100000 /dev/zero > large.bin');
    const res = await client.request<ErrorRes>('GET', `${files}/content${q({ path: 'large.bin' })}`);
    expect(res.status).toBe(413);
    await client.sh(sandbox.id, 'rm large.bin');
  });

  it('answers workspace_full when the workspace is full', async () => {
    await client.exec(sandbox.id, { command: 'head -c 20000000 /dev/zero > filler' });
    const res = await client.request<ErrorRes>('PUT', files, {
      files: [{ path: 'more.txt', content: 'y'.repeat(200_000) }],
    });
    expect(res.status).toBe(507);
    expect(res.body.error.code).toBe('workspace_full');
    await client.sh(sandbox.id, 'rm filler');
    expect((await client.request('PUT', files, { files: [{ path: 'more.txt', content: 'y' }] })).status).toBe(
      200,
    );
  });
});
