/**
 * CodeMonkey: writes one file of the plan. New files whole, existing files by search/replace edits that
 * each match exactly once; a miss is re-asked once with what failed, never applied blindly. A review
 * pass checks the whole file against its task, its instructions and the files it must agree with (its
 * tests, the module it tests), and may send it back once. When the project asks for
 * review before apply, the person then accepts the change, edits it, or rejects it with a comment that
 * the re-write (and every later file of the task) is given.
 */
import { diffText } from '../diff.ts';
import { codeMonkeyV3, reviewV3 } from '../prompts/code-monkey/v3.ts';
import { problemsFeedback, resolveChanges, type Refused } from './apply-changes.ts';
import { reviewerContext, writerContext } from './code-context.ts';
import { callBudget } from './context-budget.ts';
import { describeTask } from './developer.ts';
import { afterWorkStep, currentTask } from './flow.ts';
import { projectSummary } from './project-context.ts';
import { FileChange, Review } from './schemas.ts';
import { AgentSession } from './session.ts';
import type { AgentContext, AgentsState, AgentStep, ReviewNote } from './state.ts';

interface Written {
  after: string;
  summary: string;
}

async function writeOnce(
  ctx: AgentContext,
  session: AgentSession,
  vars: Parameters<typeof codeMonkeyV3.user>[0],
): Promise<Written | Refused> {
  const change = await session.object({
    messages: [
      { role: 'system', content: codeMonkeyV3.system },
      { role: 'user', content: codeMonkeyV3.user(vars) },
    ],
    schema: FileChange,
  });
  const resolved = await resolveChanges(ctx, [
    { path: vars.path, content: change.content, edits: change.edits },
  ]);
  return resolved.ok
    ? { after: resolved.files[0]!.after, summary: change.summary }
    : { problems: resolved.problems, refusedFiles: resolved.refusedFiles };
}

/** The writer's prompt variables for the given feedback, its context fitted around that feedback. */
type FitVars = (feedback: readonly string[]) => Promise<Parameters<typeof codeMonkeyV3.user>[0]>;

/**
 * Writes the file, re-asking once when the answer cannot be applied. `feedback`: what this writing must
 * heed (a reviewer's issues, the user's rejection). Each call's context is fitted with its feedback in
 * it, so a re-ask that shows the problems and the refused file's text stays within the call's budget.
 */
async function write(
  ctx: AgentContext,
  session: AgentSession,
  fit: FitVars,
  feedback: readonly string[] = [],
): Promise<Written> {
  const vars = await fit(feedback);
  const first = await writeOnce(ctx, session, vars);
  if ('after' in first) return first;
  const second = await writeOnce(ctx, session, await fit([...feedback, problemsFeedback(first)]));
  if ('after' in second) return second;
  throw new Error(
    `the changes to ${vars.path} could not be applied after a re-ask: ${second.problems.join('; ')}`,
  );
}

/** The re-write's feedback after the person rejected a proposed change. */
function rejectionFeedback(path: string, before: string | null, rejected: string, comment: string): string {
  return [
    `The user reviewed your change to ${path} and rejected it with this comment:\n${comment}`,
    `Your rejected change (unified diff against the current file):\n${diffText(before ?? '', rejected).unified}`,
    'Write the file again, doing what the user asks.',
  ].join('\n\n');
}

/** The person's review comments on earlier files of the task, which every later file should heed. */
function earlierComments(reviews: readonly ReviewNote[]): string {
  if (reviews.length === 0) return '';
  return `The user's review comments on earlier changes in this task (heed them here too):\n${reviews.map((r) => `- ${r.path}: ${r.comment}`).join('\n')}`;
}

export function codeMonkey(opts: { review: boolean }): AgentStep<'CodeMonkey'> {
  return async (ctx, state) => {
    const { index } = ctx.input;
    const { task } = currentTask(state);
    const work = state.work!;
    const step = work.steps[index];
    if (step?.type !== 'code') throw new Error(`step ${index + 1} of the plan is not a code step`);
    const session = new AgentSession(ctx);
    const current = await ctx.files.read(step.path);
    const earlier = work.reviews ?? [];
    const budget = await callBudget(ctx);
    const base = {
      summary: projectSummary(ctx, state, { brief: true, files: false }),
      task: describeTask(task),
      path: step.path,
      instructions: step.instructions,
      feedback: earlierComments(earlier),
    };
    const fitted = async (feedback: readonly string[]) => {
      const vars = { ...base, feedback: [base.feedback, ...feedback].filter(Boolean).join('\n\n') };
      const shown = await writerContext(ctx, state, {
        index,
        path: step.path,
        current,
        budget,
        focus: `${base.task}\n${step.instructions}`,
        fixed: `${codeMonkeyV3.system}\n${codeMonkeyV3.user({ ...vars, current: current === null ? null : '', context: '', map: '' })}`,
      });
      return { shown, vars: { ...vars, current: shown.target, context: shown.files, map: shown.map } };
    };
    const { shown: first, vars } = await fitted([]);
    const fit: FitVars = async (feedback) => (feedback.length === 0 ? vars : (await fitted(feedback)).vars);
    let written = await write(ctx, session, fit);
    if (opts.review) {
      // A new file's diff is the file again: the reviewer reads it once.
      const diff = current === null ? null : diffText(current, written.after).unified;
      const reviewVars = {
        task: vars.task,
        path: step.path,
        instructions: step.instructions,
        context: '',
        after: '',
        diff,
      };
      const shown = await reviewerContext(ctx, {
        path: step.path,
        before: current,
        after: written.after,
        agree: first.linked.checks,
        budget,
        focus: `${base.task}\n${step.instructions}`,
        fixed: `${reviewV3.system}\n${reviewV3.user(reviewVars)}`,
      });
      const review = await session.object({
        messages: [
          { role: 'system', content: reviewV3.system },
          {
            role: 'user',
            content: reviewV3.user({ ...reviewVars, context: shown.files, after: shown.target! }),
          },
        ],
        schema: Review,
      });
      if (!review.approved && review.issues.length > 0) {
        ctx.say(`Review of ${step.path}: ${review.issues.join('; ')}`);
        written = await write(ctx, session, fit, [
          `A reviewer found these issues in your previous answer; fix them:\n${review.issues.map((i) => `- ${i}`).join('\n')}`,
        ]);
      }
    }
    // Review before apply: the person sees the change before it is written (when the project asks).
    const comments: ReviewNote[] = [];
    let edited = false;
    for (let round = 0; ; round++) {
      const verdict = await ctx.review({
        path: step.path,
        before: current,
        after: written.after,
        summary: written.summary,
        round,
      });
      if (verdict.decision === 'accept') break;
      if (verdict.decision === 'edit') {
        written = { ...written, after: verdict.content };
        edited = true;
        break;
      }
      comments.push({ path: step.path, comment: verdict.comment });
      written = await write(ctx, session, fit, [
        rejectionFeedback(step.path, current, written.after, verdict.comment),
      ]);
    }
    ctx.files.write(step.path, written.after);
    const diff = diffText(current ?? '', written.after);
    const how = edited ? ' with your edits' : '';
    ctx.say(
      current === null
        ? `Wrote ${step.path}${how}.`
        : `Changed ${step.path}${how} (+${diff.added} −${diff.removed}).`,
    );
    const next: AgentsState = session.addStats(
      {
        ...state,
        fileNotes: { ...state.fileNotes, [step.path]: written.summary },
        work: comments.length > 0 ? { ...work, reviews: [...earlier, ...comments] } : work,
      },
      task.id,
    );
    return afterWorkStep(ctx, next, index);
  };
}
