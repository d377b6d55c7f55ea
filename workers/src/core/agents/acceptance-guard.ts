/**
 * The current task's acceptance tests are the TestWriter's, written before the code: a coding step
 * (the CodeMonkey, the BugHunter) may not weaken them to make them pass. A change one proposes to them
 * is shown to the user with its diff and applied only with their approval (interactive mode); in
 * autopilot nobody can approve it, so it is refused. A refused change goes back to the fixer as a
 * problem: fix the code, not the tests.
 */
import { diffText } from '../diff.ts';
import type { Resolved } from './apply-changes.ts';
import type { AgentContext, AgentsState } from './state.ts';

export const ALLOW_TEST_CHANGE = 'Allow the change';
export const REFUSE_TEST_CHANGE = 'Refuse';

/** The diff shown in the question, at most this long (a longer one is cut with a note). */
const MAX_DIFF_CHARS = 4_000;

/** A proposed new text of a file. */
export interface FileProposal {
  path: string;
  before: string | null;
  after: string;
}

/** The current task's acceptance tests (paths). */
export function acceptanceTestsOf(state: AgentsState): readonly string[] {
  return state.work?.acceptanceTests ?? [];
}

/** What the fixer is told about a refused change to an acceptance test. */
function refusedTestProblem(path: string, interactive: boolean): string {
  const why = interactive
    ? 'the user did not approve changing it'
    : 'it may not be changed without the user’s approval';
  return `${path}: this is an acceptance test of the task and ${why}. Fix the code so that the test passes; do not change the test.`;
}

/**
 * The paths among `files` that change an acceptance test of the current task without the user's
 * approval. Interactive: each such change is asked about, with its diff (the step parks until the user
 * answers); autopilot: each is refused, and the conversation says so.
 */
export async function refusedTestChanges(
  ctx: AgentContext,
  state: AgentsState,
  agent: string,
  files: readonly FileProposal[],
): Promise<string[]> {
  const tests = acceptanceTestsOf(state);
  const refused: string[] = [];
  for (const file of files) {
    if (!tests.includes(file.path) || file.before === file.after) continue;
    if (ctx.project.mode !== 'interactive') {
      ctx.say(
        `The ${agent} tried to change the acceptance test ${file.path}; in autopilot nobody can approve that, so it was refused and the code must pass the test as written.`,
      );
      refused.push(file.path);
      continue;
    }
    const diff = diffText(file.before ?? '', file.after).unified;
    const shown =
      diff.length > MAX_DIFF_CHARS ? `${diff.slice(0, MAX_DIFF_CHARS)}\n[... diff cut ...]` : diff;
    const answer = await ctx.ask({
      text: `The ${agent} wants to change ${file.path}, an acceptance test of this task (it may be weakening the test rather than fixing the code):\n${shown}\nAllow the change? "${REFUSE_TEST_CHANGE}" tells it to fix the code instead.`,
      options: [ALLOW_TEST_CHANGE, REFUSE_TEST_CHANGE],
      default: REFUSE_TEST_CHANGE,
    });
    if (answer.trim() !== ALLOW_TEST_CHANGE) refused.push(file.path);
  }
  return refused;
}

/**
 * `resolved` with its changes to acceptance tests that were not approved turned into problems (the
 * whole answer is then refused, like one that cannot be applied, and re-asked with the reason).
 */
export async function guardAcceptanceTests(
  ctx: AgentContext,
  state: AgentsState,
  agent: string,
  resolved: Resolved,
): Promise<Resolved> {
  if (!resolved.ok) return resolved;
  const refused = await refusedTestChanges(ctx, state, agent, resolved.files);
  if (refused.length === 0) return resolved;
  const interactive = ctx.project.mode === 'interactive';
  return { ok: false, problems: refused.map((p) => refusedTestProblem(p, interactive)), refusedFiles: [] };
}
