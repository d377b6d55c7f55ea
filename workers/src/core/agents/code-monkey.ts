/**
 * CodeMonkey: writes one file of the plan. New files whole, existing files by search/replace edits that
 * each match exactly once; a miss is re-asked once with what failed, never applied blindly. A review
 * pass checks the whole file against its task, its instructions and the files it must agree with (its
 * tests, the module it tests), and may send it back once. When the project asks for
 * review before apply, the person then accepts the change, edits it, or rejects it with a comment that
 * the re-write (and every later file of the task) is given.
 */
import { diffText } from '../diff.ts';
import { codeMonkeyV2, reviewV2 } from '../prompts/code-monkey/v2.ts';
import { problemsFeedback, resolveChanges, type Refused } from './apply-changes.ts';
import { describeTask } from './developer.ts';
import {
  isSourceModule,
  isTestFile,
  namedFiles,
  relativeImports,
  testedModules,
  testsOf,
} from './file-links.ts';
import { afterWorkStep, currentTask } from './flow.ts';
import { fileContents, filePaths, MAX_CONTEXT_CHARS, projectSummary } from './project-context.ts';
import { FileChange, Review } from './schemas.ts';
import { AgentSession } from './session.ts';
import type { AgentContext, AgentsState, AgentStep, ReviewNote, WorkState } from './state.ts';

interface Written {
  after: string;
  summary: string;
}

async function writeOnce(
  ctx: AgentContext,
  session: AgentSession,
  vars: Parameters<typeof codeMonkeyV2.user>[0],
): Promise<Written | Refused> {
  const change = await session.object({
    messages: [
      { role: 'system', content: codeMonkeyV2.system },
      { role: 'user', content: codeMonkeyV2.user(vars) },
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

/** Writes the file, re-asking once when the answer cannot be applied. */
async function write(
  ctx: AgentContext,
  session: AgentSession,
  vars: Parameters<typeof codeMonkeyV2.user>[0],
): Promise<Written> {
  const first = await writeOnce(ctx, session, vars);
  if ('after' in first) return first;
  const second = await writeOnce(ctx, session, {
    ...vars,
    feedback: [vars.feedback, problemsFeedback(first)].filter(Boolean).join('\n\n'),
  });
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

/**
 * The files the file of step `index` must agree with, most binding first (the context budget cuts from
 * the end). `tests`: for a test the module it tests, for a module its tests, and the files its
 * instructions name. `nearby`: the files its current text imports, for a test the modules written
 * earlier in the task, the plan's relevant files. The writer gets both; the reviewer, who also reads
 * the whole file, the first.
 */
async function filesToAgreeWith(
  ctx: AgentContext,
  work: WorkState,
  index: number,
  path: string,
  current: string | null,
): Promise<{ tests: string[]; nearby: string[] }> {
  const paths = await filePaths(ctx);
  const step = work.steps[index]!;
  const test = isTestFile(path);
  const others = (list: string[], not: readonly string[] = []) =>
    [...new Set(list)].filter((p) => p !== path && !not.includes(p));
  const tests = others([
    ...(test ? testedModules(path, paths) : testsOf(path, paths)),
    ...namedFiles(step.type === 'code' ? step.instructions : '', paths),
  ]);
  // For a test, the modules written earlier in the task (latest first) are the likeliest it tests. Other
  // files find what they use through the summary's notes, their instructions and the relevant files.
  const earlierModules = test
    ? work.steps
        .slice(0, index)
        .flatMap((s) => (s.type === 'code' && isSourceModule(s.path) ? [s.path] : []))
        .reverse()
    : [];
  const nearby = others(
    [...relativeImports(path, current ?? '', paths), ...earlierModules, ...work.relevantFiles],
    tests,
  );
  return { tests, nearby };
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
    const agreeWith = await filesToAgreeWith(ctx, work, index, step.path, current);
    const vars = {
      summary: projectSummary(ctx, state, { brief: true }),
      task: describeTask(task),
      path: step.path,
      instructions: step.instructions,
      current,
      context: await fileContents(ctx, [...agreeWith.tests, ...agreeWith.nearby]),
      feedback: earlierComments(earlier),
    };
    let written = await write(ctx, session, vars);
    if (opts.review) {
      // A new file's diff is the file again: the reviewer reads it once.
      const diff = current === null ? null : diffText(current, written.after).unified;
      const review = await session.object({
        messages: [
          { role: 'system', content: reviewV2.system },
          {
            role: 'user',
            content: reviewV2.user({
              task: vars.task,
              path: step.path,
              instructions: step.instructions,
              // Half the writer's budget: the reviewer also reads the whole file and the diff.
              context: await fileContents(ctx, agreeWith.tests, MAX_CONTEXT_CHARS / 2),
              after: written.after,
              diff,
            }),
          },
        ],
        schema: Review,
      });
      if (!review.approved && review.issues.length > 0) {
        ctx.say(`Review of ${step.path}: ${review.issues.join('; ')}`);
        written = await write(ctx, session, {
          ...vars,
          feedback: [
            vars.feedback,
            `A reviewer found these issues in your previous answer; fix them:\n${review.issues.map((i) => `- ${i}`).join('\n')}`,
          ]
            .filter(Boolean)
            .join('\n\n'),
        });
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
      written = await write(ctx, session, {
        ...vars,
        feedback: [vars.feedback, rejectionFeedback(step.path, current, written.after, verdict.comment)]
          .filter(Boolean)
          .join('\n\n'),
      });
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
