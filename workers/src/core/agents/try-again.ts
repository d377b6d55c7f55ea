/**
 * Trying a task again: a task that ended failed or skipped is planned anew by the Developer once the
 * run has finished, told what became of the earlier try; after it, the app is started again and the
 * README rewritten, so both say how things are now.
 */
import { outcomesOf } from './outcome.ts';
import { forTask, type AgentsState, type TaskState } from './state.ts';
import type { AgentRef } from './steps.ts';

/** The Developer's step for trying `taskId` again, or why it cannot be tried again. */
export function tryAgainRef(state: AgentsState, taskId: string): AgentRef | { refused: string } {
  const taskIndex = state.tasks.findIndex((t) => t.id === taskId);
  const task = state.tasks[taskIndex];
  if (!task) return { refused: 'The plan has no such task.' };
  const outcome = outcomesOf(state)[task.id];
  if (!outcome || outcome.status === 'completed') {
    return { refused: `The task "${task.title}" is not failed or skipped: there is nothing to try again.` };
  }
  return {
    agent: 'Developer',
    title: `Plan again: ${task.title}`,
    ...forTask(task),
    input: { taskIndex, again: true },
  };
}

/** For the Developer's prompt: what became of the earlier try of `task` (empty on a first try). */
export function earlierTry(state: AgentsState, task: TaskState): string {
  const outcome = outcomesOf(state)[task.id];
  if (!outcome || outcome.status === 'completed') return '';
  return `\nThis task was tried before and is not done (${outcome.status}${outcome.reason ? `: ${outcome.reason}` : ''}). Plan it anew from the project as it is now.`;
}
