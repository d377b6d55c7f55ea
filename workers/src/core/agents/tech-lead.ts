/** TechLead: the task plan; in interactive mode the user approves it or says what to change. */
import { techLeadV2 } from '../prompts/tech-lead/v2.ts';
import type { LlmMessage } from '../ports.ts';
import { projectSummary } from './project-context.ts';
import { TaskPlan } from './schemas.ts';
import { AgentSession } from './session.ts';
import { forTask, type AgentStep, type TaskState } from './state.ts';

const APPROVE = 'Approve';

/** The plan's tasks grouped by epic, in the order the epics first appear (untitled ones under "Tasks"). */
function epicsOf(plan: TaskPlan): { title: string; tasks: TaskPlan['tasks'] }[] {
  const epics = new Map<string, TaskPlan['tasks']>();
  for (const task of plan.tasks) {
    const title = task.epic?.trim() || 'Tasks';
    epics.set(title, [...(epics.get(title) ?? []), task]);
  }
  return [...epics].map(([title, tasks]) => ({ title, tasks }));
}

export const techLead: AgentStep<'TechLead'> = async (ctx, state) => {
  const session = new AgentSession(ctx);
  const messages = (feedback: string): LlmMessage[] => [
    { role: 'system', content: techLeadV2.system },
    {
      role: 'user',
      content: techLeadV2.user({
        summary: projectSummary(ctx, state),
        notes: state.stack?.notes ?? '',
        feedback,
      }),
    },
  ];
  let plan = await session.object({ messages: messages(''), schema: TaskPlan });
  const listing = (p: TaskPlan) => p.tasks.map((t, i) => `${i + 1}. ${t.title}`).join('\n');
  ctx.artifact({ kind: 'plan', data: { tasks: plan.tasks, epics: epicsOf(plan), revision: 1 } });
  const answer = await ctx.ask({
    text: `The plan:\n${listing(plan)}\nApprove it, or say what to change.`,
    options: [APPROVE],
    default: APPROVE,
  });
  if (answer.trim() !== APPROVE) {
    plan = await session.object({ messages: messages(answer), schema: TaskPlan });
    ctx.artifact({ kind: 'plan', data: { tasks: plan.tasks, epics: epicsOf(plan), revision: 2 } });
  }
  const tasks: TaskState[] = plan.tasks.map((t, i) => ({ id: `t${i + 1}`, ...t }));
  ctx.say(`${tasks.length} task${tasks.length === 1 ? '' : 's'}:\n${listing(plan)}`);
  return {
    state: session.addStats({ ...state, tasks }, 'plan'),
    next: {
      agent: 'Developer',
      title: `Plan: ${tasks[0]!.title}`,
      ...forTask(tasks[0]!),
      input: { taskIndex: 0 },
    },
  };
};
