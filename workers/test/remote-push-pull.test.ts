import { runInDurableObject } from 'cloudflare:test';
import { beforeEach, describe, expect, inject, it } from 'vitest';
import type { ProjectObject } from '../src/project-object/project-object.ts';
import type { Script } from '../src/testing/scripted-pipeline.ts';
import { call, errorOf } from './helpers/api.ts';
import { registerUser, type TestUser } from './helpers/users.ts';
import { scriptedProject, settled } from './project-object/helpers.ts';

const workbench = inject('gitWorkbench');

interface Repository {
  name: string;
  url: string;
  token: string;
}

interface LoggedCommit {
  id: string;
  parents: string[];
  author: string;
  subject: string;
}

/** A fresh, empty repository on the tests' git server. */
async function newRepository(): Promise<Repository> {
  const res = await fetch(`${workbench}/repos`, { method: 'POST' });
  expect(res.status).toBe(201);
  return res.json<Repository>();
}

/** `main`'s log on the remote, as the git CLI prints it, newest first. */
async function remoteLog(repo: Repository): Promise<LoggedCommit[]> {
  const res = await fetch(`${workbench}/repos/${repo.name}/log`);
  return (await res.json<{ commits: LoggedCommit[] }>()).commits;
}

/** `main`'s files on the remote and their modes (`100644`, `100755`), as `git ls-tree -r` lists them. */
async function remoteModes(repo: Repository): Promise<Record<string, string>> {
  const res = await fetch(`${workbench}/repos/${repo.name}/tree`);
  return res.json<Record<string, string>>();
}

/** A commit made elsewhere with the git CLI (a clone, a commit, a push); its id. */
async function commitElsewhere(
  repo: Repository,
  path: string,
  content: string,
  opts: { executable?: boolean; symlink?: boolean } = {},
): Promise<string> {
  const res = await fetch(`${workbench}/repos/${repo.name}/commit`, {
    method: 'POST',
    body: JSON.stringify({
      path,
      content,
      message: `Change ${path} elsewhere`,
      ...(opts.executable ? { executable: 'true' } : {}),
      ...(opts.symlink ? { symlink: 'true' } : {}),
    }),
  });
  expect(res.status).toBe(200);
  return (await res.json<{ commit: string }>()).commit;
}

function remoteAction(user: TestUser, projectId: string, action: 'push' | 'pull'): Promise<Response> {
  return call(`/api/projects/${projectId}/remote/${action}`, { method: 'POST', token: user.accessToken });
}

async function connectRemote(
  user: TestUser,
  projectId: string,
  repo: Repository,
  opts: { pushAfterTask?: boolean; token?: string } = {},
): Promise<void> {
  const res = await call(`/api/projects/${projectId}/remote`, {
    method: 'PUT',
    token: user.accessToken,
    json: { url: repo.url, token: opts.token ?? repo.token, pushAfterTask: opts.pushAfterTask ?? false },
  });
  expect([200, 201]).toContain(res.status);
}

const TWO_STEPS: Script = {
  steps: [
    { title: 'Write the page', actions: [{ write: 'index.html', content: '<h1>hi</h1>\n' }] },
    { title: 'Style it', actions: [{ write: 'style.css', content: 'h1 { color: red }\n' }] },
  ],
};

let owner: TestUser;
// A user (and so a client address and rate limits) per test: the file's tests together send more
// requests than one user's API limit allows in a window.
beforeEach(async () => {
  owner = await registerUser('push-pull');
});

describe('push and pull with a remote repository', () => {
  it('push the steps, pull a commit made elsewhere as a user’s step, merge, reject a stale push, show a conflict', async () => {
    const { stub, info } = await scriptedProject(TWO_STEPS, { ownerId: owner.id });
    const projectId = info.projectId;
    await stub.control('start');
    expect(await settled(stub, ['completed'])).toBe('completed');
    const repo = await newRepository();
    await connectRemote(owner, projectId, repo);

    // The project's commits reach the remote, one per step, the step's title as subject.
    const pushed = await remoteAction(owner, projectId, 'push');
    expect(pushed.status).toBe(200);
    const first = await pushed.json<{ result: string; commit: string; objects: number; previous: null }>();
    expect(first).toMatchObject({ result: 'pushed', branch: 'main', previous: null });
    expect(first.objects).toBeGreaterThan(0);
    const log = await remoteLog(repo);
    expect(log.map((c) => c.subject)).toEqual(['Style it', 'Write the page']);
    expect(log[0]!.id).toBe(first.commit);
    expect(await (await remoteAction(owner, projectId, 'push')).json()).toMatchObject({
      result: 'up_to_date',
    });

    // Someone commits on the remote: a push is rejected (the remote moved), and the pull brings it in.
    const elsewhere = await commitElsewhere(repo, 'docs/README.md', '# Made elsewhere\n');
    const stale = await remoteAction(owner, projectId, 'push');
    expect(stale.status).toBe(200);
    expect(await stale.json()).toMatchObject({
      result: 'rejected',
      reason: 'remote_moved',
      remoteCommit: elsewhere,
    });
    const pulled = await remoteAction(owner, projectId, 'pull');
    expect(pulled.status).toBe(200);
    const pull = await pulled.json<{ result: string; stepId: number; files: number }>();
    expect(pull).toMatchObject({ result: 'pulled', how: 'fast_forward', remoteCommit: elsewhere, files: 1 });
    const file = await stub.readFile('docs/README.md');
    expect(file.ok && file.value).toMatchObject({ content: '# Made elsewhere\n', author: 'user' });
    const step = await runInDurableObject(stub, (o: ProjectObject) => o.runtime.journal.step(pull.stepId));
    expect(step).toMatchObject({ status: 'done', ref: { agent: 'User' } });
    expect(step!.ref.title).toMatch(/^Pull from http:\/\/127\.0\.0\.1:\d+\/pp-.*\.git \(main\)$/);

    // The next push is a fast-forward: the pull's merge commit has the remote's commit as a parent.
    const after = await remoteAction(owner, projectId, 'push');
    expect(await after.json()).toMatchObject({ result: 'pushed', previous: elsewhere });
    const [merge] = await remoteLog(repo);
    expect(merge).toMatchObject({ author: 'Samokoder user', subject: step!.ref.title });
    expect(merge!.parents).toEqual([first.commit, elsewhere]);

    // Both sides moved, different files: the pull merges them, and the push after it goes through.
    const notes = await commitElsewhere(repo, 'notes.txt', 'remote notes\n');
    expect((await stub.saveFile('style.css', 'h1 { color: blue }\n')).ok).toBe(true);
    const mergedPull = await (await remoteAction(owner, projectId, 'pull')).json<{ stepId: number }>();
    expect(mergedPull).toMatchObject({ result: 'pulled', how: 'merged', remoteCommit: notes, files: 1 });
    const mergedNotes = await stub.readFile('notes.txt');
    expect(mergedNotes.ok && mergedNotes.value.content).toBe('remote notes\n');
    expect(await (await remoteAction(owner, projectId, 'push')).json()).toMatchObject({
      result: 'pushed',
      previous: notes,
    });
    const styled = await fetch(`${workbench}/repos/${repo.name}/file?path=style.css`);
    expect(await styled.text()).toBe('h1 { color: blue }\n');

    // The same file changed on both sides: the pull shows both and changes nothing.
    await commitElsewhere(repo, 'index.html', '<h1>from the remote</h1>\n');
    const saved = await stub.saveFile('index.html', '<h1>from the project</h1>\n');
    expect(saved.ok).toBe(true);
    const conflicted = await remoteAction(owner, projectId, 'pull');
    expect(conflicted.status).toBe(200);
    expect(await conflicted.json()).toMatchObject({
      result: 'conflict',
      conflicts: [
        {
          path: 'index.html',
          ours: { text: '<h1>from the project</h1>\n', binary: false },
          theirs: { text: '<h1>from the remote</h1>\n', binary: false },
        },
      ],
    });
    const kept = await stub.readFile('index.html');
    expect(kept.ok && kept.value.content).toBe('<h1>from the project</h1>\n');
    const headStep = await runInDurableObject(stub, (o: ProjectObject) => o.runtime.journal.headStepId());
    expect(headStep).toBe(mergedPull.stepId);

    // A token the remote refuses is the user's to fix, in the one error envelope, never shown.
    const wrong = `wrong-${crypto.randomUUID()}`;
    await connectRemote(owner, projectId, repo, { token: wrong });
    const refused = await remoteAction(owner, projectId, 'push');
    expect(refused.status).toBe(422);
    const text = await refused.clone().text();
    expect(text).not.toContain(wrong);
    expect(await errorOf(refused)).toMatchObject({
      message: expect.stringMatching(/refused the token/),
      fields: [{ path: 'token' }],
    });
  });

  it('pulls a remote into a project that has no history yet: its files arrive as the first step, and the push after is a fast-forward', async () => {
    const { stub, info } = await scriptedProject(TWO_STEPS, { ownerId: owner.id });
    const projectId = info.projectId;
    const repo = await newRepository();
    await commitElsewhere(repo, 'index.html', '<h1>from the remote</h1>\n');
    const tip = await commitElsewhere(repo, 'src/app.js', 'export const app = 1;\n');
    await connectRemote(owner, projectId, repo);
    // The project never ran: no step, no file, no commit.
    const before = await runInDurableObject(stub, (o: ProjectObject) => o.runtime.journal.headStepId());
    expect(before).toBeNull();

    const pulled = await remoteAction(owner, projectId, 'pull');
    expect(pulled.status).toBe(200);
    const pull = await pulled.json<{ result: string; stepId: number; files: number }>();
    expect(pull).toMatchObject({ result: 'pulled', remoteCommit: tip, files: 2 });
    for (const [path, content] of [
      ['index.html', '<h1>from the remote</h1>\n'],
      ['src/app.js', 'export const app = 1;\n'],
    ]) {
      const file = await stub.readFile(path!);
      expect(file.ok && file.value).toMatchObject({ content, author: 'user' });
    }
    const step = await runInDurableObject(stub, (o: ProjectObject) => o.runtime.journal.step(pull.stepId));
    expect(step).toMatchObject({ status: 'done', ref: { agent: 'User' } });

    // Pulling again finds nothing new; a push then sends the pull's commit on top of the remote's.
    expect(await (await remoteAction(owner, projectId, 'pull')).json()).toMatchObject({
      result: 'up_to_date',
    });
    const pushed = await remoteAction(owner, projectId, 'push');
    expect(await pushed.json()).toMatchObject({ result: 'pushed', previous: tip });
    const [head] = await remoteLog(repo);
    expect(head).toMatchObject({ subject: step!.ref.title });
    expect(head!.parents).toContain(tip);
  });

  it('keeps an executable file runnable: its bit comes with a pull, stays through an edit, goes out with a push, and comes with a repository import; a symbolic link is refused', async () => {
    const { stub, info } = await scriptedProject(TWO_STEPS, { ownerId: owner.id });
    const repo = await newRepository();
    await commitElsewhere(repo, 'README.md', '# Tools\n');
    await commitElsewhere(repo, 'bin/start.sh', '#!/bin/sh\necho start\n', { executable: true });
    expect(await remoteModes(repo)).toEqual({ 'README.md': '100644', 'bin/start.sh': '100755' });
    await connectRemote(owner, info.projectId, repo);
    expect(await (await remoteAction(owner, info.projectId, 'pull')).json()).toMatchObject({
      result: 'pulled',
    });

    // An edit that says nothing of the mode keeps the bit; the push carries it.
    expect((await stub.saveFile('bin/start.sh', '#!/bin/sh\necho started\n')).ok).toBe(true);
    expect(await (await remoteAction(owner, info.projectId, 'push')).json()).toMatchObject({
      result: 'pushed',
    });
    expect(await remoteModes(repo)).toEqual({ 'README.md': '100644', 'bin/start.sh': '100755' });

    // Imported from that repository, the project's own history has the bit too: pushed elsewhere, it is there.
    const imported = await call('/api/projects/import/repository', {
      method: 'POST',
      json: { url: repo.url, token: repo.token },
      token: owner.accessToken,
      ip: owner.ip,
    });
    expect(imported.status).toBe(201);
    const { project } = await imported.json<{ project: { id: string } }>();
    const copy = await newRepository();
    await connectRemote(owner, project.id, copy);
    expect(await (await remoteAction(owner, project.id, 'push')).json()).toMatchObject({ result: 'pushed' });
    expect(await remoteModes(copy)).toEqual({ 'README.md': '100644', 'bin/start.sh': '100755' });

    // A symbolic link on the remote is refused by name: written as a file, it would go back as one.
    await commitElsewhere(repo, 'bin/start', 'start.sh', { symlink: true });
    expect((await remoteModes(repo))['bin/start']).toBe('120000');
    const refused = await remoteAction(owner, info.projectId, 'pull');
    expect(refused.status).toBe(409);
    expect((await errorOf(refused)).message).toMatch(/bin\/start is a symbolic link/);
    expect((await stub.readFile('bin/start')).ok).toBe(false);
  });

  it('refuses a pull while a step waits for the user', async () => {
    const { stub, info } = await scriptedProject(
      { steps: [{ title: 'Ask', actions: [{ ask: 'Which colour?', default: 'red' }] }] },
      { ownerId: owner.id },
    );
    await stub.control('start');
    expect(await settled(stub, ['waiting'])).toBe('waiting');
    await connectRemote(owner, info.projectId, await newRepository());
    const res = await remoteAction(owner, info.projectId, 'pull');
    expect(res.status).toBe(409);
    expect((await errorOf(res)).message).toMatch(/step under way/);
  });

  it('answers a remote that cannot be reached with 503 and Retry-After', async () => {
    const { info } = await scriptedProject(TWO_STEPS, { ownerId: owner.id });
    // Nothing listens on the discard port of loopback: the connection is refused at once.
    const down = { name: 'down', url: 'http://127.0.0.1:9/down.git', token: 'tok-down' };
    await connectRemote(owner, info.projectId, down);
    const res = await remoteAction(owner, info.projectId, 'pull');
    expect(res.status).toBe(503);
    expect(res.headers.get('retry-after')).toMatch(/^\d+$/);
    expect((await errorOf(res)).code).toBe('dependency_unavailable');
  });

  it('pushes by itself after a completed task when the connection asks for it', async () => {
    const { stub, info } = await scriptedProject(
      {
        steps: [
          {
            title: 'Build the page',
            task: 'Page',
            endsTask: true,
            actions: [{ write: 'index.html', content: '<h1>auto</h1>\n' }],
          },
        ],
      },
      { ownerId: owner.id },
    );
    const repo = await newRepository();
    await connectRemote(owner, info.projectId, repo, { pushAfterTask: true });
    await stub.control('start');
    // The outcome is a line in the conversation, once the object's alarm has pushed.
    const pushedLine = () =>
      runInDurableObject(stub, (o: ProjectObject) =>
        o.runtime.storage.log
          .since(0, 1000)
          .map((f) => JSON.parse(f.frame) as { type: string; text?: string })
          .find((e) => e.type === 'message' && e.text?.startsWith('Pushed to ')),
      );
    await expect.poll(pushedLine, { timeout: 20_000, interval: 100 }).toBeDefined();
    expect((await pushedLine())!.text).toContain(repo.url);
    const log = await remoteLog(repo);
    expect(log.map((c) => c.subject)).toContain('Build the page');
  });
});
