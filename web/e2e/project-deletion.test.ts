/**
 * Deleting a project stops everything before the answer, on the real stack (`wrangler dev`, the Durable
 * Object, the sandbox-runner with Docker, the LLM fixture as the user's provider): a run whose provider
 * is in the middle of a reply is deleted by its id in upper case; afterwards the provider gets no call
 * for that key, the runner holds no sandbox of the project, and the usage ledger counts exactly the
 * calls the provider answered.
 */
import { describe, expect, inject, it } from 'vitest';
import type {} from '../../infra/stack/e2e-context.ts';
import { DemoApi } from '../../infra/demo/api.ts';
import { DEMO_PROJECT, todoSession } from '../../infra/demo/todo-session.ts';
import type { RecordedRequest } from '../../infra/llm-fixture/fixture.ts';
import { validFixtureKey } from '../../infra/llm-fixture/keys.ts';
import { signRunnerToken } from '../../sandbox-runner/src/tokens.ts';
import { unzip } from '../../workers/test/helpers/unzip.ts';

const baseUrl = inject('baseUrl');
const fixtureUrl = inject('llmFixtureUrl');
const runnerUrl = inject('runnerUrl');
const runnerSecret = inject('runnerSecret');

/** How long the provider holds the reply the deletion interrupts. */
const HELD_MS = 8_000;

async function fixtureRequests(key: string): Promise<RecordedRequest[]> {
  const res = await fetch(`${fixtureUrl}/__fixture/requests?key=${encodeURIComponent(key)}`);
  return ((await res.json()) as { requests: RecordedRequest[] }).requests;
}

async function sandboxesOf(projectId: string): Promise<{ id: string; status: string }[]> {
  const token = await signRunnerToken(runnerSecret, projectId, { ttlSeconds: 60 });
  const res = await fetch(`${runnerUrl}/v1/sandboxes`, { headers: { authorization: `Bearer ${token}` } });
  expect(res.status).toBe(200);
  return ((await res.json()) as { sandboxes: { id: string; status: string }[] }).sandboxes;
}

/** Polls `check` until it returns a value (not undefined), within `timeoutMs`. */
async function until<T>(what: string, check: () => Promise<T | undefined>, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** `promise`, or a failure naming `what` after `timeoutMs`. */
async function within<T>(promise: Promise<T>, timeoutMs: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out waiting for ${what}`)), timeoutMs);
  });
  try {
    return await Promise.race([promise, late]);
  } finally {
    clearTimeout(timer);
  }
}

async function exported(api: DemoApi, id: string): Promise<{ status: number; files: string[] }> {
  const res = await fetch(`${baseUrl}/api/projects/${id}/export`, { headers: api.headers() });
  if (res.status !== 200) return { status: res.status, files: [] };
  const entries = await unzip(new Uint8Array(await res.arrayBuffer()));
  return { status: 200, files: entries.map((e) => `${e.path}:${new TextDecoder().decode(e.data).length}`) };
}

describe('deleting a project', () => {
  it('by its id in upper case, mid-run: no call, event or sandbox after the 204, and the ledger matches', async () => {
    expect(fixtureUrl, 'the stack runs the LLM fixture').not.toBe('');
    expect(runnerUrl, 'the stack runs the sandbox-runner (E2E_RUNNER_URL for a stack of your own)').not.toBe(
      '',
    );
    const key = validFixtureKey('openai', `delete${Date.now().toString(36)}`);
    // The demo session, its BugHunter reply held: by then `npm test` has run in the project's sandbox.
    const replies = todoSession();
    const held = replies.findIndex((r) => r.match?.contains?.includes('BugHunter'));
    expect(held).toBeGreaterThan(0);
    replies[held] = { ...replies[held]!, delayMs: HELD_MS };
    const scripted = await fetch(`${fixtureUrl}/__fixture/script`, {
      method: 'POST',
      body: JSON.stringify({ key, replies }),
    });
    expect(scripted.status).toBe(200);

    const api = new DemoApi(baseUrl);
    await api.register();
    await api.addKey({ provider: 'openai', key, label: 'deletion test' });
    const { id } = await api.createProject({ ...DEMO_PROJECT, mode: 'autopilot', budgetMicros: 5_000_000 });
    let started = false;
    const ws = await api.live(id, 0, (frame) => {
      if (frame.type === 'synced' && !started) {
        started = true;
        ws.send(JSON.stringify({ type: 'control', action: 'start' }));
      }
    });
    const closed = new Promise<number>((resolve) => ws.addEventListener('close', (e) => resolve(e.code)));

    const heldAt = await until(
      'the BugHunter call',
      async () =>
        (await fixtureRequests(key)).find((r) => r.body.includes("You are Samokoder's BugHunter"))?.at,
      180_000,
    );
    expect((await sandboxesOf(id)).length, 'the run has a sandbox').toBeGreaterThan(0);
    // Export answers alike for both spellings of the id (the object's current files).
    const canonical = await exported(api, id);
    expect(canonical.status).toBe(200);
    expect(await exported(api, id.toUpperCase())).toEqual(canonical);

    const res = await fetch(`${baseUrl}/api/projects/${id.toUpperCase()}`, {
      method: 'DELETE',
      headers: api.headers(),
    });
    expect(res.status, await res.text()).toBe(204);
    const callsAt204 = (await fixtureRequests(key)).length;
    // Its viewers were told, and nobody can open its live channel again.
    expect(await within(closed, 30_000, 'the live channel to close'), 'closed normally').toBe(1000);
    const ticket = await fetch(`${baseUrl}/api/projects/${id}/live-ticket`, {
      method: 'POST',
      headers: api.headers(),
    });
    expect(ticket.status).toBe(404);

    // Nothing of the project is left on the runner: its sandboxes (and their preview links) are gone.
    expect(await sandboxesOf(id)).toEqual([]);
    // The reply in flight was cut, not waited for.
    const cut = (await fixtureRequests(key)).find((r) => r.at === heldAt);
    expect(cut?.answered).toBe(false);
    // A run that survived would call again the moment the held reply ended: wait past that point.
    const quietUntil = Date.parse(heldAt) + HELD_MS + 3_000;
    await new Promise((r) => setTimeout(r, Math.max(0, quietUntil - Date.now())));
    const calls = await fixtureRequests(key);
    expect(calls.length, 'no provider call after the 204').toBe(callsAt204);
    expect(await sandboxesOf(id)).toEqual([]);

    // The ledger holds every call the provider answered, no more, no fewer.
    const usage = await fetch(`${baseUrl}/api/usage`, { headers: api.headers() });
    const report = (await usage.json()) as { total: { calls: number } };
    expect(report.total.calls).toBe(calls.filter((c) => c.answered).length);
    expect((await fetch(`${baseUrl}/api/projects/${id}`, { headers: api.headers() })).status).toBe(404);
  }, 300_000);
});
