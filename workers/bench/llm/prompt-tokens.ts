/**
 * Prompt tokens per task for the demo project (the scripted todo-API session on the real engine, LLM
 * layer and fixture), beside a naive baseline: the same calls, each also carrying every file of the
 * project that the real prompt left out (what "send all files" would cost). Tokens are the layer's
 * estimate (core/agents/tokens.ts), the same for both columns.
 */
import { startLlmFixture } from '../../../infra/llm-fixture/fixture.ts';
import { validFixtureKey } from '../../../infra/llm-fixture/keys.ts';
import { DEMO_PROJECT, todoSession } from '../../../infra/demo/todo-session.ts';
import { SYNC_MARKER } from '../../src/core/agents/app-port.ts';
import { agentsHarness, type AgentsHarness } from '../../src/core/agents/testing/harness.ts';
import { localSandbox } from '../../src/core/agents/testing/local-sandbox.ts';
import { estimateTokens, promptTokens } from '../../src/core/agents/tokens.ts';
import type { LlmPort } from '../../src/core/ports.ts';

export interface TaskTokens {
  task: string;
  calls: number;
  prompt: number;
  naive: number;
}

const PLANNING = new Set(['SpecWriter', 'Architect', 'TechLead']);

/** Paths whose content a prompt already carries (file blocks and the file being changed). */
function includedPaths(text: string): Set<string> {
  const paths = new Set<string>();
  for (const m of text.matchAll(/^--- (\S+)\n/gm)) paths.add(m[1]!);
  for (const m of text.matchAll(/The current content of (\S+):\n/g)) paths.add(m[1]!);
  return paths;
}

export async function promptTokensBench(): Promise<TaskTokens[]> {
  const fixture = await startLlmFixture({ port: 0 });
  const sandbox = localSandbox();
  const key = validFixtureKey('openai', `bench${Date.now()}`);
  fixture.add(key, todoSession());
  const byTask = new Map<string, TaskTokens>();
  let h: AgentsHarness | null = null;
  const measure = (port: LlmPort): LlmPort => ({
    complete: async (request) => {
      const journal = h!.journal;
      const step = journal.activeStep();
      const task = step?.ref.task?.id ?? (PLANNING.has(request.agent) ? 'plan' : 'finish');
      const text = request.messages.map((m) => m.content).join('\n');
      const included = includedPaths(text);
      const leftOut = journal
        .listFiles()
        .filter((f) => f.path !== SYNC_MARKER && !included.has(f.path))
        .reduce(
          (n, f) =>
            n + estimateTokens(`--- ${f.path}\n${journal.readFile(f.path) ?? ''}\n--- end of ${f.path}\n`),
          0,
        );
      const prompt = promptTokens(request.messages);
      const row = byTask.get(task) ?? { task, calls: 0, prompt: 0, naive: 0 };
      byTask.set(task, {
        task,
        calls: row.calls + 1,
        prompt: row.prompt + prompt,
        naive: row.naive + prompt + leftOut,
      });
      return port.complete(request);
    },
  });
  try {
    h = agentsHarness({ fixtureUrl: fixture.url, key, sandbox, ...DEMO_PROJECT, wrapLlm: measure });
    h.controls.start();
    await h.drain();
    if (h.journal.run().status !== 'completed')
      throw new Error(`the demo run ended ${h.journal.run().status}`);
  } finally {
    sandbox.close();
    await fixture.close();
  }
  return [...byTask.values()];
}
