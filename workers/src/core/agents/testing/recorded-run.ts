/**
 * Test only: runs of the agents' pipeline whose platform key is of one provider (so every agent's model
 * is that provider's, over its official SDK and the LLM fixture's wire format), and what the per-agent
 * tests over recorded replies read back: an agent's calls, what the user was told, how a step failed.
 */
import type { ScriptedReply } from '../../../../../infra/llm-fixture/fixture.ts';
import { validFixtureKey, type FixtureProvider } from '../../../../../infra/llm-fixture/keys.ts';
import { platformOnly } from '../../../llm/keys.ts';
import type { ProviderId } from '../../../llm/models.ts';
import type { ServerEvent } from '../../../protocol.ts';
import { runningApp, type FixtureSuite } from './fixture-suite.ts';
import { agentsHarness, type AgentsHarness, type AgentsHarnessOptions } from './harness.ts';
import { localSandbox } from './local-sandbox.ts';
import { agent } from './common-replies.ts';

const PROVIDER_ID: Record<FixtureProvider, ProviderId> = {
  openai: 'openai',
  anthropic: 'anthropic',
  groq: 'groq',
  compatible: 'openai-compatible',
};

export interface RecordedRun {
  h: AgentsHarness;
  key: string;
  /** The requests one agent made (its system prompt names it), oldest first: their bodies. */
  requestsOf(agent: string): string[];
  /** The last user message of an agent's `i`-th request. */
  lastUserMessage(agent: string, i: number): string;
  /** What the agent told the user (its `message` events). */
  said(agent: string): string[];
  /** The errors of the agent's failed steps, oldest first. */
  failures(agent: string): { error: string; willRetry: boolean }[];
}

/** The fixture's match for the requests of one agent. */

let runs = 0;

/**
 * A run on the real engine whose only key is a platform key of `provider`, scripted with `replies`; a
 * local sandbox (closed after the test), the app taken as running, no review pass unless `opts` say.
 */
export function recordedRun(
  suite: FixtureSuite,
  provider: FixtureProvider,
  replies: ScriptedReply[],
  opts: Partial<AgentsHarnessOptions> = {},
): RecordedRun {
  const key = validFixtureKey(provider, `recorded${++runs}${Date.now()}`);
  suite.fixture.add(key, replies);
  const h = agentsHarness({
    fixtureUrl: suite.fixture.url,
    key,
    sandbox: suite.track(localSandbox()),
    app: runningApp,
    review: false,
    keys: platformOnly({ [PROVIDER_ID[provider]]: { apiKey: key } }),
    ...opts,
  });
  const ofType = <T extends ServerEvent['type']>(type: T) =>
    h.events().filter((e): e is Extract<ServerEvent, { type: T }> => e.type === type);
  const requestsOf = (name: string) =>
    suite.fixture
      .requestsOf(key)
      .map((r) => r.body)
      .filter((body) => body.includes(`You are Samokoder's ${name}`));
  return {
    h,
    key,
    requestsOf,
    lastUserMessage(name, i) {
      const body = JSON.parse(requestsOf(name)[i]!) as { messages: { role: string; content: unknown }[] };
      const last = body.messages.filter((m) => m.role === 'user').at(-1)!;
      return typeof last.content === 'string' ? last.content : JSON.stringify(last.content);
    },
    said: (name) => ofType('message').flatMap((e) => (e.agent === name ? [e.text] : [])),
    failures: (name) =>
      ofType('step.failed').flatMap((e) =>
        e.agent === name ? [{ error: e.error, willRetry: e.willRetry }] : [],
      ),
  };
}

/**
 * Runs the engine until `count` steps of `agentName` have completed, or one has failed for good, or the
 * run stops moving: a test of one agent does not pay for (or wait on) the rest of the pipeline.
 */
export async function runThrough(run: RecordedRun, agentName: string, count = 1): Promise<void> {
  const { h } = run;
  const settled = () => {
    const events = h.events().filter((e) => 'agent' in e && e.agent === agentName);
    return (
      events.filter((e) => e.type === 'step.completed').length >= count ||
      events.some((e) => e.type === 'step.failed' && !e.willRetry)
    );
  };
  for (let i = 0; i < 200; i++) {
    if (settled()) return;
    const outcome = await h.engine.runNext();
    if (outcome.kind === 'idle' || outcome.kind === 'busy') return;
  }
  throw new Error(`the run did not settle on a step of ${agentName}`);
}

/** A Developer answer with these steps. */
export function developerReply(steps: unknown[]): ScriptedReply {
  return { match: agent('Developer'), json: { relevantFiles: [], steps, testInstructions: 'npm test' } };
}

/** A Developer step that writes `path`. */
export const writeStep = (path: string) => ({ type: 'code', path, instructions: `write ${path}` });
