/**
 * Troubleshooter: a user's bug report on the finished app becomes a task of its own (a title summing it
 * up, analysis, hypotheses, steps, test instructions), carried out like any other task. The steps
 * reproduce the bug in a test before fixing it, so a fix that does not work meets the debug loop.
 * (A change request is the Developer's: `developer.ts`.)
 */
import { troubleshooterV3 } from '../prompts/troubleshooter/v3.ts';
import { startUserTask } from './developer.ts';
import { fileContents, filePaths, filesBudgetChars, projectSummary } from './project-context.ts';
import { Troubleshooting } from './schemas.ts';
import { AgentSession } from './session.ts';
import type { AgentsState, AgentStep, TaskState } from './state.ts';

/**
 * Files whose path or note shares a word stem with the report: a cheap first guess at what to show
 * (the Troubleshooter names the files the work needs itself; contents of every file are never sent).
 */
function guessRelevant(report: string, state: AgentsState): string[] {
  const stems = (text: string) =>
    new Set((text.toLowerCase().match(/[a-z0-9_]{4,}/g) ?? []).map((w) => w.slice(0, 4)));
  const wanted = stems(report);
  return Object.entries(state.fileNotes)
    .filter(([path, note]) => [...stems(`${path} ${note}`)].some((s) => wanted.has(s)))
    .map(([path]) => path)
    .slice(0, 8);
}

export const troubleshooter: AgentStep<'Troubleshooter'> = async (ctx, state) => {
  const { text } = ctx.input;
  const session = new AgentSession(ctx);
  const paths = await filePaths(ctx);
  const vars = {
    summary: projectSummary(ctx, state),
    report: text,
    paths: paths.map((p) => `- ${p}`).join('\n'),
    files: '',
  };
  // The files within what the call's budget leaves (`context-budget.ts`).
  const fixed = `${troubleshooterV3.system}\n${troubleshooterV3.user(vars)}`;
  vars.files = await fileContents(
    ctx,
    guessRelevant(text, state),
    await filesBudgetChars(ctx, fixed, 24_000),
  );
  const result = await session.object({
    messages: [
      { role: 'system', content: troubleshooterV3.system },
      { role: 'user', content: troubleshooterV3.user(vars) },
    ],
    schema: Troubleshooting,
  });
  const task: TaskState = {
    id: ctx.task?.id ?? `fix${state.fixes + 1}`,
    title: result.title.trim(),
    description: `${text}\n\nAnalysis: ${result.analysis}`,
    acceptance: [result.testInstructions],
  };
  const hypotheses = result.hypotheses?.length
    ? `\nHypotheses:\n${result.hypotheses.map((h, i) => `${i + 1}. ${h}`).join('\n')}`
    : '';
  ctx.say(`${result.analysis}${hypotheses}`);
  return startUserTask(ctx, session, state, task, result);
};
