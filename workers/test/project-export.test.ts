import { schema } from '@samokoder/db';
import { describe, expect, it } from 'vitest';
import type { Script } from '../src/testing/scripted-pipeline.ts';
import { settled } from './project-object/helpers.ts';
import { ownedProjectObject } from './project-object/pg.ts';
import { call, errorOf } from './helpers/api.ts';
import { withDb } from './helpers/db.ts';
import { createProject } from './helpers/projects.ts';
import { unzip } from './helpers/unzip.ts';
import { registerUser } from './helpers/users.ts';

const text = (bytes: Uint8Array) => new TextDecoder().decode(bytes);

/** Snapshots are written by the project's Durable Object at task boundaries; the tests write them directly. */
async function addSnapshot(
  projectId: string,
  stepId: number,
  files: { path: string; content: string; binary?: boolean }[],
  createdAt: Date,
): Promise<void> {
  await withDb((db) =>
    db.insert(schema.projectSnapshots).values({
      projectId,
      stepId,
      label: `task ${stepId}`,
      fileCount: files.length,
      totalBytes: files.reduce((n, f) => n + f.content.length, 0),
      files,
      createdAt,
    }),
  );
}

describe('export', () => {
  it('downloads the latest snapshot as a zip that unpacks to the project’s files', async () => {
    const user = await registerUser('export');
    const project = await createProject(user, { name: 'Todo App' });
    await addSnapshot(
      project.id,
      3,
      [{ path: 'old.txt', content: 'from an older task' }],
      new Date(Date.now() - 60_000),
    );
    const source = 'export function add(a, b) {\n  return a + b;\n}\n'.repeat(50);
    await addSnapshot(
      project.id,
      7,
      [
        { path: 'package.json', content: '{"name":"todo-app"}' },
        { path: 'src/math.js', content: source },
        {
          path: 'public/pixel.png',
          content: btoa(String.fromCharCode(0x89, 0x50, 0x4e, 0x47, 0, 255)),
          binary: true,
        },
        { path: '../../escape.sh', content: 'echo pwned' },
      ],
      new Date(),
    );

    const res = await call(`/api/projects/${project.id}/export`, { token: user.accessToken });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/zip');
    expect(res.headers.get('content-disposition')).toBe('attachment; filename="todo-app.zip"');
    const entries = await unzip(new Uint8Array(await res.arrayBuffer()));
    expect(entries.map((e) => e.path)).toEqual([
      'todo-app/package.json',
      'todo-app/public/pixel.png',
      'todo-app/src/math.js',
    ]);
    const byPath = new Map(entries.map((e) => [e.path, e]));
    expect(text(byPath.get('todo-app/src/math.js')!.data)).toBe(source);
    expect(byPath.get('todo-app/src/math.js')!.method).toBe(8);
    expect(Array.from(byPath.get('todo-app/public/pixel.png')!.data)).toEqual([
      0x89, 0x50, 0x4e, 0x47, 0, 255,
    ]);
    expect(text(byPath.get('todo-app/package.json')!.data)).toBe('{"name":"todo-app"}');
  });

  it('downloads the files as they are now: what came after the last task and a user’s edit are in it', async () => {
    const user = await registerUser('export-current');
    const script: Script = {
      steps: [
        {
          title: 'build',
          task: 'Build',
          endsTask: true,
          actions: [{ write: 'src/app.js', content: 'console.log(1);\n' }],
        },
        { title: 'document', actions: [{ write: 'README.md', content: '# Todo\n' }] },
      ],
    };
    const { projectId, stub } = await ownedProjectObject({
      ownerId: user.id,
      description: JSON.stringify(script),
    });
    await stub.control('start');
    await settled(stub, ['completed']);
    const saved = await call(`/api/projects/${projectId}/files/content`, {
      method: 'PUT',
      token: user.accessToken,
      json: { path: 'src/app.js', content: 'console.log(2);\n' },
    });
    expect(saved.status).toBe(200);

    const res = await call(`/api/projects/${projectId}/export`, { token: user.accessToken });
    expect(res.status).toBe(200);
    const entries = await unzip(new Uint8Array(await res.arrayBuffer()));
    expect(entries.map((e) => [e.path, text(e.data)])).toEqual([
      ['agent-test/README.md', '# Todo\n'],
      ['agent-test/src/app.js', 'console.log(2);\n'],
    ]);
  });

  it('says so when the project has no files yet', async () => {
    const user = await registerUser('export-empty');
    const project = await createProject(user);
    const res = await call(`/api/projects/${project.id}/export`, { token: user.accessToken });
    expect(res.status).toBe(404);
    expect((await errorOf(res)).message).toBe('This project has no files to export yet.');
  });

  it('is 404 for another user’s project, without any of its files', async () => {
    const owner = await registerUser('export-owner');
    const intruder = await registerUser('export-intruder');
    const project = await createProject(owner);
    await addSnapshot(project.id, 1, [{ path: 'secret.txt', content: 'owner only' }], new Date());
    const res = await call(`/api/projects/${project.id}/export`, { token: intruder.accessToken });
    expect(res.status).toBe(404);
    expect(res.headers.get('content-type')).toMatch(/json/);
    expect(await res.text()).not.toContain('owner only');
  });
});
