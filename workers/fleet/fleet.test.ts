/**
 * Three sandbox runners on one Docker engine, announcing themselves in the Worker's Redis, and a Worker
 * that places projects on them. Each project runs the offline demo's scripted session (the agents over
 * the LLM fixture, `npm test` for real in the sandbox). Placement spreads the load; a `kill -9` of the
 * runner serving a project mid-run moves it, and the run completes elsewhere with its files intact and
 * no event lost; an operator's drain lets the command running there finish, places no project there and
 * moves its project at its next sandbox operation; a full fleet queues; a published app whose runner is
 * lost is published again on another (the fleet's watch of published apps notices, the project's object
 * publishes), without anyone reading it.
 */
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { DemoApi } from '../../infra/demo/api.ts';
import { follow } from '../../infra/demo/run.ts';
import { README_MD } from '../../infra/demo/todo-app.ts';
import { DEMO_PROJECT, todoSession } from '../../infra/demo/todo-session.ts';
import { validFixtureKey } from '../../infra/llm-fixture/keys.ts';
import type { ScriptedReply } from '../../infra/llm-fixture/script.ts';
import { loopbackRequest } from '../../infra/stack/loopback-http.ts';
import type { DeploymentInfo, DrainResponse } from '../../sandbox-runner/src/contract.ts';
import { signRunnerToken } from '../../sandbox-runner/src/tokens.ts';
import type { ServerEvent } from '../src/protocol.ts';
import { startFleet, type Fleet, type FleetRunner } from './fleet-stack.ts';

let fleet: Fleet;

beforeAll(async () => {
  fleet = await startFleet({ count: 3, capacity: 4, log: (line) => console.error(`[fleet] ${line}`) });
}, 300_000);

afterAll(async () => {
  await fleet?.stop();
}, 120_000);

/** A signed-in user with an LLM key whose replies are `replies`, and a project of theirs. */
async function newProject(replies = todoSession()): Promise<{ api: DemoApi; id: string }> {
  const key = validFixtureKey(
    'openai',
    `fleet${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`,
  );
  const scripted = await fetch(`${fleet.llmFixtureUrl}/__fixture/script`, {
    method: 'POST',
    body: JSON.stringify({ key, replies }),
  });
  expect(scripted.status, await scripted.text()).toBe(200);
  const api = new DemoApi(fleet.baseUrl);
  await api.register();
  await api.addKey({ provider: 'openai', key, label: 'fleet test (LLM fixture)' });
  const { id } = await api.createProject({ ...DEMO_PROJECT, mode: 'autopilot', budgetMicros: 5_000_000 });
  return { api, id };
}

/** The name of the web page's slow test (see {@link slowSession}). */
const SLOW_TEST = 'waits a few seconds while its runner drains';

/**
 * The demo's session with one more test of the web page that takes six seconds: the `npm test` of the
 * last task is surely still running when the test drains its runner at that command's start.
 */
function slowSession(): ScriptedReply[] {
  const slow = `\ntest('${SLOW_TEST}', async () => {\n  await new Promise((resolve) => setTimeout(resolve, 6000));\n});\n`;
  return todoSession().map((reply) => {
    const json = reply.json as { files?: { path: string; content: string }[] } | undefined;
    if (!json?.files?.some((f) => f.path === 'test/static.test.js')) return reply;
    const files = json.files.map((f) =>
      f.path === 'test/static.test.js' ? { ...f, content: f.content + slow } : f,
    );
    return { ...reply, json: { ...json, files } };
  });
}

/**
 * Takes `count` sandboxes of room on `runner`, for no project of the Worker's (straight through the
 * runner's API); returns their removal.
 */
async function occupy(runner: FleetRunner, count: number): Promise<() => Promise<void>> {
  const made: { id: string; token: string }[] = [];
  for (let i = 0; i < count; i++) {
    const token = await signRunnerToken(fleet.secret, `ballast-${Date.now().toString(36)}-${i}`);
    const res = await fetch(`${runner.url}/v1/sandboxes`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: '{}',
    });
    const body = (await res.json()) as { id: string };
    expect(res.status, JSON.stringify(body)).toBe(201);
    made.push({ id: body.id, token });
  }
  return async () => {
    for (const { id, token } of made) {
      await fetch(`${runner.url}/v1/sandboxes/${id}`, {
        method: 'DELETE',
        headers: { authorization: `Bearer ${token}` },
      }).catch(() => null);
    }
  };
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

/** The one runner holding `projectId`'s sandbox, once it is placed (waiting at most `ms`). */
async function placedOn(what: string, projectId: string, ms = 240_000): Promise<string> {
  const [holder] = await until(
    `${what} placed`,
    () => fleet.holders(projectId),
    (h) => h.length === 1,
    ms,
  );
  return holder!;
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
            const holder = await placedOn('project A', a.id, 60_000);
            killed = holder;
            await fleet.runners.find((r) => r.id === holder)!.kill();
          })();
        }
      },
      300_000,
    );
    // B starts once A is placed: it goes to another runner (A's counts in the load the Worker reads).
    await placedOn('project A', a.id);
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

  it('drains a runner that stays up: the command running there finishes, no project is placed there, and its project moves at its next sandbox operation', async () => {
    // The runner the last test killed stays listed until its record's TTL runs out, and the Worker
    // would try it first: this test starts once only running runners are listed.
    const records = await until(
      'only running runners listed',
      () => fleet.records(),
      (now) => [...now.keys()].every((id) => fleet.runners.some((r) => r?.id === id && r.running)),
      30_000,
    );
    const up = fleet.runners.filter((r) => r?.running && records.has(r.id));
    expect(up.length).toBeGreaterThanOrEqual(2);
    const load = (r: FleetRunner) => records.get(r.id)!.sandboxes;
    up.sort((x, y) => load(x) - load(y) || (x.id < y.id ? -1 : 1));
    const [drained, ...others] = up as [FleetRunner, ...FleetRunner[]];
    // The runner to drain is the least loaded (the others take some room without a project): the next
    // project goes there, and once it has moved to another, the drained runner is the least loaded by
    // two: but for its drain, the Worker would place a new project there. Room is left for both.
    const base = load(drained);
    expect(base + 3).toBeLessThanOrEqual(records.get(drained.id)!.capacity);
    const releases: (() => Promise<void>)[] = [];
    for (const r of others) releases.push(await occupy(r, Math.max(0, base + 1 - load(r))));
    await until(
      'the others announced with their ballast',
      () => fleet.records(),
      (now) => others.every((r) => (now.get(r.id)?.sandboxes ?? 0) >= base + 1),
      30_000,
    );

    // A project runs on it; its last task's `npm test` is running when the operator drains the runner.
    const e = await newProject(slowSession());
    // Passed or failed, the project and the ballast go: the next test counts on the room they take.
    onTestFinished(async () => {
      await e.api.deleteProject(e.id).catch(() => {});
      for (const release of releases) await release();
    });
    const events: ServerEvent[] = [];
    // Set from the follower's callback (an object: the compiler does not narrow its fields away).
    const drain: { slowTest: boolean; commandId: string | null; states: Promise<DrainResponse[]> | null } = {
      slowTest: false,
      commandId: null,
      states: null,
    };
    const run = follow(
      e.api,
      e.id,
      (ev) => {
        events.push(ev);
        if (ev.type === 'files.changed' && ev.changes.some((c) => c.path === 'test/static.test.js'))
          drain.slowTest = true;
        if (ev.type === 'command.start' && ev.command === 'npm test' && drain.slowTest && !drain.states) {
          drain.commandId = ev.commandId;
          drain.states = drained.drain();
          // Awaited below; a failure meanwhile is not an unhandled one.
          drain.states.catch(() => {});
        }
      },
      400_000,
    );
    await placedOn('project E', e.id);
    expect(await fleet.holders(e.id)).toEqual([drained.id]);
    await until(
      'the drain',
      async () => drain.states,
      (d) => d !== null,
      300_000,
    );
    await until(
      'the drain announced',
      () => fleet.records(),
      (now) => now.get(drained.id)?.draining === true,
      30_000,
    );

    // A new project goes to another runner while it drains, though it is the least loaded.
    const f = await newProject();
    const runF = follow(f.api, f.id, () => {}, 300_000).catch(() => {});
    try {
      const placedF = await placedOn('project F', f.id);
      expect(placedF).not.toBe(drained.id);
    } finally {
      // Gone either way: a project left running would take the room the next test counts on.
      await f.api.deleteProject(f.id);
      await runF;
    }

    // The command that was running finished there: the drain saw it, and waited for it.
    const states = await drain.states!;
    expect(states[0]).toMatchObject({ runnerId: drained.id, draining: true });
    expect(states[0]!.commands).toBeGreaterThanOrEqual(1);
    expect(states.at(-1)).toMatchObject({ draining: true, commands: 0 });
    await run;
    expect(lastStatus(events)).toMatch(/^completed/);
    expectNoGap(events);
    const exit = events.find((ev) => ev.type === 'command.exit' && ev.commandId === drain.commandId);
    expect(exit).toMatchObject({ exitCode: 0, timedOut: false });
    const output = events
      .flatMap((ev) => (ev.type === 'command.output' && ev.commandId === drain.commandId ? [ev.data] : []))
      .join('');
    expect(output).toContain(SLOW_TEST);
    expect(output).toMatch(/fail 0/);
    expect(output).not.toContain('[interrupted:');

    // Its next sandbox operation (at the latest, opening the preview) moves the project, files intact;
    // its sandbox on the drained runner is destroyed.
    const preview = await e.api.openPreview(e.id);
    expect(others.map((r) => r.url)).toContain(`http://127.0.0.1:${new URL(preview.url).port}`);
    await until(
      "project E moved, its drained runner's sandbox destroyed",
      () => fleet.holders(e.id),
      (h) => h.length === 1 && h[0] !== drained.id,
      60_000,
    );
    expect((await e.api.readFile(e.id, 'README.md')).content).toBe(README_MD);
  }, 900_000);

  it('queues a project while every runner is full, shows its place, and places it once room frees up; a drained runner hands its project over', async () => {
    // One runner with room for one sandbox: the others leave the fleet, stopped as an operator would
    // (SIGTERM: each drains and takes its record out at once; a kill -9 is the first test's, and its
    // record would linger for the registry's TTL).
    for (const r of fleet.runners) {
      if (!r?.running) continue;
      r.terminate();
      await r.process.exited;
    }
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
    await placedOn('project C', c.id);
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
    // Nobody reads the publication: the fleet's watch of published apps notices the loss and the
    // project's object publishes the app again, from the project's files, on the runner that is left.
    const survivor = [second, third].find((r) => r.id !== publishedOn.id)!;
    const token = await signRunnerToken(fleet.secret, d.id);
    const republished = await until(
      'the app published again on another runner',
      async () => {
        const res = await fetch(`${survivor.url}/v1/deployment`, {
          headers: { authorization: `Bearer ${token}` },
        }).catch(() => null);
        return res?.ok ? ((await res.json()) as DeploymentInfo) : null;
      },
      (info) => info !== null,
      120_000,
    );
    expect(republished!.url).toMatch(new RegExp(`:${new URL(survivor.url).port}$`));
    await answers(republished!.url);
    const read = await fetch(`${fleet.baseUrl}${path}`, { headers: d.api.headers() });
    const moved = (await read.json()) as { publication: { url: string } | null };
    expect(read.status, JSON.stringify(moved)).toBe(200);
    expect(moved.publication?.url).toBe(republished!.url);
  }, 900_000);
});
