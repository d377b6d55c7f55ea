/**
 * TestWriter: after a task's plan and before its code, a call of its own writes the task's acceptance
 * tests from the specification and the task's acceptance criteria, in the stack's test conventions (the
 * stack's test command, the last step of every task, runs them: the task is done when they pass). They
 * are written through the CodeMonkey's rules (new files whole, existing ones by exact edits, re-asked
 * once) and the person's review before apply; the work state records them, so the coding steps may not
 * change them without the user's approval (`acceptance-guard.ts`), and a plan step that would write one
 * is dropped: the code is what the task's steps write.
 */
import { stackById } from '../catalog/catalog.ts';
import { testWriterV1 } from '../prompts/test-writer/v1.ts';
import { problemsFeedback, resolveChanges, type Resolved } from './apply-changes.ts';
import { describeTask } from './developer.ts';
import { isTestFile } from './file-links.ts';
import { afterWorkStep, currentTask, workStepRef } from './flow.ts';
import { fileContents, filePaths, filesBudgetChars, projectSummary } from './project-context.ts';
import { AcceptanceTests, type DevStep } from './schemas.ts';
import { AgentSession } from './session.ts';
import type { AgentContext, AgentsState, AgentStep, WorkState } from './state.ts';

/** The plan as the TestWriter reads it: one line per step. */
function planText(steps: readonly DevStep[]): string {
  return steps
    .map((s, i) => {
      const what =
        s.type === 'code'
          ? `write ${s.path}: ${s.instructions}`
          : s.type === 'command'
            ? `run \`${s.command}\``
            : `a check by hand: ${s.instructions}`;
      return `${i + 1}. ${what}`;
    })
    .join('\n');
}

/** How the project's tests run, for the prompt: the stack's command and its test conventions. */
function testsText(state: AgentsState): string {
  const stack = state.stack ? stackById(state.stack.id) : null;
  if (!stack) return 'the project has no test command yet; write tests a plain `node --test` runs.';
  return `they run with \`${stack.test}\`. Follow the project's conventions (above) for where tests live and what they use.`;
}

/** Whether `path` can be a test: the JavaScript conventions, or Python's and Go's test file names. */
function isAcceptanceTestPath(path: string): boolean {
  return isTestFile(path) || /(^|\/)test_[^/]+\.py$|_test\.(py|go)$/.test(path);
}

/** Writes the acceptance tests, re-asking once when the answer cannot be applied. */
async function writeTests(
  ctx: AgentContext,
  session: AgentSession,
  vars: Parameters<typeof testWriterV1.user>[0],
): Promise<{ answer: AcceptanceTests; resolved: Resolved & { ok: true } }> {
  let feedback = vars.feedback;
  for (let round = 0; ; round++) {
    const answer = await session.object({
      messages: [
        { role: 'system', content: testWriterV1.system },
        { role: 'user', content: testWriterV1.user({ ...vars, feedback }) },
      ],
      schema: AcceptanceTests,
    });
    // Only tests: a module written here would be taken out of the plan and guarded as a test.
    const notTests = answer.files.filter((f) => !isAcceptanceTestPath(f.path));
    const resolved: Resolved =
      notTests.length > 0
        ? {
            ok: false,
            problems: notTests.map(
              (f) =>
                `${f.path}: not a test file; write only the tests, where the project's conventions put them (the code is written afterwards)`,
            ),
            refusedFiles: [],
          }
        : await resolveChanges(ctx, answer.files);
    if (resolved.ok) return { answer, resolved };
    if (round > 0) {
      throw new Error(
        `the acceptance tests could not be applied after a re-ask: ${resolved.problems.join('; ')}`,
      );
    }
    feedback = [vars.feedback, problemsFeedback(resolved)].filter(Boolean).join('\n\n');
  }
}

/** The plan without the steps that would write an acceptance test (the tests are not the code's to write). */
export function withoutTestSteps(work: WorkState, tests: readonly string[]): WorkState {
  const steps = work.steps.filter((s) => !(s.type === 'code' && tests.includes(s.path)));
  return { ...work, steps, acceptanceTests: [...tests] };
}

export const testWriter: AgentStep<'TestWriter'> = async (ctx, state) => {
  const { task } = currentTask(state);
  const work = state.work!;
  const session = new AgentSession(ctx);
  const paths = await filePaths(ctx);
  const planned = work.steps.flatMap((s) => (s.type === 'code' ? [s.path] : []));
  const vars = {
    summary: projectSummary(ctx, state, { brief: true }),
    task: describeTask(task),
    tests: testsText(state),
    plan: planText(work.steps),
    existingTests: paths
      .filter(isAcceptanceTestPath)
      .map((p) => `- ${p}`)
      .join('\n'),
    files: '',
    feedback: '',
  };
  // The planned files that exist, within what the call's budget leaves (`context-budget.ts`).
  if (planned.some((p) => paths.includes(p)))
    vars.files = await fileContents(
      ctx,
      planned,
      await filesBudgetChars(ctx, `${testWriterV1.system}\n${testWriterV1.user(vars)}`, 24_000),
    );
  const { answer, resolved } = await writeTests(ctx, session, vars);
  const written: string[] = [];
  const notes: Record<string, string> = {};
  for (const file of resolved.files) {
    const summary = answer.files.find((f) => f.path === file.path)?.summary ?? 'acceptance tests';
    // Review before apply, as for any code: the person may edit a test, or refuse it (it is not written).
    const verdict = await ctx.review({
      path: file.path,
      before: file.before,
      after: file.after,
      summary,
      round: 0,
    });
    if (verdict.decision === 'reject') {
      ctx.say(`Left out the acceptance test ${file.path}, as you asked: ${verdict.comment}`);
      continue;
    }
    ctx.files.write(file.path, verdict.decision === 'edit' ? verdict.content : file.after);
    written.push(file.path);
    notes[file.path] = summary;
  }
  const planWork = withoutTestSteps(work, written);
  if (planWork.steps.length !== work.steps.length) {
    ctx.artifact({
      kind: 'task-plan',
      data: { taskId: task.id, steps: planWork.steps, relevantFiles: planWork.relevantFiles },
    });
  }
  ctx.say(
    written.length > 0
      ? `Wrote the acceptance tests of "${task.title}" first: ${written.join(', ')}. The task is done when they pass.`
      : `No acceptance tests for "${task.title}": nothing of it can be checked by a test.`,
  );
  const next: AgentsState = session.addStats(
    { ...state, fileNotes: { ...state.fileNotes, ...notes }, work: planWork },
    task.id,
  );
  // A plan of nothing but the tests' own steps: the task ends here.
  return planWork.steps.length > 0
    ? { state: next, next: workStepRef(next, 0) }
    : afterWorkStep(ctx, next, -1);
};
