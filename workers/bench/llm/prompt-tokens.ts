/**
 * Prompt tokens of every LLM call of a scripted session on the real engine, LLM layer and fixture (a
 * local sandbox runs the app's commands), each beside two baselines computed in the same run:
 *
 * - all files: the same call also carrying every project file its prompt left out (what "send all
 *   files" would cost);
 * - per task: the context the agents sent before calls chose their own (an estimate from the run's own
 *   state): a CodeMonkey call (the writer and its reviewer) carries every file of its task whole, that
 *   is the plan's relevant files and the files its steps change, within the old caps of 12,000
 *   characters a file and 48,000 a call, in place of the file blocks it has; other agents' calls are
 *   counted as they are.
 *
 * Tokens are the layer's estimate (core/agents/tokens.ts), the same for every column. A project may be
 * seeded with files before the run (saved as the user's own) and get a change request once it finishes.
 */
import { startLlmFixture } from '../../../infra/llm-fixture/fixture.ts';
import { validFixtureKey } from '../../../infra/llm-fixture/keys.ts';
import type { ScriptedReply } from '../../../infra/llm-fixture/script.ts';
import { SYNC_MARKER } from '../../src/core/agents/app-port.ts';
import { DEFAULT_WINDOW, promptBudget } from '../../src/core/agents/context-budget.ts';
import { agentsHarness, type AgentsHarness } from '../../src/core/agents/testing/harness.ts';
import { localSandbox } from '../../src/core/agents/testing/local-sandbox.ts';
import { estimateTokens, promptTokens } from '../../src/core/agents/tokens.ts';
import type { LlmPort } from '../../src/core/ports.ts';

/** One LLM call, measured. */
export interface CallTokens {
  /** The task the call belongs to (`plan` for planning, `finish` for the README). */
  task: string;
  agent: string;
  /** Estimated prompt tokens sent. */
  prompt: number;
  /** The same call carrying every project file it left out. */
  allFiles: number;
  /** The same call with the per-task context of before (see the module's comment). */
  perTask: number;
  /** The call's prompt budget. */
  budget: number;
}

/** A scripted project to measure. */
export interface BenchProject {
  project: { name: string; description: string };
  replies: ScriptedReply[];
  /** Files the project holds before the run (path → content), saved as the user's. */
  seed?: Record<string, string>;
  /** The user's change request once the run has finished, with its replies. */
  change?: { text: string; replies: ScriptedReply[] };
}

const PLANNING = new Set(['SpecWriter', 'Architect', 'TechLead']);
/** The caps of the per-task context of before. */
const OLD_FILE_CHARS = 12_000;
const OLD_CONTEXT_CHARS = 48_000;

/** Paths whose content a prompt already carries (file blocks and the file being changed). */
export function includedPaths(text: string): Set<string> {
  const paths = new Set<string>();
  for (const m of text.matchAll(/^--- (\S+)\n/gm)) paths.add(m[1]!);
  for (const m of text.matchAll(/The current content of (\S+):\n/g)) paths.add(m[1]!);
  return paths;
}

const block = (path: string, content: string) => `--- ${path}\n${content}\n--- end of ${path}\n`;

/** The prompt's file blocks (`--- path` … `--- end of path`), in characters. */
function fileBlockChars(text: string): number {
  let chars = 0;
  for (const m of text.matchAll(/^--- (\S+)\n[\s\S]*?\n--- end of \1$/gm)) chars += m[0].length;
  return chars;
}

/** The task's files whole, within the old caps, as characters of prompt. */
function perTaskChars(h: AgentsHarness, shownAsCurrent: ReadonlySet<string>): number {
  const work = h.state()?.work;
  if (!work) return 0;
  const paths = new Set([
    ...work.relevantFiles,
    ...work.steps.flatMap((s) => (s.type === 'code' ? [s.path] : [])),
  ]);
  let left = OLD_CONTEXT_CHARS;
  let chars = 0;
  for (const path of paths) {
    const content = shownAsCurrent.has(path) ? null : h.journal.readFile(path);
    if (content === null || left <= 0) continue;
    const shown = block(path, content.slice(0, Math.min(OLD_FILE_CHARS, left)));
    left -= shown.length;
    chars += shown.length;
  }
  return chars;
}

/** Runs the project's session and measures every call. */
export async function measureCalls(bench: BenchProject): Promise<CallTokens[]> {
  const fixture = await startLlmFixture({ port: 0 });
  const sandbox = localSandbox();
  const key = validFixtureKey('openai', `bench${Date.now()}`);
  fixture.add(key, [...bench.replies, ...(bench.change?.replies ?? [])]);
  const calls: CallTokens[] = [];
  let h: AgentsHarness | null = null;
  // The window passes through: the agents choose their context by it, as in production.
  const measure = (port: LlmPort): LlmPort => ({
    ...(port.window ? { window: (agent: string) => port.window!(agent) } : {}),
    complete: async (request) => {
      const journal = h!.journal;
      const task = journal.activeStep()?.ref.task?.id ?? (PLANNING.has(request.agent) ? 'plan' : 'finish');
      const text = request.messages.map((m) => m.content).join('\n');
      const included = includedPaths(text);
      const leftOut = journal
        .listFiles()
        .filter((f) => f.path !== SYNC_MARKER && !included.has(f.path))
        .reduce((n, f) => n + estimateTokens(block(f.path, journal.readFile(f.path) ?? '')), 0);
      const prompt = promptTokens(request.messages);
      const current = new Set([...text.matchAll(/The current content of (\S+):\n/g)].map((m) => m[1]!));
      const perTask =
        request.agent === 'CodeMonkey'
          ? prompt -
            estimateTokens('x'.repeat(fileBlockChars(text))) +
            estimateTokens('x'.repeat(perTaskChars(h!, current)))
          : prompt;
      calls.push({
        task,
        agent: request.agent,
        prompt,
        allFiles: prompt + leftOut,
        perTask,
        budget: promptBudget(port.window ? await port.window(request.agent) : DEFAULT_WINDOW),
      });
      return port.complete(request);
    },
  });
  try {
    h = agentsHarness({ fixtureUrl: fixture.url, key, sandbox, ...bench.project, wrapLlm: measure });
    for (const [path, content] of Object.entries(bench.seed ?? {})) {
      const saved = await h.saveAsUser(path, content);
      if (!saved.ok) throw new Error(`${path} could not be seeded: ${saved.message}`);
    }
    h.controls.start();
    await h.drain();
    const settled = (what: string) => {
      const run = h!.journal.run();
      if (run.status !== 'completed')
        throw new Error(`${what} ended ${run.status}: ${run.reason?.message ?? ''}`);
    };
    settled(`the ${bench.project.name} run`);
    if (bench.change) {
      h.controls.chat(bench.change.text, 'change');
      await h.drain();
      settled(`the ${bench.project.name} change request`);
    }
    const script = (await (await fetch(`${fixture.url}/__fixture/script`)).json()) as {
      pending: Record<string, number>;
    };
    const left = script.pending[key] ?? 0;
    if (left > 0) throw new Error(`${left} scripted replies of ${bench.project.name} were not used`);
  } finally {
    sandbox.close();
    await fixture.close();
  }
  return calls;
}
