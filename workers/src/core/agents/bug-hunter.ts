/**
 * BugHunter: a failing command's output → hypotheses → added logging or a fix → the command runs again
 * (the Executor). Its edits follow the CodeMonkey's rules (exact single matches, re-asked once; still
 * refused after the re-ask, the attempt is recorded as rejected and the next round is told so). Every
 * round is shown what became of the earlier attempts of its task (`debug-history.ts`). After
 * many attempts at one failure it asks the user for a hint (autopilot: moves on and says so); the engine's
 * loop guards pause a task whose failure keeps repeating before that.
 */
import { bugHunterV2 } from '../prompts/bug-hunter/v2.ts';
import type { LlmMessage } from '../ports.ts';
import { acceptanceTestsOf, guardAcceptanceTests } from './acceptance-guard.ts';
import { problemsFeedback, resolveChanges } from './apply-changes.ts';
import { historyOf, historyText, legacyHistory, recentFiles, withAttempt } from './debug-history.ts';
import { describeTask } from './developer.ts';
import { currentTask, failureSignature, mentionedPaths, pageCheckRef, startAppRef } from './flow.ts';
import { fileContents, filePaths, filesBudgetChars, projectSummary } from './project-context.ts';
import { Diagnosis } from './schemas.ts';
import { skipFailure } from './skip.ts';
import { AgentSession } from './session.ts';
import { forTask, type AgentsState, type AgentStep } from './state.ts';
import type { AgentRef } from './steps.ts';

/**
 * Fixes tried on one failure before an interactive run asks the user for a hint. It must stay below the
 * pipeline's repeated-failure guard (three fixes), or the question would never be reached; autopilot
 * keeps trying until that guard pauses the run with its reason.
 */
export const MAX_DEBUG_ATTEMPTS = 2;
const SKIP = 'Skip';

export const bugHunter: AgentStep<'BugHunter'> = async (ctx, state) => {
  const failure = ctx.input;
  const task = state.work ? currentTask(state).task : null;
  let hint = '';
  if (failure.attempt > MAX_DEBUG_ATTEMPTS && ctx.project.mode === 'interactive') {
    const answer = await ctx.ask({
      text: `\`${failure.command}\` still fails after ${failure.attempt - 1} fixes. Give a hint, or answer "${SKIP}" to move on without it passing.`,
      options: [SKIP],
      default: SKIP,
    });
    if (answer.trim() === SKIP) return skipFailure(ctx, state, failure);
    hint = `The user's hint: ${answer}`;
  }
  const session = new AgentSession(ctx);
  const scope = task?.id ?? null;
  const stored = historyOf(state, scope);
  // An input stored before the history was kept in the state carries the explanations of its attempts.
  const history =
    stored.attempts.length === 0 && failure.previous?.length
      ? legacyHistory(stored, failure.command, failure.previous)
      : stored;
  const paths = await filePaths(ctx);
  const mentioned = [
    ...mentionedPaths(failure.output, paths),
    ...acceptanceTestsOf(state),
    ...(state.work?.relevantFiles ?? []),
    ...(state.work?.steps.flatMap((s) => (s.type === 'code' ? [s.path] : [])) ?? []),
  ];
  // The files the latest attempts changed, or tried to: a rejected edit is answered from their text.
  const relevant = [...recentFiles(history), ...(mentioned.length ? mentioned : paths)];
  const vars = {
    summary: projectSummary(ctx, state, { brief: true }),
    task: task ? describeTask(task) : 'Start the finished app.',
    command: failure.command,
    ended: failure.ended,
    output: failure.output,
    acceptanceTests: acceptanceTestsOf(state)
      .map((p) => `- ${p}`)
      .join('\n'),
    files: '',
    history: historyText(history, failure.output),
    feedback: hint,
  };
  // The files within what the call's budget leaves (`context-budget.ts`).
  vars.files = await fileContents(
    ctx,
    relevant,
    await filesBudgetChars(ctx, `${bugHunterV2.system}\n${bugHunterV2.user(vars)}`),
  );
  const ask = (feedback: string): LlmMessage[] => [
    { role: 'system', content: bugHunterV2.system },
    {
      role: 'user',
      content: bugHunterV2.user({
        ...vars,
        feedback: [vars.feedback, feedback].filter(Boolean).join('\n\n'),
      }),
    },
  ];
  // A change to the task's acceptance tests needs the user's approval; refused, it is re-asked like an
  // answer that cannot be applied (fix the code, not the tests).
  const resolve = async (changes: Diagnosis['changes']) =>
    guardAcceptanceTests(ctx, state, 'BugHunter', await resolveChanges(ctx, changes));
  let diagnosis = await session.object({ messages: ask(''), schema: Diagnosis });
  let resolved = await resolve(diagnosis.changes);
  if (!resolved.ok) {
    diagnosis = await session.object({
      messages: ask(problemsFeedback(resolved)),
      schema: Diagnosis,
    });
    resolved = await resolve(diagnosis.changes);
  }
  const attempt = {
    command: failure.command,
    kind: diagnosis.kind,
    explanation: diagnosis.explanation,
  };
  // The failure is still there until a re-run says otherwise: reporting it lets the loop guard count a
  // fix that changes nothing (or that cannot be applied) as one more repetition.
  const stillFailing = {
    signature: failureSignature(failure.command, failure.output),
    message: failure.output.slice(-500),
  };
  if (!resolved.ok) {
    // Still not applicable after its re-ask: a rejected attempt, which the next round is told about
    // (with the files' current text), instead of a thrown step whose retries would replay these answers.
    const problems = resolved.problems;
    ctx.say(`The fix could not be applied, so nothing was changed: ${problems.join('; ')}. Trying again.`);
    const files = [...new Set(diagnosis.changes.map((c) => c.path))];
    const next: AgentsState = withAttempt(session.addStats(state, task?.id ?? 'finish'), history, {
      ...attempt,
      files,
      outcome: { status: 'rejected', reason: `the changes could not be applied: ${problems.join('; ')}` },
    });
    return {
      state: next,
      next: {
        agent: 'BugHunter',
        title: `Debug ${failure.command}`,
        ...forTask(task),
        input: { ...failure, attempt: failure.attempt + 1 },
      },
      failure: stillFailing,
    };
  }
  for (const file of resolved.files) ctx.files.write(file.path, file.after);
  ctx.artifact({
    kind: 'diagnosis',
    data: {
      command: failure.command,
      attempt: failure.attempt,
      hypotheses: diagnosis.hypotheses,
      kind: diagnosis.kind,
      files: resolved.files.map((f) => f.path),
    },
  });
  ctx.say(`${diagnosis.kind === 'fix' ? 'Fix' : 'Added logging'}: ${diagnosis.explanation}`);
  const next: AgentsState = withAttempt(session.addStats(state, task?.id ?? 'finish'), history, {
    ...attempt,
    files: resolved.files.map((f) => f.path),
    outcome: { status: 'applied' },
  });
  const again: AgentRef =
    failure.index !== null
      ? { agent: 'Executor', title: `Run ${failure.command}`, ...forTask(task), input: { rerun: failure } }
      : failure.taskCheck
        ? pageCheckRef(next, failure.attempt)
        : startAppRef(failure.attempt);
  return { state: next, next: again, failure: stillFailing };
};
