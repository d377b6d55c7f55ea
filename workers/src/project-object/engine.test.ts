import { describe, expect, it } from 'vitest';
import type { LlmCompletion, LlmPort, LlmRequest } from '../core/ports.ts';
import type { Script } from '../testing/scripted-pipeline.ts';
import type { ServerEvent } from '../protocol.ts';
import { scriptedLlm } from '../testing/scripted-ports.ts';
import { harness } from './testing/harness.ts';

const ofType = <T extends ServerEvent['type']>(events: ServerEvent[], type: T) =>
  events.filter((e): e is Extract<ServerEvent, { type: T }> => e.type === type);

describe('step engine', () => {
  it('runs a script to the end, one checkpointed step at a time', async () => {
    const h = harness({
      script: {
        steps: [
          { title: 'spec', actions: [{ llm: 'write a spec' }, { say: 'spec done' }] },
          { title: 'files', task: 'T1', endsTask: true, actions: [{ write: 'a.txt', content: 'one' }] },
          {
            title: 'more',
            task: 'T2',
            endsTask: true,
            actions: [
              { write: 'a.txt', content: 'two' },
              { write: 'b.txt', content: 'b' },
            ],
          },
        ],
      },
    });
    expect(h.controls.start()).toEqual({ ok: true, pump: true });
    await h.drain();
    const events = h.events();
    expect(h.journal.run().status).toBe('completed');
    expect(ofType(events, 'step.completed').map((e) => e.stepId)).toEqual([1, 2, 3]);
    expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i + 1));
    expect(h.files.list(0)).toEqual([
      { path: 'a.txt', version: 2, size: 3 },
      { path: 'b.txt', version: 1, size: 1 },
    ]);
    expect(
      ofType(events, 'files.changed').map((e) => e.changes.map((c) => `${c.path}@${c.version}:${c.op}`)),
    ).toEqual([['a.txt@1:create'], ['a.txt@2:update', 'b.txt@1:create']]);
    expect(ofType(events, 'task').map((e) => `${e.title}:${e.status}`)).toEqual([
      'T1:started',
      'T1:completed',
      'T2:started',
      'T2:completed',
    ]);
    // Each task boundary queued a snapshot for Postgres.
    expect(h.sql.all("SELECT key FROM outbox WHERE kind = 'snapshot' ORDER BY id")).toEqual([
      { key: 'snapshot:2' },
      { key: 'snapshot:3' },
    ]);
    expect(h.calls).toHaveLength(1);
    expect(h.broadcast).toHaveLength(events.length);
  });

  it('resumes an interrupted step without repeating its recorded LLM call or its logged events', async () => {
    const script: Script = {
      steps: [
        {
          title: 'one',
          actions: [{ llm: 'first' }, { say: 'between' }, { llm: 'second' }, { write: 'x', content: '1' }],
        },
        { title: 'two', actions: [{ say: 'after' }] },
      ],
    };
    // The first instance hangs in the second call: it never returns, like an object evicted mid-call.
    const hanging = (calls: LlmRequest[]): LlmPort => {
      const real = scriptedLlm((r) => calls.push(r));
      return {
        complete: (r) =>
          r.messages.some((m) => m.content === 'second')
            ? (calls.push(r), new Promise<LlmCompletion>(() => {}))
            : real.complete(r),
      };
    };
    const first = harness({ script, llm: hanging });
    first.controls.start();
    void first.engine.runNext();
    await new Promise((r) => setTimeout(r, 20));
    expect(first.calls.map((c) => c.messages[1]!.content)).toEqual(['first', 'second']);

    const second = first.restart({ llm: undefined });
    await second.drain();
    expect(second.journal.run().status).toBe('completed');
    // "first" was recorded and replayed; only the interrupted "second" was made again.
    expect(second.calls.map((c) => c.messages[1]!.content)).toEqual(['first', 'second', 'second']);
    const events = second.events();
    expect(ofType(events, 'message').map((e) => e.text)).toEqual(['between', 'after']);
    expect(ofType(events, 'step.started').map((e) => `${e.stepId}/${e.attempt}`)).toEqual([
      '1/1',
      '1/2',
      '2/1',
    ]);
    expect(ofType(events, 'step.completed').map((e) => e.stepId)).toEqual([1, 2]);
    expect(ofType(events, 'usage')).toHaveLength(2);
  });

  it('parks on a question in interactive mode and continues with the answer, reusing earlier calls', async () => {
    const h = harness({
      script: {
        steps: [
          {
            title: 'ask',
            actions: [
              { llm: 'think' },
              { ask: 'Which?', options: ['a', 'b'], default: 'a' },
              { llm: 'after' },
            ],
          },
        ],
      },
    });
    h.controls.start();
    await h.drain();
    expect(h.journal.run().status).toBe('waiting');
    const question = h.journal.openQuestion()!;
    expect(question).toMatchObject({ text: 'Which?', options: ['a', 'b'], default: 'a', answer: null });
    expect(h.controls.answer(question.id, 'b')).toEqual({ ok: true, pump: true });
    expect(h.controls.answer(question.id, 'a')).toMatchObject({ ok: false, code: 'conflict' });
    await h.drain();
    expect(h.journal.run().status).toBe('completed');
    expect(h.calls.map((c) => c.messages[1]!.content)).toEqual(['think', 'after']);
    expect(h.journal.stateAfter(1)).toMatchObject({ answers: { 'Which?': 'b' } });
    const events = h.events();
    expect(ofType(events, 'question')).toHaveLength(1);
    expect(ofType(events, 'question.answered')).toMatchObject([{ answer: 'b', by: 'user' }]);
  });

  it('answers with the default in autopilot', async () => {
    const h = harness({
      mode: 'autopilot',
      script: { steps: [{ title: 'ask', actions: [{ ask: 'Which?', default: 'x' }] }] },
    });
    h.controls.start();
    await h.drain();
    expect(h.journal.run().status).toBe('completed');
    expect(ofType(h.events(), 'question.answered')).toMatchObject([{ answer: 'x', by: 'autopilot' }]);
  });

  it('streams LLM text as coalesced deltas that add up to the answer', async () => {
    const h = harness({
      script: {
        steps: [{ title: 's', actions: [{ llm: 'p', reply: 'abcdefghij', chunks: 10, delayMs: 30 }] }],
      },
    });
    h.controls.start();
    await h.drain();
    const deltas = ofType(h.events(), 'stream.delta');
    expect(deltas.length).toBeGreaterThan(0);
    expect(deltas.length).toBeLessThan(10);
    expect(deltas.map((d) => d.text).join('')).toBe('abcdefghij');
    expect(deltas.map((d) => d.offset)).toEqual(
      deltas.map((_, i) => deltas.slice(0, i).reduce((n, d) => n + d.text.length, 0)),
    );
    expect(ofType(h.events(), 'stream.end')).toMatchObject([{ length: 10 }]);
  });
});

describe('loop guards', () => {
  it('pauses a task that takes too many steps, and resume gives a fresh allowance', async () => {
    const h = harness({
      guards: { maxTaskIterations: 3 },
      script: { steps: [{ title: 'loop', task: 'T', repeat: 5, endsTask: true, actions: [{ touch: 'f' }] }] },
    });
    h.controls.start();
    await h.drain();
    expect(h.journal.run()).toMatchObject({ status: 'paused', reason: { code: 'task_iterations' } });
    expect(ofType(h.events(), 'step.completed')).toHaveLength(3);
    expect(h.controls.resume().ok).toBe(true);
    await h.drain();
    expect(h.journal.run().status).toBe('completed');
  });

  it('pauses when the same failure repeats', async () => {
    const h = harness({
      guards: { maxRepeatedFailures: 3 },
      script: {
        steps: [{ title: 'fix', task: 'T', repeat: 10, actions: [{ fail: 'TypeError: x is undefined' }] }],
      },
    });
    h.controls.start();
    await h.drain();
    expect(h.journal.run()).toMatchObject({ status: 'paused', reason: { code: 'repeated_failure' } });
    expect(h.journal.run().reason!.message).toContain('TypeError: x is undefined');
    expect(ofType(h.events(), 'step.completed')).toHaveLength(3);
  });

  it('pauses before a later step of a task would send the same request again, and a resume lets it through once', async () => {
    const h = harness({
      script: {
        steps: [
          { title: 'ask', task: 'T', actions: [{ llm: 'the same question' }] },
          { title: 'ask again', task: 'T', actions: [{ llm: 'the same question' }] },
          { title: 'and again', task: 'T', endsTask: true, actions: [{ llm: 'the same question' }] },
          // Another task may ask the same: it is not a loop.
          { title: 'elsewhere', task: 'U', endsTask: true, actions: [{ llm: 'the same question' }] },
        ],
      },
    });
    h.controls.start();
    await h.drain();
    expect(h.journal.run()).toMatchObject({ status: 'paused', reason: { code: 'repeated_prompt' } });
    // Stopped before the second call was paid for, saying which step sent it and what the user can do.
    expect(h.calls).toHaveLength(1);
    expect(h.journal.run().reason!.message).toMatch(
      /would send the same request as in step 1 \("ask"\).*hint in the chat.*skip.*roll back.*Resume/,
    );
    expect(h.journal.run().totals.costMicros).toBe(10);

    // Resume lets the repeated call through once; the next repetition stops again.
    expect(h.controls.resume().ok).toBe(true);
    await h.drain();
    expect(h.calls).toHaveLength(2);
    expect(h.journal.run()).toMatchObject({ status: 'paused', reason: { code: 'repeated_prompt' } });
    expect(h.journal.run().reason!.message).toContain('step 2 ("ask again")');
    h.controls.resume();
    await h.drain();
    expect(h.journal.run().status).toBe('completed');
    expect(h.calls).toHaveLength(4);
    expect(ofType(h.events(), 'step.failed')).toEqual([]);
  });

  it('bounds the steps outside the tasks too (starting the app), apart from the planning before them', async () => {
    const h = harness({
      guards: { maxStepsOutsideTasks: 3 },
      script: {
        steps: [
          { title: 'spec', repeat: 2, actions: [{ touch: 'spec' }] },
          { title: 'work', task: 'T', endsTask: true, actions: [{ touch: 'f' }] },
          // A loop with no task and no cost: starting the app, debugging it, starting it again...
          { title: 'Start the app', repeat: 50, actions: [{ touch: 'app' }] },
        ],
      },
    });
    h.controls.start();
    await h.drain();
    expect(h.journal.run()).toMatchObject({ status: 'paused', reason: { code: 'task_iterations' } });
    expect(h.journal.run().reason!.message).toMatch(/outside the plan's tasks.*took 3 steps/);
    expect(ofType(h.events(), 'step.completed')).toHaveLength(2 + 1 + 3);

    const failing = harness({
      guards: { maxRepeatedFailures: 3 },
      script: { steps: [{ title: 'Start the app', repeat: 50, actions: [{ fail: 'EADDRINUSE :3000' }] }] },
    });
    failing.controls.start();
    await failing.drain();
    expect(failing.journal.run()).toMatchObject({ status: 'paused', reason: { code: 'repeated_failure' } });
    expect(ofType(failing.events(), 'step.completed')).toHaveLength(3);
  });

  it("pauses a task that has been working too long, counting its steps' time, and resume gives a fresh allowance", async () => {
    const h = harness({
      // Every read of the clock is a minute: each step takes minutes of work.
      tickMs: 60_000,
      guards: { maxTaskWallMs: 30 * 60_000 },
      script: {
        steps: [{ title: 'slow', task: 'T', repeat: 200, endsTask: true, actions: [{ touch: 'f' }] }],
      },
    });
    h.controls.start();
    await h.drain();
    expect(h.journal.run()).toMatchObject({ status: 'paused', reason: { code: 'task_time' } });
    expect(h.journal.run().reason!.message).toMatch(
      /The task "T" has been working for \d+ min .*limit 30 min/,
    );
    const first = ofType(h.events(), 'step.completed').length;
    expect(first).toBeGreaterThan(1);
    expect(first).toBeLessThan(30);
    h.controls.resume();
    await h.drain();
    expect(h.journal.run().reason?.code).toBe('task_time');
    expect(ofType(h.events(), 'step.completed').length).toBeGreaterThan(first + 1);
  });

  it("pauses before an LLM call the project's budget does not allow", async () => {
    const h = harness({
      budgetMicros: 25,
      script: { steps: [{ title: 'spend', repeat: 5, actions: [{ llm: 'p', costMicros: 10 }] }] },
    });
    h.controls.start();
    await h.drain();
    expect(h.journal.run()).toMatchObject({ status: 'paused', reason: { code: 'budget' } });
    expect(h.journal.run().totals.costMicros).toBe(30);
    expect(h.calls).toHaveLength(3);
    expect(h.controls.resume()).toMatchObject({ ok: false, code: 'conflict' });
  });

  it('retries a throwing step, then fails the run with the reason', async () => {
    const flaky = harness({
      script: { steps: [{ title: 'flaky', actions: [{ throw: 'boom', attempts: 1 }] }] },
    });
    flaky.controls.start();
    await flaky.drain();
    expect(flaky.journal.run().status).toBe('completed');

    const broken = harness({
      guards: { maxStepAttempts: 2 },
      script: { steps: [{ title: 'broken', actions: [{ throw: 'always' }] }] },
    });
    broken.controls.start();
    await broken.drain();
    expect(broken.journal.run()).toMatchObject({ status: 'failed', reason: { code: 'step_failed' } });
    expect(ofType(broken.events(), 'step.failed').map((e) => e.willRetry)).toEqual([true, false]);
  });
});

describe('fresh tries', () => {
  it("asks the model again on a retry after the step failed on its answer, and on the user's resume of the failed step", async () => {
    const h = harness({
      guards: { maxStepAttempts: 2 },
      script: {
        steps: [
          {
            title: 'judge',
            actions: [
              { llm: 'p', costMicros: 10 },
              { throw: 'bad answer', attempts: 3 },
            ],
          },
        ],
      },
    });
    h.controls.start();
    await h.drain();
    expect(h.journal.run()).toMatchObject({ status: 'failed', reason: { code: 'step_failed' } });
    // The retry did not replay the answer the step failed on.
    expect(h.calls).toHaveLength(2);

    // Resume: a full allowance of attempts again (the third throws, the fourth gets through).
    expect(h.controls.resume()).toEqual({ ok: true, pump: true });
    await h.drain();
    expect(h.journal.run().status).toBe('completed');
    expect(h.calls).toHaveLength(4);
    expect(ofType(h.events(), 'step.failed').map((e) => e.willRetry)).toEqual([true, false, true]);
    // Every paid call stays recorded and counted, each under a key of its own (the ledger's id).
    const rows = h.sql.all<{ key: string }>('SELECT key FROM llm_calls ORDER BY rowid');
    expect(rows.map((r) => r.key)).toEqual(['s1:c1', 's1:c1:t1', 's1:c1:t2', 's1:c1:t3']);
    expect(h.journal.run().totals.costMicros).toBe(40);
    expect(h.journal.stepUsage(1)).toMatchObject({ calls: 4, costMicros: 40 });
    expect(
      h.sql.all<{ key: string }>("SELECT key FROM outbox WHERE kind = 'usage' ORDER BY id").map((r) => r.key),
    ).toEqual(['usage:s1:c1', 'usage:s1:c1:t1', 'usage:s1:c1:t2', 'usage:s1:c1:t3']);
  });

  it('keeps what led to an answered question on a fresh try: the question is not asked again', async () => {
    const h = harness({
      guards: { maxStepAttempts: 1 },
      script: {
        steps: [
          {
            title: 'ask then judge',
            actions: [
              { llm: 'think' },
              { ask: 'Which?', options: ['a', 'b'], default: 'a' },
              { llm: 'after' },
              { throw: 'bad answer', attempts: 2 },
            ],
          },
        ],
      },
    });
    h.controls.start();
    await h.drain();
    h.controls.answer(h.journal.openQuestion()!.id, 'b');
    await h.drain();
    expect(h.journal.run().status).toBe('failed');
    h.controls.resume();
    await h.drain();
    expect(h.journal.run().status).toBe('completed');
    // "think" led to the question and is replayed; "after" failed the step and is asked again.
    expect(h.calls.map((c) => c.messages[1]!.content)).toEqual(['think', 'after', 'after']);
    expect(ofType(h.events(), 'question')).toHaveLength(1);
    expect(h.journal.stateAfter(1)).toMatchObject({ answers: { 'Which?': 'b' } });
  });

  it('replays the good answers on a retry after the provider failed', async () => {
    let failed = false;
    const h = harness({
      script: { steps: [{ title: 'two calls', actions: [{ llm: 'first' }, { llm: 'second' }] }] },
      llm: (calls) => {
        const real = scriptedLlm((r) => calls.push(r));
        return {
          complete: async (r) => {
            if (r.messages.some((m) => m.content === 'second') && !failed) {
              failed = true;
              calls.push(r);
              throw new Error('503 from the provider');
            }
            return real.complete(r);
          },
        };
      },
    });
    h.controls.start();
    await h.drain();
    expect(h.journal.run().status).toBe('completed');
    expect(h.calls.map((c) => c.messages[1]!.content)).toEqual(['first', 'second', 'second']);
  });
});

describe('environment failures', () => {
  const blocked = 'The registry cannot be reached. The operator sets a mirror.';

  it('retries one with a longer backoff and not as a failure of the step, across a restart, then pauses; Resume tries again', async () => {
    const h = harness({
      guards: { maxStepAttempts: 2, maxEnvironmentTries: 3 },
      // Fails on its first four attempts: three in the first round, one after Resume.
      script: {
        steps: [
          { title: 'install', actions: [{ environment: blocked, attempts: 4 }] },
          { title: 'after', actions: [{ say: 'installed' }] },
        ],
      },
    });
    h.controls.start();
    expect(await h.engine.runNext()).toEqual({ kind: 'retry', delayMs: 10_000 });
    // The object is evicted during the wait: the count of tries is not lost.
    const again = h.restart();
    expect(await again.engine.runNext()).toEqual({ kind: 'retry', delayMs: 30_000 });
    // A generic throw would have failed the run by now (maxStepAttempts 2).
    expect(await again.engine.runNext()).toEqual({ kind: 'idle' });
    const run = again.journal.run();
    expect(run).toMatchObject({ status: 'paused', reason: { code: 'environment' } });
    expect(run.reason!.message).toBe(`${blocked} The platform tried 3 times; Resume to try again.`);
    const told = ofType(again.events(), 'message').filter((e) => e.role === 'system');
    expect(told.map((e) => e.text)).toEqual([expect.stringContaining(blocked)]);
    expect(ofType(again.events(), 'step.failed').map((e) => e.willRetry)).toEqual([true, true, false]);

    // Resume: a fresh round (the first try waits 10 s again), and the step passes on its next attempt.
    expect(again.controls.resume().ok).toBe(true);
    expect(await again.engine.runNext()).toEqual({ kind: 'retry', delayMs: 10_000 });
    await again.drain();
    expect(again.journal.run().status).toBe('completed');
    expect(ofType(again.events(), 'message').map((e) => e.text)).toContain('installed');
  });

  it('gives a fresh round of tries after the user stopped the run during one', async () => {
    const h = harness({
      guards: { maxEnvironmentTries: 3 },
      script: { steps: [{ title: 'install', actions: [{ environment: blocked }] }] },
    });
    h.controls.start();
    expect(await h.engine.runNext()).toEqual({ kind: 'retry', delayMs: 10_000 });
    expect(await h.engine.runNext()).toEqual({ kind: 'retry', delayMs: 30_000 });
    h.controls.stop();
    h.controls.resume();
    expect(await h.engine.runNext()).toEqual({ kind: 'retry', delayMs: 10_000 });
  });
});

describe('controls', () => {
  it('rolls back to a step on a new branch and keeps the old history', async () => {
    const h = harness({
      script: {
        steps: [
          { title: 'a', actions: [{ write: 'f.txt', content: 'a' }] },
          {
            title: 'b',
            actions: [
              { write: 'f.txt', content: 'b' },
              { write: 'g.txt', content: 'g' },
            ],
          },
          { title: 'c', actions: [{ delete: 'g.txt' }] },
        ],
      },
    });
    h.controls.start();
    await h.drain();
    expect(h.files.list(0).map((f) => f.path)).toEqual(['f.txt']);

    expect(h.controls.rollback(1)).toEqual({ ok: true, pump: false });
    const run = h.journal.run();
    expect(run).toMatchObject({ status: 'paused', branch: 1, reason: { code: 'rollback' } });
    expect(h.files.list(1)).toEqual([{ path: 'f.txt', version: 1, size: 1 }]);
    expect(h.journal.readFile('f.txt')).toBe('a');
    // The old branch is untouched.
    expect(h.files.list(0)).toEqual([{ path: 'f.txt', version: 2, size: 1 }]);

    h.controls.resume();
    await h.drain();
    expect(h.journal.run().status).toBe('completed');
    expect(h.files.list(1).map((f) => `${f.path}@${f.version}`)).toEqual(['f.txt@2']);
    expect(
      h.files
        .history(1, 'g.txt')
        .map((v) => `${v.version}:${v.hash === null ? 'deleted' : 'live'}@${v.branch}`),
    ).toEqual(['2:deleted@1', '1:live@1']);
    const completed = ofType(h.events(), 'step.completed').map((e) => e.stepId);
    expect(completed).toEqual([1, 2, 3, 4, 5]);
    expect(ofType(h.events(), 'branch.created')).toMatchObject([
      { branch: 1, parentBranch: 0, fromStepId: 1 },
    ]);
  });

  it('skips the current task', async () => {
    const h = harness({
      guards: { maxTaskIterations: 2 },
      script: {
        steps: [
          { title: 'stuck', task: 'T1', repeat: 10, actions: [{ touch: 'f' }] },
          { title: 'next', task: 'T2', actions: [{ say: 'on to T2' }] },
        ],
      },
    });
    h.controls.start();
    await h.drain();
    expect(h.journal.run().reason?.code).toBe('task_iterations');
    // Skipping is the way out the guard offers: the paused run continues with the next task.
    expect(h.controls.skip()).toEqual({ ok: true, pump: true });
    expect(h.journal.run().status).toBe('running');
    await h.drain();
    expect(h.journal.run().status).toBe('completed');
    const events = h.events();
    expect(ofType(events, 'task').map((e) => `${e.title}:${e.status}`)).toContain('T1:skipped');
    expect(ofType(events, 'message').map((e) => e.text)).toContain('on to T2');
  });

  it('pauses after the step in flight, stops, and resumes', async () => {
    const h = harness({ script: { steps: [{ title: 's', repeat: 3, actions: [{ say: 'hi' }] }] } });
    h.controls.start();
    await h.engine.runNext();
    expect(h.controls.pause().ok).toBe(true);
    expect(await h.engine.runNext()).toEqual({ kind: 'idle' });
    expect(h.controls.stop().ok).toBe(true);
    expect(h.journal.run().status).toBe('stopped');
    h.controls.resume();
    await h.drain();
    expect(h.journal.run().status).toBe('completed');
    expect(ofType(h.events(), 'step.completed')).toHaveLength(3);
  });

  it('starts a step for a chat message once the run is complete', async () => {
    const h = harness({ script: { steps: [{ title: 's', actions: [] }] } });
    h.controls.start();
    await h.drain();
    expect(h.controls.chat('the button does nothing', 'bug')).toEqual({ ok: true, pump: true });
    await h.drain();
    expect(h.journal.readFile('BUGS.md')).toBe('- the button does nothing\n');
    expect(ofType(h.events(), 'message').map((e) => `${e.role}:${e.text}`)).toEqual([
      'user:the button does nothing',
      'agent:Looking into the bug: the button does nothing',
    ]);
  });
});

describe('mode', () => {
  it('answers an open question with its default once the project switches to autopilot', async () => {
    const h = harness({ script: { steps: [{ title: 'ask', actions: [{ ask: 'Which?', default: 'z' }] }] } });
    h.controls.start();
    await h.drain();
    expect(h.journal.run().status).toBe('waiting');
    h.journal.setProject({ ...h.journal.project()!, mode: 'autopilot' });
    expect(h.controls.settingsChanged()).toEqual({ ok: true, pump: true });
    await h.drain();
    expect(h.journal.run().status).toBe('completed');
    expect(h.journal.stateAfter(1)).toMatchObject({ answers: { 'Which?': 'z' } });
  });
});
