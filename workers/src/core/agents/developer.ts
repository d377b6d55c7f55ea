/** Developer: a task's plan (steps, relevant files, test instructions); the stack's tests close it. */
import { stackById } from '../catalog/catalog.ts';
import { normalizePath } from '../paths.ts';
import { developerV1 } from '../prompts/developer/v1.ts';
import { workStepRef } from './flow.ts';
import { earlierTry } from './try-again.ts';
import { filePaths, projectSummary, userNotes } from './project-context.ts';
import { DevPlan, type DevStep } from './schemas.ts';
import { AgentSession } from './session.ts';
import type { AgentsState, AgentStep, TaskState, WorkState } from './state.ts';

/** Describes a task for a prompt. */
export function describeTask(task: TaskState): string {
  return `${task.title}\n${task.description}\nAcceptance criteria:\n${task.acceptance.map((a) => `- ${a}`).join('\n')}`;
}

/**
 * The plan's steps with paths made canonical (a step with an unusable path is dropped) and the stack's
 * test command last, so every task ends with its tests passing.
 */
export function normalizeSteps(steps: readonly DevStep[], state: AgentsState): DevStep[] {
  const out: DevStep[] = [];
  for (const step of steps) {
    if (step.type !== 'code') out.push(step);
    else {
      const path = normalizePath(step.path);
      if (path) out.push({ ...step, path });
    }
  }
  const test = state.stack ? stackById(state.stack.id)?.test : undefined;
  const last = out.at(-1);
  if (test && !(last?.type === 'command' && last.command === test))
    out.push({ type: 'command', command: test, timeoutSeconds: 300 });
  return out;
}

/** A work plan, from the Developer's or the Troubleshooter's answer. */
export function workOf(
  task: TaskState,
  plan: { steps: DevStep[]; relevantFiles: string[]; testInstructions: string },
  state: AgentsState,
): WorkState {
  return {
    taskId: task.id,
    steps: normalizeSteps(plan.steps, state),
    relevantFiles: plan.relevantFiles.map((p) => normalizePath(p)).filter((p): p is string => p !== null),
    testInstructions: plan.testInstructions,
  };
}

export const developer: AgentStep<'Developer'> = async (ctx, state) => {
  const { taskIndex } = ctx.input;
  const task = state.tasks[taskIndex];
  if (!task) throw new Error(`there is no task ${taskIndex + 1}`);
  const session = new AgentSession(ctx);
  // The summary lists the files with notes; only the others (a user's uploads, say) are listed here.
  const paths = (await filePaths(ctx))
    .filter((p) => !(p in state.fileNotes))
    .map((p) => `- ${p}`)
    .join('\n');
  const plan = await session.object({
    messages: [
      { role: 'system', content: developerV1.system },
      {
        role: 'user',
        content: developerV1.user({
          summary: projectSummary(ctx, state),
          task: `${describeTask(task)}${earlierTry(state, task)}`,
          paths,
          notes: userNotes(ctx),
        }),
      },
    ],
    schema: DevPlan,
  });
  const work = { ...workOf(task, plan, state), ...(ctx.input.again ? { again: true } : {}) };
  ctx.artifact({
    kind: 'task-plan',
    data: { taskId: task.id, steps: work.steps, relevantFiles: work.relevantFiles },
  });
  const next: AgentsState = session.addStats({ ...state, work }, task.id);
  return { state: next, next: workStepRef(next, 0) };
};
