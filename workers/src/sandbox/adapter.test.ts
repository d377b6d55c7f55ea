/**
 * The sandbox adapter against a real sandbox-runner and Docker engine (the local stack's test profile
 * starts them; loopback and the runner's own containers only).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStack, type Stack } from '../../../infra/stack/stack.ts';
import { isRunning } from '../../../infra/stack/service.ts';
import { SandboxReset } from '../core/agents/errors.ts';
import { SYNC_MARKER } from '../core/agents/ports.ts';
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
    const url = new URL(started.previewUrl!);
    url.pathname += 'todos';
    expect(await (await fetch(url)).text()).toBe('hi from /todos');
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
    expect(await (await fetch(again.previewUrl!)).text()).toBe('v1');

    // The app stopped: it is started again.
    const [proc] = await client.listProcesses(created[0]!);
    await client.signalProcess(created[0]!, proc!.id, 'SIGKILL');
    await expect.poll(async () => (await client.listProcesses(created[0]!))[0]?.status).not.toBe('running');
    const restarted = await sandbox.openPreview(app, files, null, signal());
    expect(await (await fetch(restarted.previewUrl!)).text()).toBe('v1');

    // The sandbox is reaped: a new one gets the files, the app starts, the link works.
    await client.destroySandbox(created[0]!);
    const later = new RunnerSandbox({ client, onCreated: (id) => created.push(id) });
    const revived = await later.openPreview(app, files, null, signal());
    expect(created).toHaveLength(2);
    expect(revived.ready).toBe(true);
    expect(await (await fetch(revived.previewUrl!)).text()).toBe('v1');
  }, 90_000);
});
