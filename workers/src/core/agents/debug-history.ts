/**
 * The debug loop's memory. Every BugHunter round records its attempt: what it tried, which files, and
 * what became of it: rejected (and why: nothing was changed), or applied and then what the command did
 * (passed, or failed again with the end of its output). The record is kept in the agents' state per task
 * (and for the steps after the tasks: starting the app), so it survives cycles: an install fixed, then
 * the tests failing, is one history, not two fresh starts. Every round is shown it, bounded (the last few
 * attempts in full, older ones a line each) so a model with a small context still fits.
 */
import type { AttemptOutcome, DebugAttempt, DebugHistory } from './debug-attempts.ts';
import type { AgentResult, AgentsState, AgentStep } from './state.ts';

/** Attempts kept in the state per task. */
const KEPT = 12;
/** The latest attempts shown in full; older ones get a line each, at most {@link BRIEF}. */
const FULL = 3;
const BRIEF = 8;
const EXPLANATION_CHARS = 240;
const REASON_CHARS = 600;
const OUTPUT_CHARS = 700;

function cut(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

/** The end of a command's output, as an attempt keeps it. */
function tail(text: string, max: number): string {
  return text.length > max ? `…${text.slice(-(max - 1))}` : text;
}

/** The history of `task` (null: the steps after the tasks); empty when the state holds another task's. */
export function historyOf(state: AgentsState, task: string | null): DebugHistory {
  const kept = state.debug;
  if (task !== null) return kept?.task === task ? kept : { task, attempts: [], dropped: 0 };
  return kept?.task === null && (kept.fixes ?? 0) === state.fixes
    ? kept
    : { task, fixes: state.fixes, attempts: [], dropped: 0 };
}

/** The state with `attempt` added to `history` (the one the round was shown). */
export function withAttempt(state: AgentsState, history: DebugHistory, attempt: DebugAttempt): AgentsState {
  const recorded: DebugAttempt = {
    ...attempt,
    explanation: cut(attempt.explanation, EXPLANATION_CHARS),
    outcome:
      attempt.outcome.status === 'rejected'
        ? { ...attempt.outcome, reason: cut(attempt.outcome.reason, REASON_CHARS) }
        : attempt.outcome,
  };
  const attempts = [...history.attempts, recorded];
  const over = Math.max(0, attempts.length - KEPT);
  return {
    ...state,
    debug: { ...history, attempts: attempts.slice(over), dropped: history.dropped + over },
  };
}

/** The state with the latest attempt, when it waits for its command, given what the command did. */
export function settled(state: AgentsState, outcome: AttemptOutcome): AgentsState {
  const history = state.debug;
  const last = history?.attempts.at(-1);
  if (!history || !last || last.outcome.status !== 'applied') return state;
  const kept =
    outcome.status === 'failed' ? { ...outcome, output: tail(outcome.output, OUTPUT_CHARS) } : outcome;
  return {
    ...state,
    debug: { ...history, attempts: [...history.attempts.slice(0, -1), { ...last, outcome: kept }] },
  };
}

/**
 * The Executor, recording what became of the attempt it runs the command for: the next failure the
 * BugHunter gets, or a pass. A command that did not run to an end the code is answerable for (the run
 * paused, an environment failure retried by the platform) leaves the attempt waiting.
 */
export function settlingAttempts(step: AgentStep<'Executor'>): AgentStep<'Executor'> {
  return async (ctx, state) => {
    const result: AgentResult = await step(ctx, state);
    if (result.state.debug?.attempts.at(-1)?.outcome.status !== 'applied') return result;
    const next = result.next;
    if (next?.agent === 'BugHunter') {
      const failure = next.input;
      return {
        ...result,
        state: settled(result.state, {
          status: 'failed',
          command: failure.command,
          ended: failure.ended,
          output: failure.output,
        }),
      };
    }
    // A failure that is not the BugHunter's, or the same command tried again (a retry of the platform's):
    // the attempt waits for its command's real end.
    if (result.failure) return result;
    const input = ctx.input;
    if (next?.agent === 'Executor' && JSON.stringify(next.input) === JSON.stringify(input)) return result;
    const what =
      'rerun' in input
        ? `\`${input.rerun.command}\` passed`
        : 'start' in input
          ? 'the app started'
          : 'the next command passed';
    return { ...result, state: settled(result.state, { status: 'passed', what }) };
  };
}

function outcomeLine(outcome: AttemptOutcome, shownOutput: string): string {
  switch (outcome.status) {
    case 'applied':
      return 'applied; the command has not run again since';
    case 'rejected':
      return 'REJECTED, nothing was changed';
    case 'passed':
      return `applied; then ${outcome.what}`;
    case 'failed':
      return `applied; then \`${outcome.command}\` failed (${outcome.ended})${shownOutput.endsWith(outcome.output.replace(/^…/, '')) ? ', with the output shown above' : ''}`;
  }
}

function fullText(n: number, a: DebugAttempt, latest: boolean, shownOutput: string): string {
  const lines = [
    `${latest ? 'Your previous attempt' : 'Attempt'} #${n} (${a.kind}, at \`${a.command}\`): ${a.explanation}`,
    `  Files: ${a.files.length ? a.files.join(', ') : 'none'}`,
    `  What became of it: ${outcomeLine(a.outcome, shownOutput)}`,
  ];
  if (a.outcome.status === 'rejected') {
    lines.push(
      `  Why: ${a.outcome.reason}`,
      '  The current text of these files is under "Relevant files": copy search texts from there.',
    );
  }
  if (a.outcome.status === 'failed' && !outcomeLine(a.outcome, shownOutput).endsWith('shown above')) {
    lines.push(`  Its output then (the end):\n${a.outcome.output}`);
  }
  return lines.join('\n');
}

/**
 * The history as prompt text: the latest attempts in full, older ones a line each (empty without any).
 * `shownOutput`: the failing output the prompt shows already (not repeated).
 */
export function historyText(history: DebugHistory, shownOutput: string): string {
  const { attempts, dropped } = history;
  if (attempts.length === 0) return '';
  const first = dropped + 1;
  const fullFrom = Math.max(0, attempts.length - FULL);
  const briefFrom = Math.max(0, fullFrom - BRIEF);
  const hidden = dropped + briefFrom;
  const lines = [
    `Earlier attempts ${history.task === null ? 'since the last task (starting the app)' : 'in this task'}, oldest first (${attempts.length + dropped} so far). Do not repeat one that failed or was rejected.`,
  ];
  if (hidden > 0) lines.push(`(${hidden} older attempts not shown)`);
  attempts.slice(briefFrom, fullFrom).forEach((a, i) => {
    const files = a.files.length ? ` [${a.files.join(', ')}]` : '';
    lines.push(
      `- #${first + briefFrom + i} (${a.kind}, at \`${a.command}\`): ${cut(a.explanation, 120)}${files} → ${outcomeLine(a.outcome, '')}`,
    );
  });
  attempts.slice(fullFrom).forEach((a, i) => {
    const index = fullFrom + i;
    lines.push(fullText(first + index, a, index === attempts.length - 1, shownOutput));
  });
  return lines.join('\n');
}

/** The files of the latest attempts (the next round sees their current text). */
export function recentFiles(history: DebugHistory): string[] {
  return history.attempts.slice(-FULL).flatMap((a) => a.files);
}

/**
 * Attempts described by an input stored before the history was kept in the state: their explanations
 * only (what became of them was not recorded).
 */
export function legacyHistory(
  empty: DebugHistory,
  command: string,
  previous: readonly string[],
): DebugHistory {
  return {
    ...empty,
    attempts: previous.map((line) => {
      const logging = line.startsWith('logging: ');
      return {
        command,
        kind: logging ? 'logging' : 'fix',
        explanation: line.replace(/^(fix|logging): /, ''),
        files: [],
        outcome: { status: 'failed', command, ended: 'again', output: '' },
      };
    }),
  };
}
