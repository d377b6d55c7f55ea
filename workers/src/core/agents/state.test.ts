import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DEMO_PROJECT, todoSession } from '../../../../infra/demo/todo-session.ts';
import { README_MD } from '../../../../infra/demo/todo-app.ts';
import type { ServerEvent } from '../../protocol.ts';
import { UnreadableState } from '../errors.ts';
import type { JsonObject, JsonValue } from '../json.ts';
import { readAgentsState } from './state.ts';
import { agentsHarness, type AgentsHarness } from './testing/harness.ts';
import { fixtureSuite } from './testing/fixture-suite.ts';
import { localSandbox } from './testing/local-sandbox.ts';

/** A real state of the previous (unversioned) shape: see its `recorded` note. */
const recorded = JSON.parse(
  readFileSync(new URL('./testing/state-before-versions.json', import.meta.url), 'utf8'),
) as { state: JsonObject; nextInput: JsonValue };

const suite = fixtureSuite();

/** A demo run of its own, started. */
function demoRun() {
  const key = suite.newKey('state');
  const sandbox = localSandbox();
  suite.track(sandbox);
  const h = agentsHarness({ fixtureUrl: suite.fixture.url, key, sandbox, ...DEMO_PROJECT });
  suite.fixture.add(key, todoSession());
  h.controls.start();
  return { h, key };
}

/** Runs steps until step `id` has committed. */
async function runThrough(h: AgentsHarness, id: number): Promise<void> {
  while (h.journal.step(id)?.status !== 'done') {
    const outcome = await h.engine.runNext();
    if (outcome.kind !== 'continue') throw new Error(`the run stopped before step ${id}: ${outcome.kind}`);
  }
}

const runStatuses = (events: ServerEvent[]) =>
  events.filter((e): e is Extract<ServerEvent, { type: 'run.status' }> => e.type === 'run.status');

describe("the pipeline's saved state", () => {
  it('resumes a run saved before states had a version, upgraded, to the finished app', async () => {
    const { h } = demoRun();
    await runThrough(h, 8);
    expect(h.journal.step(8)?.ref.agent).toBe('BugHunter');
    // What the previous version stored after this step, and the Executor step it named next.
    h.sql.run('UPDATE steps SET state_after = ? WHERE id = 8', JSON.stringify(recorded.state));
    h.sql.run('UPDATE steps SET input = ? WHERE id = 9', JSON.stringify(recorded.nextInput));

    const resumed = h.restart();
    await resumed.drain();
    expect(resumed.journal.run().status).toBe('completed');
    expect(resumed.read('README.md')).toBe(README_MD);
    expect(resumed.state()).toMatchObject({ version: 1, app: { ready: true }, fixes: 0 });
  }, 60_000);

  it('upgrades the oldest shape: no installed version, an app with its preview link', () => {
    const oldest: JsonObject = { ...recorded.state, app: { ready: true, previewUrl: 'http://x' } };
    delete oldest.installed;
    const state = readAgentsState(oldest);
    expect(state).toMatchObject({ version: 1, installed: null, app: { ready: true } });
    expect(state.app).not.toHaveProperty('previewUrl');
  });

  it('refuses a state written by a newer version', () => {
    expect(() => readAgentsState({ ...recorded.state, version: 2 })).toThrow(UnreadableState);
  });

  it('fails the run with the reason when a saved state cannot be read, before any paid call', async () => {
    const { h, key } = demoRun();
    await runThrough(h, 3);
    const calls = suite.fixture.requestsOf(key).length;
    const state = h.journal.stateAfter(3)!;
    h.sql.run('UPDATE steps SET state_after = ? WHERE id = 3', JSON.stringify({ ...state, tasks: 'three' }));

    const resumed = h.restart();
    await resumed.drain();
    const run = resumed.journal.run();
    expect(run.status).toBe('failed');
    expect(run.reason?.message).toMatch(
      /^The step "Plan: .+" cannot run: the run's saved state does not fit/,
    );
    expect(run.reason?.message).toContain('tasks');
    // The user sees it on the live channel, and nothing ran on the state it would have misread.
    expect(runStatuses(resumed.events()).at(-1)).toMatchObject({ status: 'failed', reason: run.reason });
    expect(suite.fixture.requestsOf(key)).toHaveLength(calls);
    // Resuming tries once more and fails the same way at once, rather than looping.
    expect(resumed.controls.resume()).toEqual({ ok: true, pump: true });
    await resumed.drain();
    expect(resumed.journal.run()).toMatchObject({ status: 'failed', reason: run.reason });
  }, 60_000);

  it("fails the run when a saved step's input does not fit its agent", async () => {
    const { h } = demoRun();
    await runThrough(h, 3);
    expect(h.journal.step(4)?.ref.agent).toBe('Developer');
    h.sql.run('UPDATE steps SET input = ? WHERE id = 4', JSON.stringify({ task: 'first' }));

    const resumed = h.restart();
    await resumed.drain();
    expect(resumed.journal.run()).toMatchObject({
      status: 'failed',
      reason: { code: 'step_failed', message: expect.stringContaining('does not fit the Developer') },
    });
  }, 60_000);
});
