import { describe, expect, it } from 'vitest';
import type { EventBody, ServerEvent } from '@samokoder/workers/protocol';
import { ProjectLiveState } from './project-state.svelte.ts';

/** Applies events as the live channel delivers them: `seq` in order, `at` as given (ms). */
function replay(state: ProjectLiveState, ...events: [at: number, body: EventBody][]): void {
  for (const [at, body] of events) state.apply({ ...body, seq: state.lastSeq + 1, at } as ServerEvent);
}

const started = (attempt: number, rerun?: 'answer' | 'retry'): EventBody => ({
  type: 'step.started',
  stepId: 1,
  agent: 'Developer',
  branch: 0,
  title: 'Write the API',
  task: 'API',
  attempt,
  ...(rerun ? { rerun } : {}),
});

describe("a project's live state", () => {
  it("counts a step's time worked, not the time it waited for an answer, and its retries, not its answers", () => {
    const state = new ProjectLiveState();
    replay(
      state,
      [1_000, started(1)],
      [
        3_000,
        {
          type: 'question',
          questionId: 'q1',
          stepId: 1,
          text: 'Which port?',
          options: null,
          default: '3000',
        },
      ],
      [60_000, { type: 'question.answered', questionId: 'q1', answer: '3000', by: 'user' }],
      [60_000, started(1, 'answer')],
      [
        61_000,
        { type: 'step.failed', stepId: 1, agent: 'Developer', attempt: 1, error: 'timeout', willRetry: true },
      ],
      [61_000, started(2, 'retry')],
      [62_000, { type: 'step.completed', stepId: 1, agent: 'Developer', durationMs: 1_000 }],
    );
    expect(state.steps).toHaveLength(1);
    expect(state.steps[0]).toMatchObject({
      status: 'completed',
      waited: true,
      retries: 1,
      durationMs: 4_000,
    });
    expect(state.openQuestion).toBeNull();
    expect(state.conversation).toMatchObject([{ kind: 'question', answer: '3000', by: 'user' }]);
  });

  it("shows a user's request under the title the model gave it once it is announced again", () => {
    const state = new ProjectLiveState();
    const task = (title: string, status: 'started' | 'completed', stepId: number): EventBody => ({
      type: 'task',
      taskId: 'change1',
      title,
      status,
      stepId,
    });
    replay(
      state,
      [1_000, task('Your change request', 'started', 7)],
      [2_000, task('Visit count at the top', 'started', 8)],
      [3_000, task('Visit count at the top', 'completed', 9)],
    );
    expect(state.tasks).toEqual([
      { taskId: 'change1', title: 'Visit count at the top', status: 'completed', reason: null },
    ]);
  });

  it("keeps the project's files and each step's changes, the latest version of each path", () => {
    const state = new ProjectLiveState();
    const change = (path: string, op: 'create' | 'update' | 'delete', version: number) => ({
      path,
      op,
      version,
      size: 10 * version,
    });
    replay(
      state,
      [1, started(1)],
      [
        2,
        {
          type: 'files.changed',
          stepId: 1,
          branch: 0,
          author: 'agent',
          changes: [change('a.js', 'create', 1), change('b.js', 'create', 1)],
        },
      ],
      [
        3,
        {
          type: 'files.changed',
          stepId: 1,
          branch: 0,
          author: 'agent',
          changes: [change('a.js', 'update', 2), change('b.js', 'delete', 2)],
        },
      ],
    );
    expect(Object.keys(state.files)).toEqual(['a.js']);
    expect(state.files['a.js']).toEqual({ path: 'a.js', version: 2, size: 20 });
    expect(state.steps[0]?.changes.map((c) => `${c.path}:${c.op}`)).toEqual(['a.js:update', 'b.js:delete']);
  });

  it('starts a streamed answer over when its call is made again, and never repeats text', () => {
    const state = new ProjectLiveState();
    replay(
      state,
      [1, { type: 'stream.start', streamId: 's1', stepId: 1, agent: 'Architect' }],
      [2, { type: 'stream.delta', streamId: 's1', offset: 0, text: 'Use Exp' }],
      // A resent delta overlapping what was shown.
      [3, { type: 'stream.delta', streamId: 's1', offset: 4, text: 'Express' }],
    );
    expect(state.conversation).toMatchObject([{ kind: 'stream', text: 'Use Express', done: false }]);
    replay(
      state,
      [4, { type: 'stream.start', streamId: 's1', stepId: 1, agent: 'Architect' }],
      [5, { type: 'stream.delta', streamId: 's1', offset: 0, text: 'Use Fastify.' }],
      [6, { type: 'stream.end', streamId: 's1', length: 12 }],
    );
    expect(state.conversation).toEqual([
      { kind: 'stream', id: 's1', agent: 'Architect', text: 'Use Fastify.', done: true, at: 4 },
    ]);
  });
});
