/**
 * The LLM fixture and sandboxes of a test file of the agents: the fixture starts once for the file, and
 * every sandbox a test opens is closed after it. Call at the top of the file.
 */
import { afterAll, afterEach, beforeAll } from 'vitest';
import {
  startLlmFixture,
  type LlmFixture,
  type ScriptedReply,
} from '../../../../../infra/llm-fixture/fixture.ts';
import { validFixtureKey } from '../../../../../infra/llm-fixture/keys.ts';
import type { AppPort } from '../app-port.ts';
import { agentsHarness, type AgentsHarness, type AgentsHarnessOptions } from './harness.ts';
import { localSandbox, type LocalSandbox } from './local-sandbox.ts';

/** The app of a small project with no server: taken as running, its page check skipped. */
export const runningApp: AppPort = {
  start: async () => ({ ready: true, previewUrl: 'http://127.0.0.1:9/', logs: '' }),
  check: async () => ({ status: 'skipped', summary: 'No page.', evidence: '', problems: [] }),
};

export interface FixtureSuite {
  /** The file's LLM fixture (started before its first test). */
  readonly fixture: LlmFixture;
  /** A fixture key no other test uses: its own script and its own request log. */
  newKey(tag: string): string;
  /** Closes `sandbox` after the current test; returns it. */
  track(sandbox: LocalSandbox): LocalSandbox;
  /**
   * A harness of its own for one test: a fresh key scripted with `replies`, a local sandbox closed after
   * the test, an app taken as running and no review pass unless `opts` say otherwise.
   */
  harness(
    tag: string,
    replies: ScriptedReply[],
    opts?: Partial<AgentsHarnessOptions>,
  ): { h: AgentsHarness; key: string; sandbox: LocalSandbox };
}

export function fixtureSuite(): FixtureSuite {
  let fixture: LlmFixture | undefined;
  const sandboxes: LocalSandbox[] = [];
  let n = 0;
  beforeAll(async () => {
    fixture = await startLlmFixture({ port: 0 });
  });
  afterAll(async () => {
    await fixture?.close();
  });
  afterEach(() => {
    for (const s of sandboxes.splice(0)) s.close();
  });
  return {
    get fixture() {
      if (!fixture) throw new Error('the LLM fixture starts before the first test');
      return fixture;
    },
    newKey: (tag) => validFixtureKey('openai', `${tag}${++n}${Date.now()}`),
    track(sandbox) {
      sandboxes.push(sandbox);
      return sandbox;
    },
    harness(tag, replies, opts = {}) {
      const key = this.newKey(tag);
      const sandbox = this.track(localSandbox());
      this.fixture.add(key, replies);
      const h = agentsHarness({
        fixtureUrl: this.fixture.url,
        key,
        sandbox,
        app: runningApp,
        review: false,
        ...opts,
      });
      return { h, key, sandbox };
    },
  };
}
