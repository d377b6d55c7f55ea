/**
 * Moving on without something working, said as it is: the BugHunter's "Skip" answer (a command still
 * fails) and the Skip control (the current task, or the app's start, is left). Neither is ever announced
 * as done: the task ends failed or skipped (`outcome.ts`), the app as not started, and the README says so.
 */
import type { StepRef } from '../pipeline.ts';
import { afterWorkStep, currentTask, endTask, leaveUnresolved, nextAfterTask, startAppRef } from './flow.ts';
import { SKIPPED_BY_USER } from './outcome.ts';
import type { AgentContext, AgentResult, AgentsState } from './state.ts';
import type { AgentRef, FailureInput } from './steps.ts';

/** The README step after the app's start was left: it says that the app was not started, and why. */
export function readmeWithoutApp(why: string): AgentRef {
  return { agent: 'TechnicalWriter', title: 'Write the README', input: { appNotStarted: why } };
}

/**
 * The user answered "Skip" to a failure that survived the BugHunter's fixes: the run moves on with the
 * command still failing. Within a task, its remaining steps run and the task ends failed; at a task's
 * page check, the task ends failed; at the app's start, the README is written for an app that was not
 * started.
 */
export async function skipFailure(
  ctx: AgentContext,
  state: AgentsState,
  failure: FailureInput,
): Promise<AgentResult> {
  const still = `\`${failure.command}\` still fails (${failure.ended})`;
  if (failure.index === null && failure.taskCheck) {
    const { task } = currentTask(state);
    ctx.say(`Moving on although ${still}; the task "${task.title}" is not done.`);
    return endTask(ctx, leaveUnresolved(state, failure.command), false);
  }
  if (failure.index === null) {
    ctx.say(`Moving on although ${still}: the app was not started. The README will say so.`);
    return { state, next: readmeWithoutApp(`${still}; the user moved on`) };
  }
  const { task } = currentTask(state);
  ctx.say(`Moving on although ${still}; the task "${task.title}" is not done.`);
  return afterWorkStep(ctx, leaveUnresolved(state, failure.command), failure.index);
}

/**
 * Where the Skip control leads from step `current`: past its task (the next task, or starting the app
 * after the last one or after a task tried again), from the app's start to the README, or from the
 * README to the end of the run. Null where there is nothing to skip (the specification, the plan).
 */
export function afterSkip(state: AgentsState, current: StepRef): AgentRef | 'finish' | null {
  if (current.agent === 'TechnicalWriter') return 'finish';
  if (current.task) {
    const index = state.tasks.findIndex((t) => t.id === current.task!.id);
    const again =
      (state.work?.taskId === current.task.id && state.work.again === true) ||
      (current.agent === 'Developer' && (current.input as { again?: boolean } | undefined)?.again === true);
    return index < 0 || again ? startAppRef() : nextAfterTask(state, index);
  }
  const startingApp =
    (current.agent === 'Executor' || current.agent === 'BugHunter') && state.tasks.length > 0;
  return startingApp ? readmeWithoutApp(SKIPPED_BY_USER) : null;
}
