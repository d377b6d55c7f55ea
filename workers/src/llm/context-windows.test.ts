import { describe, expect, it } from 'vitest';
import { llmConfig } from './config.ts';
import { contextWindowOf, knownContextWindow, modelWindow, parseContextWindow } from './context-windows.ts';
import {
  DEFAULT_MODELS,
  formatModelSpec,
  parseModelSpec,
  PROVIDER_DEFAULTS,
  PROVIDER_IDS,
  readModelSpec,
} from './models.ts';
import { platformOnly } from './keys.ts';
import { createLlmPort } from './port.ts';

describe("a model's context window", () => {
  it("is known for every model of the catalog's defaults", () => {
    const specs = [
      ...Object.values(DEFAULT_MODELS).map((m) => parseModelSpec(m)),
      ...PROVIDER_IDS.flatMap((provider) => [
        { provider, model: PROVIDER_DEFAULTS[provider].strong },
        { provider, model: PROVIDER_DEFAULTS[provider].small },
      ]),
    ];
    for (const spec of specs)
      expect(knownContextWindow(spec), formatModelSpec(spec)).toBeGreaterThanOrEqual(32_000);
    expect(contextWindowOf(parseModelSpec('openai:gpt-4.1-2025-04-14'))).toBe(1_047_576);
    expect(contextWindowOf(parseModelSpec('anthropic:claude-sonnet-4-20250514'))).toBe(200_000);
  });

  it('is stated in a model field as #8k, and kept in its stored form', () => {
    const spec = readModelSpec('Compatible:llama3.2:3b #8k');
    expect(spec).toEqual({ provider: 'openai-compatible', model: 'llama3.2:3b', contextTokens: 8192 });
    expect(formatModelSpec(spec!)).toBe('openai-compatible:llama3.2:3b#8k');
    expect(readModelSpec('openai-compatible:mistral#32000')?.contextTokens).toBe(32_000);
    expect(contextWindowOf(spec!)).toBe(8192);
    // Stated beats known: the same model served with a smaller window.
    expect(contextWindowOf(parseModelSpec('openai:gpt-4.1#16k'))).toBe(16_384);
    expect(readModelSpec('openai-compatible:tiny#1k')).toBeNull(); // no agent's instructions fit in 1k
    expect(readModelSpec('openai-compatible:odd#name')).toBeNull();
    expect(() => parseModelSpec('openai-compatible:tiny#1k')).toThrow(/add #8k/);
  });

  it("falls back to the platform's default, then to a guess per provider: small for a self-hosted server", () => {
    expect(contextWindowOf(parseModelSpec('openai-compatible:some-model'))).toBe(8192);
    expect(contextWindowOf(parseModelSpec('openai-compatible:some-model'), 16_384)).toBe(16_384);
    expect(contextWindowOf(parseModelSpec('openai:gpt-9'))).toBe(128_000);
    expect(parseContextWindow('16k')).toBe(16_384);
    expect(parseContextWindow(undefined)).toBeUndefined();
    expect(() => parseContextWindow('lots')).toThrow(/LLM_CONTEXT_WINDOW/);
    expect(llmConfig({ LLM_CONTEXT_WINDOW: '32768' }).defaultContextTokens).toBe(32_768);
  });

  it('leaves a small window three quarters for the prompt', () => {
    expect(modelWindow(parseModelSpec('openai-compatible:x#8k'), 8192)).toEqual({
      contextTokens: 8192,
      outputTokens: 2048,
    });
    expect(modelWindow(parseModelSpec('openai:gpt-4.1'), 8192).outputTokens).toBe(8192);
  });

  it("is what the LLM layer tells the agents for the model each one's calls go to", async () => {
    const port = createLlmPort({
      keys: platformOnly({
        openai: { apiKey: 'k' },
        'openai-compatible': { apiKey: 'k', baseUrl: 'http://127.0.0.1:9/v1' },
      }),
      models: { project: { CodeMonkey: 'openai-compatible:llama3.2#8k' } },
      defaultContextTokens: 16_384,
      now: () => 0,
    });
    expect(await port.window!('CodeMonkey')).toEqual({ contextTokens: 8192, outputTokens: 2048 });
    expect(await port.window!('Developer')).toEqual({ contextTokens: 1_047_576, outputTokens: 8192 });
  });
});
