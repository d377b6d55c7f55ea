/**
 * Three sandbox runners on one Docker engine, announcing themselves in the Worker's Redis, and a Worker
 * that places projects on them. Each project runs the offline demo's scripted session (the agents over
 * the LLM fixture, `npm test` for real in the sandbox). Placement spreads the load; a `kill -9` of the
 * runner serving a project mid-run moves it, and the run completes elsewhere with its files intact and
 * no event lost; a drained runner's project moves at its next sandbox operation; a full fleet queues;
 * a published app whose runner is lost is published again on another.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DemoApi } from '../../infra/demo/api.ts';
import { follow } from '../../infra/demo/run.ts';
import { README_MD } from '../../infra/demo/todo-app.ts';
import { DEMO_PROJECT, todoSession } from '../../infra/demo/todo-session.ts';
import { validFixtureKey } from '../../infra/llm-fixture/keys.ts';
import { loopbackRequest } from '../../infra/stack/loopback-http.ts';
import type { ServerEvent } from '../src/protocol.ts';
import { startFleet, type Fleet } from './fleet-stack.ts';

let fleet: Fleet;

beforeAll(async () => {
  fleet = await startFleet({ count: 3, capacity: 4, log: (line) => console.error(`[fleet] ${line}`) });
}, 300_000);

afterAll(async () => {
  await fleet?.stop();
}, 120_000);

/** A signed-in user with an LLM key whose replies are the demo's session, and a project of theirs. */
async function newProject(): Promise<{ api: DemoApi; id: string }> {
  const key = validFixtureKey(
    'openai',
    `fleet${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`,
  );
  const scripted = await fetch(`${fleet.llmFixtureUrl}/__fixture/script`, {
    method: 'POST',
    body: JSON.stringify({ key, replies: todoSession() }),
  });
  expect(scripted.status, await scripted.text()).toBe(200);
  const api = new DemoApi(fleet.baseUrl);
  await api.register();
  await api.addKey({ provider: 'openai', key, label: 'fleet test (LLM fixture)' });
  const { id } = await api.createProject({ ...DEMO_PROJECT, mode: 'autopilot', budgetMicros: 5_000_000 });
  return { api, id };
}

/** Polls `read` until `done` holds, bounded in time. */
async function until<T>(
  what: string,
  read: () => Promise<T>,
  done: (v: T) => boolean,
  ms = 60_000,
): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() > end) throw new Error(`${what}: not reached; last ${JSON.stringify(value)}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** The run's last status among `events`. */
function lastStatus(events: ServerEvent[]): string | undefined {
  const last = events.filter((e) => e.type === 'run.status').at(-1);
  return last?.type === 'run.status' ? `${last.status} ${last.reason?.message ?? ''}` : undefined;
}

/** Every event reached the follower once and in order: seq 1, 2, 3... without a gap. */
function expectNoGap(events: ServerEvent[]): void {
  const seqs = events.map((e) => e.seq);
  expect(seqs).toEqual(seqs.map((_, i) => i + 1));
}

/** The exit codes of `npm test`, in order. */
function testExits(events: ServerEvent[]): (number | null)[] {
  const commands = new Map(
    events.flatMap((e) => (e.type === 'command.start' ? [[e.commandId, e.command] as const] : [])),
  );
  return events.flatMap((e) =>
    e.type === 'command.exit' && commands.get(e.commandId) === 'npm test' ? [e.exitCode] : [],
  );
}

describe('a fleet of three runners', () => {
  it('spreads projects over the runners, and a kill -9 mid-run moves the project: the run completes elsewhere with its files and every event', async () => {
    const a = await newProject();
    const b = await newProject();
    const eventsA: ServerEvent[] = [];
    const eventsB: ServerEvent[] = [];
    let killed: string | null = null;
    let killing: Promise<void> | null = null;
    const runA = follow(
      a.api,
      a.id,
      (e) => {
        eventsA.push(e);
        // The project's first command: its runner dies under it, without a drain or a goodbye.
        if (e.type === 'command.start' && !killing) {
          killing = (async () => {
            const [holder] = await until(
              'project A placed',
              () => fleet.holders(a.id),
              (h) => h.length === 1,
            );
            killed = holder!;
            await fleet.runners.find((r) => r.id === holder)!.kill();
          })();
        }
      },
      300_000,
    );
    // B starts once A is placed: it goes to another runner (A's counts in the load the Worker reads).
    await until(
      'project A placed',
      () => fleet.holders(a.id),
      (h) => h.length === 1,
      240_000,
    );
    const runB = follow(b.api, b.id, (e) => eventsB.push(e), 300_000);
    await Promise.all([runA, runB]);
    await killing;

    expect(lastStatus(eventsA)).toMatch(/^completed/);
    expect(lastStatus(eventsB)).toMatch(/^completed/);
    expectNoGap(eventsA);
    expectNoGap(eventsB);

    // A ended on a runner that is up, not the killed one; B was never on A's first runner.
    const [finalA] = await fleet.holders(a.id);
    expect(killed).not.toBeNull();
    expect(finalA).toBeDefined();
    expect(finalA).not.toBe(killed);
    const [finalB] = await fleet.holders(b.id);
    expect(finalB).toBeDefined();
    expect(finalB).not.toBe(killed);

    // The command that was running when its runner died says it was interrupted (or it had ended).
    const output = eventsA.flatMap((e) => (e.type === 'command.output' ? [e.data] : [])).join('');
    const exits = testExits(eventsA);
    // The workspace was written again in full on the new runner: the tests run green at the end.
    expect(exits.at(-1)).toBe(0);
    expect(output.includes('[interrupted:') || exits.length >= 4).toBe(true);
    // The files are the project's, intact.
    expect((await a.api.readFile(a.id, 'README.md')).content).toBe(README_MD);
    const preview = await a.api.openPreview(a.id);
    // The preview is served by the runner the project is on now.
    const port = Number(new URL(preview.url).port);
    expect(fleet.runners.find((r) => r.id === finalA)!.url).toBe(`http://127.0.0.1:${port}`);
  }, 600_000);

  it('queues a project while every runner is full, shows its place, and places it once room frees up; a drained runner hands its project over', async () => {
    // One runner with room for one sandbox: the others leave the fleet.
    for (const r of fleet.runners) if (r) await r.kill();
    await until(
      'the fleet empty',
      () => fleet.announced(),
      (ids) => ids.length === 0,
      30_000,
    );
    const only = await fleet.startRunner(0, 1);

    const c = await newProject();
    const d = await newProject();
    const eventsD: ServerEvent[] = [];
    const runC = follow(c.api, c.id, () => {}, 300_000).catch(() => {});
    await until(
      'project C placed',
      () => fleet.holders(c.id),
      (h) => h.length === 1,
      240_000,
    );
    const runD = follow(d.api, d.id, (e) => eventsD.push(e), 400_000);
    // D waits in line, first, and says so.
    await until(
      'project D queued',
      async () => eventsD.filter((e) => e.type === 'sandbox.queue'),
      (q) => q.length > 0,
      240_000,
    );
    const queued = eventsD.find((e) => e.type === 'sandbox.queue');
    expect(queued).toMatchObject({ position: 1, message: expect.stringContaining('1st in line') });
    expect(await fleet.holders(d.id)).toEqual([]);
    // C is deleted: its sandbox goes, and D gets the room.
    await c.api.deleteProject(c.id);
    await runC;
    await runD;
    expect(lastStatus(eventsD)).toMatch(/^completed/);
    expectNoGap(eventsD);
    const queue = eventsD.filter((e) => e.type === 'sandbox.queue');
    expect(queue.at(-1)).toMatchObject({ position: null });
    expect(await fleet.holders(d.id)).toEqual([only.id]);

    // A second runner joins; the first is drained (SIGTERM): D's next sandbox operation moves it there.
    const second = await fleet.startRunner(1, 1);
    only.terminate();
    await only.process.exited;
    await until(
      'the drained runner gone',
      () => fleet.announced(),
      (ids) => !ids.includes(only.id),
      30_000,
    );
    const preview = await d.api.openPreview(d.id);
    expect(second.url).toBe(`http://127.0.0.1:${new URL(preview.url).port}`);
    expect(await fleet.holders(d.id)).toEqual([second.id]);
    expect((await d.api.readFile(d.id, 'README.md')).content).toBe(README_MD);

    // Published, the app lives on a runner of the fleet; when that runner is lost, reading the
    // publication publishes it again on another, where it answers.
    const path = `/api/projects/${d.id}/publish`;
    const headers = { ...d.api.headers(), 'content-type': 'application/json' };
    const published = await fetch(`${fleet.baseUrl}${path}`, { method: 'POST', headers });
    const first = (await published.json()) as { url: string; status: string };
    expect(published.status, JSON.stringify(first)).toBe(201);
    const answers = (url: string) =>
      until(
        'the published app answers',
        () => loopbackRequest(`${url}/api/todos`).catch(() => null),
        (r) => r?.status === 200,
      );
    await answers(first.url);
    const publishedOn = fleet.runners.find((r) => r && r.url.endsWith(`:${new URL(first.url).port}`))!;
    const third = await fleet.startRunner(2, 1);
    await publishedOn.kill();
    const read = await fetch(`${fleet.baseUrl}${path}`, { headers: d.api.headers() });
    const moved = (await read.json()) as { publication: { url: string } | null };
    expect(read.status, JSON.stringify(moved)).toBe(200);
    const survivor = [second, third].find((r) => r.id !== publishedOn.id)!;
    expect(moved.publication?.url).toMatch(new RegExp(`:${new URL(survivor.url).port}$`));
    await answers(moved.publication!.url);
  }, 900_000);
});
