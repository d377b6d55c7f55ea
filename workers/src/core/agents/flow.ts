/**
 * How the agents hand over to each other: from a task's plan to its steps, from the last step to the
 * check of its page (a web app's task), then to the next task, from the last task to starting the app
 * and writing the README.
 */
import { stackById } from '../catalog/catalog.ts';
import { fingerprint } from '../fingerprint.ts';
import { forTask, type AgentContext, type AgentResult, type AgentsState, type TaskState } from './state.ts';
import { withOutcome } from './outcome.ts';
import type { AgentRef } from './steps.ts';

/** The task a work plan belongs to. */
export function currentTask(state: AgentsState): { task: TaskState; index: number } {
  const index = state.tasks.findIndex((t) => t.id === state.work?.taskId);
  if (index < 0 || !state.work) throw new Error('there is no task in progress');
  return { task: state.tasks[index]!, index };
}

/** The step that carries out step `index` of the current task's plan. */
export function workStepRef(state: AgentsState, index: number): AgentRef {
  const { task } = currentTask(state);
  const step = state.work!.steps[index]!;
  switch (step.type) {
    case 'code':
      return { agent: 'CodeMonkey', title: `Write ${step.path}`, ...forTask(task), input: { index } };
    case 'command':
      return { agent: 'Executor', title: `Run ${step.command}`, ...forTask(task), input: { index } };
    case 'human':
      return { agent: 'Executor', title: 'Check by hand', ...forTask(task), input: { index } };
  }
}

/** The step after a task's plan: its acceptance tests, written before its first work step. */
export function acceptanceTestsRef(state: AgentsState): AgentRef {
  const { task } = currentTask(state);
  return { agent: 'TestWriter', title: 'Write the acceptance tests', ...forTask(task) };
}

/** What follows the last task: the app is started, then the README written (`attempt`: after that many fixes). */
export function startAppRef(attempt?: number): AgentRef {
  return {
    agent: 'Executor',
    title: 'Start the app',
    input: { start: true, ...(attempt ? { attempt } : {}) },
  };
}

/** The README's step, after the app was started. */
export function readmeRef(): AgentRef {
  return { agent: 'TechnicalWriter', title: 'Write the README' };
}

/**
 * The check of the current task's page: the app (re)started and its page looked at (`attempt`: after
 * that many fixes of its failure).
 */
export function pageCheckRef(state: AgentsState, attempt?: number): AgentRef {
  const { task } = currentTask(state);
  return {
    agent: 'Executor',
    title: 'Check the page',
    ...forTask(task),
    input: { start: true, task: true, ...(attempt ? { attempt } : {}) },
  };
}

/**
 * Whether a task of this project ends with a check of its page: a web app whose page's files are all in
 * place. Before that (an API written first), there is no page to check yet.
 */
async function hasPage(ctx: AgentContext, state: AgentsState): Promise<boolean> {
  const stack = state.stack ? stackById(state.stack.id) : null;
  if (!stack?.web || stack.pageFiles.length === 0) return false;
  const paths = new Set((await ctx.files.list()).map((f) => f.path));
  return stack.pageFiles.every((p) => paths.has(p));
}

/** The step after task `taskIndex`: the next task's plan, or starting the app. */
export function nextAfterTask(state: AgentsState, taskIndex: number): AgentRef {
  const next = state.tasks[taskIndex + 1];
  return next
    ? {
        agent: 'Developer',
        title: `Plan: ${next.title}`,
        ...forTask(next),
        input: { taskIndex: taskIndex + 1 },
      }
    : startAppRef();
}

/**
 * After step `index` of the plan: the next step, or the end of the task. A web app's task that left no
 * command failing ends with a check of its page ({@link pageCheckRef}); the task is done when that passes
 * ({@link endTask}).
 */
export async function afterWorkStep(
  ctx: AgentContext,
  state: AgentsState,
  index: number,
): Promise<AgentResult> {
  const work = state.work!;
  if (index + 1 < work.steps.length) return { state, next: workStepRef(state, index + 1) };
  if ((work.unresolved ?? []).length === 0 && (await hasPage(ctx, state)))
    return { state, next: pageCheckRef(state) };
  return endTask(ctx, state, false);
}

/**
 * The end of the current task. It ends done (with the user's test instructions) only when none of its
 * commands was left failing; otherwise it ends `failed` and the conversation says it is not done. A task
 * tried again is followed by starting the app again, unless `appChecked`: the app was just started and
 * its page checked, so the README comes next.
 */
export function endTask(ctx: AgentContext, state: AgentsState, appChecked: boolean): AgentResult {
  const work = state.work!;
  const { task, index: taskIndex } = currentTask(state);
  const after = work.again ? startAppRef() : nextAfterTask(state, taskIndex);
  const next = appChecked && after.agent === 'Executor' ? readmeRef() : after;
  const unresolved = work.unresolved ?? [];
  if (unresolved.length > 0) {
    const reason = `${unresolved.map((c) => `\`${c}\``).join(', ')} still ${unresolved.length > 1 ? 'fail' : 'fails'}`;
    ctx.say(
      `The task "${task.title}" is not done: ${reason}. It is marked as failed; you can try it again from the plan once the run has finished.`,
    );
    return {
      state: { ...withOutcome(state, task.id, { status: 'failed', reason }), work: null },
      next,
      taskDone: 'failed',
      taskReason: reason,
    };
  }
  ctx.artifact({
    kind: 'test-instructions',
    data: {
      taskId: task.id,
      title: task.title,
      instructions: work.testInstructions,
    },
  });
  ctx.say(`"${task.title}" is done. To try it yourself:\n${work.testInstructions}`);
  return {
    state: { ...withOutcome(state, task.id, { status: 'completed' }), work: null },
    next,
    taskDone: 'completed',
  };
}

/** The state after the user chose to move on although `command` of the current task still fails. */
export function leaveUnresolved(state: AgentsState, command: string): AgentsState {
  const work = state.work!;
  const unresolved = work.unresolved ?? [];
  return unresolved.includes(command)
    ? state
    : { ...state, work: { ...work, unresolved: [...unresolved, command] } };
}

/**
 * A failure's signature: the command and its first error-looking lines with numbers, durations and
 * paths of temporary files blanked, so the same failure repeated is recognised (a loop guard counts it)
 * while a different one is not.
 */
export function failureSignature(command: string, output: string): string {
  const lines = output
    .split('\n')
    .filter((l) => /error|not ok|fail|assert|expected|cannot|✖|exception|timed out/i.test(l))
    .slice(0, 4)
    .map((l) =>
      l
        .replace(/\/tmp\/\S+/g, '<tmp>')
        .replace(/\d+(\.\d+)?/g, '#')
        .replace(/\s+/g, ' ')
        .trim(),
    );
  return `${command}: ${fingerprint(lines.join('\n') || output.slice(-200))}`;
}

/** Paths of project files that a command's output mentions (a stack trace, a failing test). */
export function mentionedPaths(output: string, paths: readonly string[]): string[] {
  return paths.filter((p) => output.includes(p));
}
