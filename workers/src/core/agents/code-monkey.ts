/**
 * CodeMonkey: writes one file of the plan. New files whole, existing files by search/replace edits that
 * each match exactly once; a miss is re-asked once with what failed, never applied blindly. A review
 * pass checks the change against its instructions and may send it back once.
 */
import { diffText } from '../diff.ts';
import { codeMonkeyV1, reviewV1 } from '../prompts/code-monkey/v1.ts';
import type { StepContext } from '../pipeline.ts';
import { problemsFeedback, resolveChanges } from './apply-changes.ts';
import { describeTask } from './developer.ts';
import { afterWorkStep, currentTask } from './flow.ts';
import { fileContents, projectSummary } from './project-context.ts';
import { FileChange, Review } from './schemas.ts';
import { AgentSession } from './session.ts';
import type { AgentsState, AgentStep } from './state.ts';

interface Written {
  after: string;
  summary: string;
}

async function writeOnce(
  ctx: StepContext,
  session: AgentSession,
  vars: Parameters<typeof codeMonkeyV1.user>[0],
): Promise<Written | { problems: string[] }> {
  const change = await session.object({
    messages: [
      { role: 'system', content: codeMonkeyV1.system },
      { role: 'user', content: codeMonkeyV1.user(vars) },
    ],
    schema: FileChange,
  });
  const resolved = await resolveChanges(ctx, [
    { path: vars.path, content: change.content, edits: change.edits },
  ]);
  return resolved.ok
    ? { after: resolved.files[0]!.after, summary: change.summary }
    : { problems: resolved.problems };
}

/** Writes the file, re-asking once when the answer cannot be applied. */
async function write(
  ctx: StepContext,
  session: AgentSession,
  vars: Parameters<typeof codeMonkeyV1.user>[0],
): Promise<Written> {
  const first = await writeOnce(ctx, session, vars);
  if ('after' in first) return first;
  const second = await writeOnce(ctx, session, {
    ...vars,
    feedback: [vars.feedback, problemsFeedback(first.problems)].filter(Boolean).join('\n\n'),
  });
  if ('after' in second) return second;
  throw new Error(
    `the changes to ${vars.path} could not be applied after a re-ask: ${second.problems.join('; ')}`,
  );
}

export function codeMonkey(opts: { review: boolean }): AgentStep {
  return async (ctx, state) => {
    const { index } = ctx.input as { index: number };
    const { task } = currentTask(state);
    const step = state.work!.steps[index];
    if (step?.type !== 'code') throw new Error(`step ${index + 1} of the plan is not a code step`);
    const session = new AgentSession(ctx);
    const current = await ctx.files.read(step.path);
    const vars = {
      summary: projectSummary(ctx, state, { brief: true }),
      task: describeTask(task),
      path: step.path,
      instructions: step.instructions,
      current,
      context: await fileContents(
        ctx,
        state.work!.relevantFiles.filter((p) => p !== step.path),
      ),
      feedback: '',
    };
    let written = await write(ctx, session, vars);
    if (opts.review) {
      const diff = diffText(current ?? '', written.after).unified;
      const review = await session.object({
        messages: [
          { role: 'system', content: reviewV1.system },
          {
            role: 'user',
            content: reviewV1.user({ path: step.path, instructions: step.instructions, diff }),
          },
        ],
        schema: Review,
      });
      if (!review.approved && review.issues.length > 0) {
        ctx.say(`Review of ${step.path}: ${review.issues.join('; ')}`);
        written = await write(ctx, session, {
          ...vars,
          feedback: `A reviewer found these issues in your previous answer; fix them:\n${review.issues.map((i) => `- ${i}`).join('\n')}`,
        });
      }
    }
    ctx.files.write(step.path, written.after);
    const diff = diffText(current ?? '', written.after);
    ctx.say(
      current === null ? `Wrote ${step.path}.` : `Changed ${step.path} (+${diff.added} −${diff.removed}).`,
    );
    const next: AgentsState = session.addStats(
      { ...state, fileNotes: { ...state.fileNotes, [step.path]: written.summary } },
      task.id,
    );
    return afterWorkStep(ctx, next, index);
  };
}
