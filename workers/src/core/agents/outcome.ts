/**
 * How the plan's tasks ended: done, failed (a command of the task still fails and the user moved on) or
 * skipped. Only a done task is ever shown or told to an agent as done.
 *
 * The Skip control moves the run past a task without a step of its own, so nothing records that task's
 * end when it happens: the next step does. A task before the one a step works on (or, for a step outside
 * the plan, any task) that has no outcome was skipped, since every other way out of a task records one
 * ({@link settleSkipped}).
 */
import type { TaskRef } from '../pipeline.ts';
import type { AgentsState, TaskOutcome, TaskState } from './state.ts';

/** The reason given for a task the user skipped with the Skip control. */
export const SKIPPED_BY_USER = 'skipped by the user';

/**
 * Each task's outcome. A state from before outcomes were kept has none: its tasks before the current
 * one are taken as done, as that version announced them.
 */
export function outcomesOf(state: AgentsState): Record<string, TaskOutcome> {
  if (state.outcomes) return state.outcomes;
  const at = state.tasks.findIndex((t) => t.id === state.work?.taskId);
  const before = at < 0 ? [] : state.tasks.slice(0, at);
  return Object.fromEntries(before.map((t) => [t.id, { status: 'completed' as const }]));
}

/** The state with `taskId`'s outcome recorded (a task tried again replaces its earlier one). */
export function withOutcome(state: AgentsState, taskId: string, outcome: TaskOutcome): AgentsState {
  return { ...state, outcomes: { ...outcomesOf(state), [taskId]: outcome } };
}

/**
 * The state a step of `task` (null: a step outside the plan) starts from: the tasks the run has moved
 * past without an outcome are recorded as skipped by the user.
 */
export function settleSkipped(state: AgentsState, task: TaskRef | null): AgentsState {
  if (!state.outcomes) return state;
  const at = task ? state.tasks.findIndex((t) => t.id === task.id) : -1;
  const passed = at < 0 ? state.tasks : state.tasks.slice(0, at);
  const skipped = passed.filter((t) => !state.outcomes![t.id]);
  if (skipped.length === 0) return state;
  return {
    ...state,
    outcomes: {
      ...state.outcomes,
      ...Object.fromEntries(
        skipped.map((t) => [t.id, { status: 'skipped' as const, reason: SKIPPED_BY_USER }]),
      ),
    },
  };
}

/** Tasks that ended without being done, with how and why. */
export function unfinishedTasks(state: AgentsState): { task: TaskState; outcome: TaskOutcome }[] {
  const outcomes = outcomesOf(state);
  return state.tasks.flatMap((task) => {
    const outcome = outcomes[task.id];
    return outcome && outcome.status !== 'completed' ? [{ task, outcome }] : [];
  });
}

/**
 * One line of the plan for an agent: `[done]`, `[failed: why]`, `[skipped: why]`, `[now]` (`current`: the
 * id of the task being worked on) or `[todo]`.
 */
export function planLine(state: AgentsState, task: TaskState, current: string | null): string {
  if (task.id === current) return `[now] ${task.title}`;
  const outcome = outcomesOf(state)[task.id];
  if (!outcome) return `[todo] ${task.title}`;
  if (outcome.status === 'completed') return `[done] ${task.title}`;
  return `[${outcome.status}${outcome.reason ? `: ${outcome.reason}` : ''}] ${task.title} (not done)`;
}

/** Lines telling an agent what does not work yet (empty when everything ended done). */
export function notWorkingYet(state: AgentsState, appNotStarted?: string): string[] {
  const lines = unfinishedTasks(state).map(
    ({ task, outcome }) =>
      `- "${task.title}" is not done (${outcome.status}${outcome.reason ? `: ${outcome.reason}` : ''})`,
  );
  if (appNotStarted) lines.push(`- The app was not started (${appNotStarted}).`);
  return lines;
}
