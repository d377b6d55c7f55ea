import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { openTestPage } from '../../../../../test/browser-page.ts';
import { LiveTestServer, PROJECT_ID } from '../../../../../test/live-server.ts';
import { WorkspaceState } from './workspace-state.svelte.ts';

/** Waits for a condition (a busy machine may take seconds); never a fixed sleep. */
const until = <T>(read: () => T) => expect.poll(read, { timeout: 15_000, interval: 20 });

let server: LiveTestServer;
let workspace: WorkspaceState | undefined;

beforeEach(async () => {
  server = await new LiveTestServer().start();
  openTestPage(server.origin);
});

afterEach(async () => {
  workspace?.close();
  workspace = undefined;
  await server.close();
  vi.unstubAllGlobals();
});

describe("the workspace's actions over the live channel", { timeout: 30_000 }, () => {
  it('says an answer given while disconnected was not sent, and delivers it once when given again after the reconnect', async () => {
    server.append({
      type: 'step.started',
      stepId: 1,
      agent: 'SpecWriter',
      branch: 0,
      title: 'Spec',
      task: null,
      attempt: 1,
    });
    server.append({
      type: 'question',
      questionId: 'q1',
      stepId: 1,
      text: 'Which database?',
      options: null,
      default: null,
    });
    workspace = new WorkspaceState(PROJECT_ID, async () => true);
    workspace.start();
    await until(() => workspace?.live.openQuestion?.questionId).toBe('q1');

    // The connection drops and stays down for now.
    server.refuseUpgrades = 1_000;
    server.dropAll();
    await until(() => workspace?.connection.state).toBe('reconnecting');
    expect(workspace.answer('q1', 'Postgres')).toBe(false);
    expect(workspace.actionError).toMatch(/not connected/i);
    expect(workspace.pending).toBeNull();

    server.refuseUpgrades = 0;
    workspace.connection.reconnectNow();
    await until(() => workspace?.connection.state).toBe('live');
    expect(workspace.answer('q1', 'Postgres')).toBe(true);
    expect(workspace.actionError).toBe('');
    expect(workspace.pending).toBe('answer');
    await until(() => server.messages('answer').length).toBe(1);
    server.append({ type: 'question.answered', questionId: 'q1', answer: 'Postgres', by: 'user' });
    await until(() => workspace?.pending).toBeNull();
    expect(workspace.live.openQuestion).toBeNull();

    // Another drop and reconnect sends nothing again: the answer went once.
    server.dropAll();
    await until(() => server.connections).toBe(3);
    await until(() => workspace?.connection.state).toBe('live');
    expect(server.messages('answer')).toEqual([
      { connection: 2, message: { type: 'answer', questionId: 'q1', answer: 'Postgres' } },
    ]);
    expect(
      workspace.live.conversation.filter((item) => item.kind === 'question').map((item) => item.answer),
    ).toEqual(['Postgres']);
  });

  it("shows the server's refusal of an action and makes the action usable again", async () => {
    workspace = new WorkspaceState(PROJECT_ID, async () => true);
    workspace.start();
    await until(() => workspace?.connection.state).toBe('live');
    expect(workspace.control('pause')).toBe(true);
    expect(workspace.pending).toBe('pause');
    await until(() => server.messages('control').length).toBe(1);
    server.reply(1, { type: 'error', code: 'conflict', message: 'The run is not running.' });
    await until(() => workspace?.actionError).toBe('The run is not running.');
    expect(workspace.pending).toBeNull();
  });
});

describe("the plan's tasks", { timeout: 30_000 }, () => {
  it('shows a failed or skipped task as not done with its reason, and tries it again', async () => {
    const task = (taskId: string, status: 'started' | 'completed' | 'failed' | 'skipped', reason?: string) =>
      server.append({
        type: 'task',
        taskId,
        title: taskId === 't1' ? 'Game logic' : 'Board',
        status,
        stepId: 1,
        ...(reason ? { reason } : {}),
      });
    task('t1', 'started');
    server.append({
      type: 'step.started',
      stepId: 1,
      agent: 'BugHunter',
      branch: 0,
      title: 'Debug npm test',
      task: 't1',
      attempt: 1,
    });
    server.append({ type: 'step.completed', stepId: 1, agent: 'BugHunter', durationMs: 10 });
    task('t1', 'failed', '`npm test` still fails');
    task('t2', 'started');
    task('t2', 'skipped', 'skipped by the user');
    workspace = new WorkspaceState(PROJECT_ID, async () => true);
    workspace.start();
    await until(() => workspace?.live.tasks.length).toBe(2);
    expect(workspace.live.tasks).toEqual([
      { taskId: 't1', title: 'Game logic', status: 'failed', reason: '`npm test` still fails' },
      { taskId: 't2', title: 'Board', status: 'skipped', reason: 'skipped by the user' },
    ]);
    // The step that ended the task says it is not done.
    expect(workspace.live.steps[0]).toMatchObject({
      status: 'completed',
      note: 'The task "Game logic" is not done: `npm test` still fails.',
    });

    expect(workspace.retry('t1')).toBe(true);
    expect(workspace.pending).toBe('retry');
    await until(() => server.messages('retry').length).toBe(1);
    expect(server.messages('retry')[0]!.message).toEqual({ type: 'retry', taskId: 't1' });
    task('t1', 'started');
    await until(() => workspace?.pending).toBeNull();
    expect(workspace.live.tasks[0]).toEqual({
      taskId: 't1',
      title: 'Game logic',
      status: 'started',
      reason: null,
    });
  });
});
