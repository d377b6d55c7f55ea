/** A port over the fixture for one test, with one key per provider and fast retries. */
import { fixtureBaseUrls } from '../../src/llm/config.ts';
import { platformOnly } from '../../src/llm/keys.ts';
import { createLlmPort, type CallRecord, type LlmLayerDeps } from '../../src/llm/port.ts';
import { DEFAULT_RETRY } from '../../src/llm/retry.ts';
import { fixtureUrl, uniqueKey } from './fixture.ts';

export function testPort(overrides: Partial<LlmLayerDeps> = {}) {
  const keys = {
    openai: uniqueKey('openai'),
    anthropic: uniqueKey('anthropic'),
    groq: uniqueKey('groq'),
    compatible: uniqueKey('compatible'),
  };
  const calls: CallRecord[] = [];
  const waits: number[] = [];
  const port = createLlmPort({
    keys: platformOnly({
      openai: { apiKey: keys.openai },
      anthropic: { apiKey: keys.anthropic },
      groq: { apiKey: keys.groq },
      'openai-compatible': { apiKey: keys.compatible },
    }),
    baseUrls: fixtureBaseUrls(fixtureUrl()),
    now: () => Date.now(),
    retry: { ...DEFAULT_RETRY, baseDelayMs: 5, maxDelayMs: 20 },
    retryDeps: {
      sleep: async (ms) => {
        waits.push(ms);
      },
      random: () => 1,
    },
    onCall: (r) => calls.push(r),
    ...overrides,
  });
  return { port, keys, calls, waits };
}

export const MODELS = {
  openai: 'openai:gpt-4.1',
  anthropic: 'anthropic:claude-sonnet-4-20250514',
  groq: 'groq:llama-3.3-70b-versatile',
  compatible: 'openai-compatible:qwen2.5-coder:7b',
} as const;

export type Provider = keyof typeof MODELS;
export const PROVIDERS = Object.keys(MODELS) as Provider[];

export const signal = () => new AbortController().signal;
