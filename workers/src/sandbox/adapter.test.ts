/**
 * The sandbox adapter against a real sandbox-runner and Docker engine (the local stack's test profile
 * starts them; loopback and the runner's own containers only).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStack, type Stack } from '../../../infra/stack/stack.ts';
import { openPreviewLink } from '../../../infra/stack/loopback-http.ts';
import { isRunning } from '../../../infra/stack/service.ts';
import { SandboxReset } from '../core/agents/errors.ts';
import { SYNC_MARKER } from '../core/agents/app-port.ts';
import { RunnerSandbox } from './adapter.ts';
import { RunnerClient } from './client.ts';
import type { ProjectId } from '../ids.ts';

let stack: Stack;
let runnerUrl: string;
const clients: RunnerClient[] = [];

beforeAll(async () => {
  stack = await startStack({ profile: 'test', withoutWorker: true });
  const runner = stack.services.find((s) => s.name === 'sandbox-runner');
  if (!runner || !isRunning(runner))
    throw new Error(`the sandbox-runner did not start: ${JSON.stringify(runner)}`);
  runnerUrl = runner.url;
}, 180_000);

afterAll(async () => {
  for (const client of clients)
    for (const s of await client.listSandboxes()) await client.destroySandbox(s.id);
  await stack?.stop();
}, 60_000);

/** What the app answers at the root of a preview link. */
async function answer(link: string | null): Promise<string> {
  return (await (await openPreviewLink(link!)).request('/')).text();
}

function project() {
  const client = new RunnerClient({
    baseUrl: runnerUrl,
    secret: stack.config.secrets.runnerSecret,
    // A label the runner accepts as a token subject; not a project of the API.
    projectId: `adapter-${crypto.randomUUID().slice(0, 8)}` as ProjectId,
  });
  clients.push(client);
  const created: string[] = [];
  const sandbox = new RunnerSandbox({ client, onCreated: (id) => created.push(id) });
  return { client, sandbox, created };
}

const signal = () => new AbortController().signal;
const marker = { path: SYNC_MARKER, content: '{}\n' };

describe('the runner sandbox', () => {
  it('asks for a full write into a new sandbox, then runs commands with streamed output and a timeout', async () => {
    const { sandbox, created } = project();
    await expect(sandbox.writeFiles([{ path: 'a.txt', content: 'partial' }])).rejects.toBeInstanceOf(
      SandboxReset,
    );
    expect(created).toHaveLength(1);
    await sandbox.writeFiles([{ path: 'a.txt', content: 'hello\n' }, marker]);
    await sandbox.writeFiles([{ path: 'b.txt', content: 'only what changed\n' }]);
    const chunks: string[] = [];
    const out = await sandbox.exec(
      { command: 'cat a.txt b.txt; echo oops >&2; exit 3' },
      (_s, d) => chunks.push(d),
      signal(),
    );
    expect(out).toMatchObject({ exitCode: 3, timedOut: false });
    expect(out.output).toContain('hello\nonly what changed\n');
    expect(chunks.join('')).toContain('oops');
    const slow = await sandbox.exec({ command: 'sleep 30', timeoutMs: 500 }, () => {}, signal());
    expect(slow.timedOut).toBe(true);
  }, 60_000);

  it('finds its sandbox again after a restart, and starts over when the sandbox is gone', async () => {
    const { client, sandbox, created } = project();
    await sandbox.writeFiles([{ path: 'a.txt', content: 'x' }, marker]);
    const again = new RunnerSandbox({ client, onCreated: (id) => created.push(id) });
    expect((await again.exec({ command: 'cat a.txt' }, () => {}, signal())).output).toBe('x');
    await client.destroySandbox(created[0]!);
    await expect(again.exec({ command: 'cat a.txt' }, () => {}, signal())).rejects.toBeInstanceOf(
      SandboxReset,
    );
    expect(created).toHaveLength(2);
    await again.writeFiles([{ path: 'a.txt', content: 'y' }, marker]);
    expect((await again.exec({ command: 'cat a.txt' }, () => {}, signal())).output).toBe('y');
  }, 60_000);

  it('moves the project to a sandbox with egress when a command needs the network, and keeps it', async () => {
    const { client, sandbox, created } = project();
    await sandbox.writeFiles([{ path: 'a.txt', content: 'x' }, marker]);
    expect((await client.listSandboxes())[0]?.network).toBe('none');
    // No connection is made: the command only says it needs the network (as an install does).
    await expect(
      sandbox.exec({ command: 'true', network: 'egress' }, () => {}, signal()),
    ).rejects.toBeInstanceOf(SandboxReset);
    const [moved] = await client.listSandboxes();
    expect(moved).toMatchObject({ id: created[1], network: 'egress' });
    expect(created).toHaveLength(2);
    await sandbox.writeFiles([{ path: 'a.txt', content: 'x' }, marker]);
    expect(
      (await sandbox.exec({ command: 'ls /sys/class/net', network: 'egress' }, () => {}, signal())).output,
    ).toMatch(/eth0/);
    // Found again after a restart, with its policy.
    const again = new RunnerSandbox({ client });
    expect((await again.exec({ command: 'cat a.txt', network: 'egress' }, () => {}, signal())).output).toBe(
      'x',
    );
  }, 60_000);

  it('starts the app and reaches it through the preview proxy; an app that never listens is reported', async () => {
    const { sandbox } = project();
    const server =
      "require('node:http').createServer((q, s) => s.end('hi from ' + q.url)).listen(3000, '0.0.0.0')";
    await sandbox.writeFiles([{ path: 'server.cjs', content: server }, marker]);
    const started = await sandbox.start({ command: 'node server.cjs', port: 3000 }, signal());
    expect(started.ready).toBe(true);
    const app = await openPreviewLink(started.previewUrl!);
    expect((await app.request('/todos')).text()).toBe('hi from /todos');
    const broken = await sandbox.start(
      { command: 'echo crashed; exit 1', port: 3001, readyTimeoutMs: 1500 },
      signal(),
    );
    expect(broken).toMatchObject({ ready: false, previewUrl: null });
    expect(broken.logs).toContain('crashed');
  }, 60_000);

  it('opens a fresh preview link: of the running app, by restarting a stopped one, in a new sandbox when it was reaped', async () => {
    const { client, sandbox, created } = project();
    const server =
      "require('node:http').createServer((q, s) => s.end('v' + require('node:fs').readFileSync('v.txt', 'utf8'))).listen(3000, '0.0.0.0')";
    const files = () => [{ path: 'server.cjs', content: server }, { path: 'v.txt', content: '1' }, marker];
    const app = { command: 'node server.cjs', port: 3000 };
    await sandbox.writeFiles(files());
    await sandbox.start(app, signal());
    const again = await sandbox.openPreview(app, files, null, signal());
    expect(await answer(again.previewUrl)).toBe('v1');

    // The app stopped: it is started again.
    const [proc] = await client.listProcesses(created[0]!);
    await client.signalProcess(created[0]!, proc!.id, 'SIGKILL');
    await expect.poll(async () => (await client.listProcesses(created[0]!))[0]?.status).not.toBe('running');
    const restarted = await sandbox.openPreview(app, files, null, signal());
    expect(await answer(restarted.previewUrl)).toBe('v1');

    // The sandbox is reaped: a new one gets the files, the app starts, the link works.
    await client.destroySandbox(created[0]!);
    const later = new RunnerSandbox({ client, onCreated: (id) => created.push(id) });
    const revived = await later.openPreview(app, files, null, signal());
    expect(created).toHaveLength(2);
    expect(revived.ready).toBe(true);
    expect(await answer(revived.previewUrl)).toBe('v1');
  }, 90_000);

  it('brings the running app up to date: changed and deleted files, a restart that waits for a graceful exit, none for documentation or a watcher', async () => {
    const { client, sandbox, created } = project();
    // Answers with its version file; on SIGTERM it takes a moment to close, as graceful apps do.
    const server = `const http = require('node:http');
const fs = require('node:fs');
const s = http.createServer((q, r) => r.end(fs.readFileSync('v.txt', 'utf8') + (fs.existsSync('old.txt') ? '+old' : '')));
s.listen(3000, '0.0.0.0');
process.on('SIGTERM', () => setTimeout(() => { s.close(); process.exit(0); }, 700));`;
    const files = [
      { path: 'server.cjs', content: server },
      { path: 'v.txt', content: '1' },
      { path: 'old.txt', content: 'x' },
    ];
    const app = { command: 'node server.cjs', port: 3000, install: null, watches: false };
    await sandbox.writeFiles([...files, marker]);
    const started = await sandbox.start(app, signal());
    expect(await answer(started.previewUrl)).toBe('1+old');
    const all = () => [...files, marker];

    const refreshed = await sandbox.refreshApp(
      app,
      { written: [{ path: 'v.txt', content: '2' }], deleted: ['old.txt'], restart: true },
      all,
      null,
      signal(),
    );
    expect(refreshed).toMatchObject({ state: 'running', restarted: true });
    expect(await answer((await sandbox.openPreview(app, all, null, signal())).previewUrl)).toBe('2');
    const apps = (await client.listProcesses(created[0]!)).filter((p) => p.name === 'app');
    expect(apps.filter((p) => p.status === 'running')).toHaveLength(1);

    // Documentation only: written, no restart; a dev server that watches its files: no restart either.
    const quiet = await sandbox.refreshApp(
      app,
      { written: [{ path: 'README.md', content: '# app\n' }], deleted: [], restart: false },
      all,
      null,
      signal(),
    );
    expect(quiet).toMatchObject({ state: 'running', restarted: false });
    const watched = await sandbox.refreshApp(
      { ...app, watches: true },
      { written: [{ path: 'v.txt', content: '3' }], deleted: [], restart: true },
      all,
      null,
      signal(),
    );
    expect(watched).toMatchObject({ state: 'running', restarted: false });
    expect((await client.listProcesses(created[0]!)).filter((p) => p.name === 'app')).toHaveLength(
      apps.length,
    );

    // A broken change: the app does not come up, and says why.
    const broken = await sandbox.refreshApp(
      app,
      {
        written: [{ path: 'server.cjs', content: 'throw new Error("boom at start")' }],
        deleted: [],
        restart: true,
      },
      all,
      null,
      signal(),
    );
    expect(broken.state).toBe('failed');
    expect(broken.state === 'failed' && broken.logs).toContain('boom at start');

    // No sandbox any more (reaped): nothing to update, and nothing is created for it.
    await client.destroySandbox(created[0]!);
    const later = new RunnerSandbox({ client, onCreated: (id) => created.push(id) });
    const gone = await later.refreshApp(
      app,
      { written: [], deleted: [], restart: true },
      all,
      null,
      signal(),
    );
    expect(gone).toEqual({ state: 'stopped' });
    expect(created).toHaveLength(1);
  }, 90_000);
});
