import { describe, expect, it } from 'vitest';
import type { ServerFrame } from '../../src/protocol.ts';
import { connect, scriptedProject, settled } from './helpers.ts';

type Status = Extract<ServerFrame, { type: 'run.status' }>;
const statusIs =
  (status: string, code?: string) =>
  (f: ServerFrame): f is Status =>
    f.type === 'run.status' && f.status === status && (code === undefined || f.reason?.code === code);

describe('run controls over the live channel', () => {
  it('rolls back to a step on a new branch and continues there, keeping the old branch', async () => {
    const { stub } = await scriptedProject({
      steps: [
        { title: 'one', actions: [{ write: 'app.js', content: 'v1' }] },
        {
          title: 'two',
          actions: [
            { write: 'app.js', content: 'v2' },
            { write: 'extra.js', content: 'x' },
          ],
        },
      ],
    });
    const viewer = await connect(stub, { after: 0 });
    viewer.send({ type: 'control', action: 'start' });
    await viewer.waitFor(statusIs('completed'));

    viewer.send({ type: 'rollback', stepId: 1 });
    const paused = await viewer.waitFor(statusIs('paused', 'rollback'));
    expect(paused.reason?.message).toContain('branch 1');
    expect(viewer.events().find((e) => e.type === 'branch.created')).toMatchObject({
      branch: 1,
      parentBranch: 0,
      fromStepId: 1,
    });
    expect(await stub.tree()).toEqual({
      ok: true,
      value: { branch: 1, files: [{ path: 'app.js', version: 1, size: 2 }] },
    });
    expect(await stub.tree(0)).toMatchObject({ ok: true, value: { branch: 0, files: [{ version: 2 }, {}] } });

    viewer.send({ type: 'control', action: 'resume' });
    await viewer.waitUntil((fs) => fs.filter(statusIs('completed')).length === 2);
    const status = await stub.status();
    expect(status).toMatchObject({ status: 'completed', branch: 1 });
    expect(await stub.readFile('app.js')).toMatchObject({
      ok: true,
      value: { content: 'v2', version: 2, branch: 1 },
    });
    expect(await stub.readFile('app.js', 2, 0)).toMatchObject({
      ok: true,
      value: { content: 'v2', branch: 0 },
    });
    viewer.send({ type: 'rollback', stepId: 999 });
    await viewer.waitUntil((fs) => fs.some((f) => f.type === 'error' && f.code === 'not_found'));
  });

  it('pauses on each loop guard and says why', async () => {
    const iterations = await scriptedProject(
      { steps: [{ title: 'work', task: 'Login', repeat: 20, actions: [{ touch: 'login.js' }] }] },
      { guards: { maxTaskIterations: 4 } },
    );
    const repeated = await scriptedProject(
      {
        steps: [
          { title: 'debug', task: 'Tests', repeat: 20, actions: [{ fail: 'AssertionError: 1 !== 2' }] },
        ],
      },
      { guards: { maxRepeatedFailures: 3 } },
    );
    const budget = await scriptedProject(
      { steps: [{ title: 'think', repeat: 20, actions: [{ llm: 'again', costMicros: 400 }] }] },
      { budgetMicros: 1000 },
    );
    const cases = [
      { stub: iterations.stub, code: 'task_iterations', text: /Login.*4 steps/ },
      { stub: repeated.stub, code: 'repeated_failure', text: /AssertionError: 1 !== 2/ },
      { stub: budget.stub, code: 'budget', text: /budget is spent/ },
    ];
    for (const c of cases) {
      const viewer = await connect(c.stub, { after: 0 });
      viewer.send({ type: 'control', action: 'start' });
      const paused = await viewer.waitFor(statusIs('paused', c.code));
      expect(paused.reason?.message).toMatch(c.text);
      expect(await c.stub.status()).toMatchObject({ status: 'paused', reason: { code: c.code } });
    }
    expect((await budget.stub.status()).totals.costMicros).toBe(1200);
  });

  it('stops, resumes and skips a task', async () => {
    const { stub } = await scriptedProject({
      steps: [
        { title: 'slow', task: 'A', repeat: 50, actions: [{ llm: 'slow', chunks: 2, delayMs: 50 }] },
        { title: 'B', task: 'B', actions: [{ say: 'in B' }] },
      ],
    });
    const viewer = await connect(stub, { after: 0 });
    viewer.send({ type: 'control', action: 'start' });
    await viewer.waitUntil((fs) => fs.filter((f) => f.type === 'step.completed').length >= 1);
    viewer.send({ type: 'control', action: 'stop' });
    await viewer.waitFor(statusIs('stopped'));
    expect(await settled(stub, ['stopped'])).toBe('stopped');
    viewer.send({ type: 'control', action: 'stop' });
    await viewer.waitUntil((fs) => fs.some((f) => f.type === 'error' && f.code === 'conflict'));
    viewer.send({ type: 'control', action: 'skip' });
    await viewer.waitUntil((fs) =>
      fs.some((f) => f.type === 'task' && f.status === 'skipped' && f.title === 'A'),
    );
    viewer.send({ type: 'control', action: 'resume' });
    await viewer.waitFor(statusIs('completed'));
    const texts = viewer.events().flatMap((e) => (e.type === 'message' ? [`${e.role}: ${e.text}`] : []));
    expect(texts).toEqual(['system: Skipped: the task "A" is not done.', 'agent: in B']);
    // Trying a task again reaches the run, which says why it cannot (the scripted pipeline has no retry).
    viewer.send({ type: 'retry', taskId: 'A' });
    await viewer.waitUntil((fs) =>
      fs.some(
        (f) => f.type === 'error' && f.code === 'conflict' && /cannot try a task again/.test(f.message),
      ),
    );
  });

  it('pauses between steps and resumes where it stopped; autopilot answers with the default', async () => {
    const { stub } = await scriptedProject(
      {
        steps: [
          { title: 'ask', actions: [{ ask: 'Which database?', default: 'SQLite' }] },
          { title: 'work', repeat: 20, actions: [{ llm: 'tick', delayMs: 30, costMicros: 0 }] },
        ],
      },
      { mode: 'autopilot' },
    );
    const viewer = await connect(stub, { after: 0 });
    viewer.send({ type: 'control', action: 'start' });
    const answered = await viewer.waitFor(
      (f): f is Extract<ServerFrame, { type: 'question.answered' }> => f.type === 'question.answered',
    );
    expect(answered).toMatchObject({ answer: 'SQLite', by: 'autopilot' });
    await viewer.waitUntil((fs) => fs.filter((f) => f.type === 'step.completed').length >= 3);
    viewer.send({ type: 'control', action: 'pause' });
    await viewer.waitFor(statusIs('paused'));
    const completedSteps = () => viewer.events().filter((e) => e.type === 'step.completed').length;
    // The step in flight may finish; after it, nothing runs while paused.
    await new Promise((r) => setTimeout(r, 200));
    const atPause = completedSteps();
    await new Promise((r) => setTimeout(r, 400));
    expect(completedSteps()).toBe(atPause);
    expect(atPause).toBeLessThan(21);
    viewer.send({ type: 'control', action: 'resume' });
    await viewer.waitFor(statusIs('completed'));
    const started = viewer.events().filter((e) => e.type === 'step.started');
    // Every step ran once: none repeated across the pause.
    expect(new Set(started.map((e) => e.stepId)).size).toBe(started.length);
  });

  it('limits the actions that make the agents call a model, per user, and says when to try again', async () => {
    const { stub } = await scriptedProject({
      steps: [{ title: 'ask', actions: [{ ask: 'Ready?', default: 'yes' }] }],
    });
    const userId = `spender-${crypto.randomUUID()}`;
    const viewer = await connect(stub, { after: 0, userId });
    // TEST_LIMITS.llm: 4 in a window. Each of these would make the run spend.
    for (let i = 0; i < 5; i++) viewer.send({ type: 'chat', text: `change ${i}`, kind: 'change' });
    const refused = await viewer.waitFor(
      (f): f is Extract<ServerFrame, { type: 'error' }> => f.type === 'error' && f.code === 'rate_limited',
    );
    expect(refused.message).toMatch(/Too many actions .* Try again in \d+ s\./);
    // Another user is not held back by this one.
    const other = await connect(stub, { after: 0 });
    other.send({ type: 'control', action: 'start' });
    await other.waitFor(statusIs('waiting'));
    // The socket stays usable.
    viewer.send({ type: 'ping' });
    await viewer.waitFor((f): f is Extract<ServerFrame, { type: 'pong' }> => f.type === 'pong');
  });
});
