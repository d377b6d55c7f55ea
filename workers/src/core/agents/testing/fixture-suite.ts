/**
 * The LLM fixture and sandboxes of a test file of the agents: the fixture starts once for the file, and
 * every sandbox a test opens is closed after it. Call at the top of the file.
 */
import { afterAll, afterEach, beforeAll } from 'vitest';
import { startLlmFixture, type LlmFixture } from '../../../../../infra/llm-fixture/fixture.ts';
import { validFixtureKey } from '../../../../../infra/llm-fixture/keys.ts';
import type { LocalSandbox } from './local-sandbox.ts';

export interface FixtureSuite {
  /** The file's LLM fixture (started before its first test). */
  readonly fixture: LlmFixture;
  /** A fixture key no other test uses: its own script and its own request log. */
  newKey(tag: string): string;
  /** Closes `sandbox` after the current test; returns it. */
  track(sandbox: LocalSandbox): LocalSandbox;
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
    track: (sandbox) => {
      sandboxes.push(sandbox);
      return sandbox;
    },
  };
}
