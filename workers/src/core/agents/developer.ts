/**
 * Developer: a task's plan (steps, relevant files, test instructions); the stack's tests close it. A
 * user's change request on the built app is planned here too, as a task of its own.
 */
import { stackById } from '../catalog/catalog.ts';
import { normalizePath } from '../paths.ts';
import type { ZodType } from 'zod';
import { changeRequestV2, developerV3, type PlanningContext } from '../prompts/developer/v3.ts';
import { callBudget } from './context-budget.ts';
import { acceptanceTestsRef, workStepRef } from './flow.ts';
import { confirmRequest, planningContext, unseenEdits } from './planning-context.ts';
import { earlierTry } from './try-again.ts';
import { projectSummary } from './project-context.ts';
import { ChangePlan, DevPlan, type DevStep } from './schemas.ts';
import { AgentSession } from './session.ts';
import type { AgentContext, AgentResult, AgentsState, AgentStep, TaskState, WorkState } from './state.ts';
import type { ChangeRequest } from './steps.ts';

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

/**
 * A task the user asked for (a change request, a bug report), added to the plan with its work planned:
 * the result of the step that planned it, its first work step next.
 */
export function startUserTask(
  ctx: AgentContext,
  session: AgentSession,
  state: AgentsState,
  task: TaskState,
  plan: { steps: DevStep[]; relevantFiles: string[]; testInstructions: string },
): AgentResult {
  const withTask: AgentsState = { ...state, tasks: [...state.tasks, task], fixes: state.fixes + 1 };
  const work = workOf(task, plan, withTask);
  ctx.artifact({
    kind: 'task-plan',
    data: { taskId: task.id, steps: work.steps, relevantFiles: work.relevantFiles },
  });
  const next = session.addStats({ ...withTask, work }, task.id);
  return { state: next, next: workStepRef(next, 0) };
}

/**
 * A plan from a prompt that shows the project map and the files `text` most likely touches
 * (`planning-context.ts`); a plan that changes an existing file the model was not shown is asked once
 * more with those files shown, to confirm or correct it (one extra call, only then).
 */
async function planShown<T extends { steps: DevStep[] }>(
  ctx: AgentContext,
  state: AgentsState,
  session: AgentSession,
  prompt: { system: string; user: (shown: PlanningContext) => string; text: string; schema: ZodType<T> },
): Promise<T> {
  const budget = await callBudget(ctx);
  const fixed = (confirm: string) => `${prompt.system}\n${prompt.user({ map: '', files: '', confirm })}`;
  const ask = (shown: PlanningContext) =>
    session.object({
      messages: [
        { role: 'system', content: prompt.system },
        { role: 'user', content: prompt.user(shown) },
      ],
      schema: prompt.schema,
    });
  const first = await planningContext(ctx, state, { text: prompt.text, budget, fixed: fixed('') });
  const plan = await ask({ map: first.map, files: first.files, confirm: '' });
  const unseen = unseenEdits(plan.steps, first.entries, first.shown);
  if (unseen.length === 0) return plan;
  const confirm = confirmRequest(plan, unseen);
  const again = await planningContext(ctx, state, {
    text: prompt.text,
    budget,
    fixed: fixed(confirm),
    first: unseen,
  });
  return ask({ map: again.map, files: again.files, confirm });
}

/** Plans task `taskIndex` of the plan. */
async function planTask(
  ctx: AgentContext,
  state: AgentsState,
  input: { taskIndex: number; again?: boolean | undefined },
): Promise<AgentResult> {
  const { taskIndex } = input;
  const task = state.tasks[taskIndex];
  if (!task) throw new Error(`there is no task ${taskIndex + 1}`);
  const session = new AgentSession(ctx);
  const taskText = `${describeTask(task)}${earlierTry(state, task)}`;
  const summary = projectSummary(ctx, state, { files: false });
  const plan = await planShown(ctx, state, session, {
    system: developerV3.system,
    user: (shown) => developerV3.user({ summary, task: taskText, ...shown }),
    text: taskText,
    schema: DevPlan,
  });
  const work = { ...workOf(task, plan, state), ...(input.again ? { again: true } : {}) };
  ctx.artifact({
    kind: 'task-plan',
    data: { taskId: task.id, steps: work.steps, relevantFiles: work.relevantFiles },
  });
  const next: AgentsState = session.addStats({ ...state, work }, task.id);
  // The task's acceptance tests are written before its first work step.
  return { state: next, next: acceptanceTestsRef(next) };
}

/**
 * Plans a user's change request as a task of its own: the model sums it up in the task's title (until
 * it has answered, the step shows a neutral one) and states its acceptance criteria.
 */
async function planRequest(
  ctx: AgentContext,
  state: AgentsState,
  request: ChangeRequest,
): Promise<AgentResult> {
  const session = new AgentSession(ctx);
  const summary = projectSummary(ctx, state, { files: false });
  const plan = await planShown(ctx, state, session, {
    system: changeRequestV2.system,
    user: (shown) => changeRequestV2.user({ summary, kind: request.kind, text: request.text, ...shown }),
    text: request.text,
    schema: ChangePlan,
  });
  const task: TaskState = {
    id: ctx.task?.id ?? `change${state.fixes + 1}`,
    title: plan.title.trim(),
    description: `${plan.description}\n\nThe user's words: ${request.text}`,
    acceptance: plan.acceptance,
  };
  ctx.say(
    `Planned as the task "${task.title}". Done when:\n${task.acceptance.map((a) => `- ${a}`).join('\n')}`,
  );
  const started = startUserTask(ctx, session, state, task, plan);
  // A change request gets its acceptance tests first, like any task of the plan.
  return { ...started, next: acceptanceTestsRef(started.state) };
}

export const developer: AgentStep<'Developer'> = async (ctx, state) => {
  const input = ctx.input;
  return 'request' in input ? planRequest(ctx, state, input.request) : planTask(ctx, state, input);
};
