import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { harness, type Harness } from '../project-object/testing/harness.ts';
import { GitStore } from '../project-object/storage/git-store.ts';
import { FilesApi } from '../project-object/files-api.ts';
import { GitHistory, repositoryRefs } from './history.ts';
import { UPLOAD_PACK_TYPES, advertiseRefs, uploadPack } from './upload-pack.ts';

const dir = mkdtempSync(join(tmpdir(), 'git-history-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The stock git client, run without blocking (the server answering it runs in this process). */
const git = async (cwd: string, ...args: string[]) =>
  (
    await promisify(execFile)('git', ['-C', cwd, ...args], {
      encoding: 'utf8',
      env: { ...process.env, GIT_TERMINAL_PROMPT: '0', GIT_CONFIG_NOSYSTEM: '1', HOME: dir },
    })
  ).stdout;

/** A project whose history is served by a loopback HTTP server speaking git's smart protocol. */
function served(h: Harness) {
  const store = new GitStore(h.sql);
  const history = new GitHistory(store, () => 'u1');
  const refs = () => repositoryRefs(store, h.journal.run().branch);
  const server: Server = createServer((req, res) => {
    void (async () => {
      await history.complete();
      if (req.method === 'GET' && req.url?.endsWith('/info/refs?service=git-upload-pack')) {
        res.writeHead(200, { 'content-type': UPLOAD_PACK_TYPES.advertisement });
        res.end(advertiseRefs(refs()));
        return;
      }
      const chunks: Buffer[] = [];
      for await (const chunk of req) chunks.push(chunk as Buffer);
      res.writeHead(200, { 'content-type': UPLOAD_PACK_TYPES.result });
      res.end(await uploadPack(store, refs(), new Uint8Array(Buffer.concat(chunks))));
    })();
  });
  return { store, history, server };
}

const script = {
  steps: [
    {
      title: 'Write the spec',
      actions: [{ write: 'README.md', content: '# Notes\n' }],
    },
    { title: 'Plan the tasks', actions: [{ say: 'planned' }] },
    {
      title: 'Implement the list',
      task: 'Show the notes',
      actions: [
        { write: 'src/app.js', content: 'export const app = 1;\n' },
        { write: 'src/lib/list.js', content: 'export const list = [];\n' },
        { write: 'test/app.test.js', content: 'test\n' },
      ],
    },
    {
      title: 'Fix the list',
      task: 'Show the notes',
      actions: [
        { write: 'src/lib/list.js', content: 'export const list = ["a"];\n' },
        { delete: 'test/app.test.js' },
      ],
    },
  ],
};

describe("the project's git history", () => {
  let h: Harness;
  let url: string;
  let serverOf: ReturnType<typeof served>;

  beforeAll(async () => {
    h = harness({ script });
    h.controls.start();
    await h.drain();
    serverOf = served(h);
    await new Promise<void>((resolve) => serverOf.server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(serverOf.server.address() as AddressInfo).port}/p1.git`;
  });
  afterAll(() => new Promise<void>((resolve) => serverOf.server.close(() => resolve())));

  it('is cloned by the stock git client: one commit per step, authors, messages and trailers, files as the project has them', async () => {
    const clone = join(dir, 'clone');
    await git(dir, 'clone', '-q', url, clone);
    expect(
      await git(
        clone,
        'log',
        '--format=%an <%ae>|%s|%(trailers:key=Task,valueonly,separator=)|%(trailers:key=Samokoder-Step,valueonly,separator=)',
      ),
    ).toBe(
      [
        'Samokoder script <script@agents.noreply.samokoder>|Fix the list|Show the notes|4',
        'Samokoder script <script@agents.noreply.samokoder>|Implement the list|Show the notes|3',
        'Samokoder script <script@agents.noreply.samokoder>|Plan the tasks||2',
        'Samokoder script <script@agents.noreply.samokoder>|Write the spec||1',
        '',
      ].join('\n'),
    );
    expect((await git(clone, 'ls-files')).split('\n').filter(Boolean)).toEqual([
      'README.md',
      'src/app.js',
      'src/lib/list.js',
    ]);
    expect(readFileSync(join(clone, 'src/lib/list.js'), 'utf8')).toBe('export const list = ["a"];\n');
    expect(await git(clone, 'fsck', '--strict', '--no-dangling')).toBe('');
    expect((await git(clone, 'rev-parse', '--abbrev-ref', 'HEAD')).trim()).toBe('main');
  });

  it("writes a step's commit by rewriting only the trees on its changed paths", async () => {
    const before = h.sql.one<{ n: number }>("SELECT count(*) AS n FROM git_objects WHERE type = 'tree'")!.n;
    // A user's edit deep in one directory: the root, `src` and `src/lib` are new; `test` is untouched.
    const api = new FilesApi(h.files, h.journal, { emit: () => {} } as never);
    await api.save('src/lib/list.js', 'export const list = ["a", "b"];\n');
    expect(await serverOf.history.catchUp()).toBe(1);
    const after = h.sql.one<{ n: number }>("SELECT count(*) AS n FROM git_objects WHERE type = 'tree'")!.n;
    expect(after - before).toBe(3);
    // Nothing new: nothing written, however often it is asked.
    expect(await serverOf.history.catchUp()).toBe(0);
  });

  it('brings a later step and a user edit with `git fetch`, and a rollback branch forks at its step', async () => {
    const clone = join(dir, 'clone');
    expect(h.controls.rollback(3).ok).toBe(true);
    h.controls.resume();
    await h.drain();
    await git(clone, 'fetch', '-q', 'origin');
    expect(await git(clone, 'log', '-1', '--format=%an <%ae>|%s', 'origin/main')).toBe(
      'Samokoder user <u1@users.noreply.samokoder>|Edit src/lib/list.js\n',
    );
    expect(await git(clone, 'show', 'origin/main:src/lib/list.js')).toBe('export const list = ["a", "b"];\n');
    const branches = (await git(clone, 'branch', '-r', '--format=%(refname:short)'))
      .split('\n')
      .filter(Boolean);
    expect(branches).toContain('origin/rollback-1');
    // The rollback re-ran the fix on its own branch, whose parent is the commit of step 3.
    expect((await git(clone, 'log', '--format=%s', 'origin/rollback-1')).split('\n').filter(Boolean)).toEqual(
      ['Fix the list', 'Implement the list', 'Plan the tasks', 'Write the spec'],
    );
    expect((await git(clone, 'merge-base', 'origin/main', 'origin/rollback-1')).trim()).toBe(
      serverOf.store.commitOfStep(3),
    );
    expect(await git(clone, 'fsck', '--strict', '--no-dangling')).toBe('');
  });
});

describe('the history of a project made before it was kept', () => {
  it('is caught up in bounded batches, each commit once, the same commits as one catch-up', async () => {
    const steps = Array.from({ length: 5 }, (_, i) => ({
      title: `Step ${i + 1}`,
      actions: [{ write: `src/${i}.js`, content: `${i}\n` }],
    }));
    const h = harness({ script: { steps } });
    h.controls.start();
    await h.drain();
    const store = new GitStore(h.sql);
    const history = new GitHistory(store, () => 'u1');
    expect([await history.catchUp(2), await history.catchUp(2), await history.catchUp(2)]).toEqual([2, 2, 1]);
    expect(await history.catchUp()).toBe(0);
    const batched = [1, 2, 3, 4, 5].map((id) => store.commitOfStep(id));

    const again = harness({ script: { steps } });
    again.controls.start();
    await again.drain();
    const whole = new GitStore(again.sql);
    await new GitHistory(whole, () => 'u1').complete();
    expect([1, 2, 3, 4, 5].map((id) => whole.commitOfStep(id))).toEqual(batched);
  });
});
