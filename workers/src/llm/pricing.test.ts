import { describe, expect, it } from 'vitest';
import { costMicros, priceOf } from './pricing.ts';

describe('price table', () => {
  it('prices a call exactly in micro-dollars, cached tokens at the cached rate', () => {
    // gpt-4.1: $2 in, $0.50 cached, $8 out per million tokens.
    expect(costMicros('openai', 'gpt-4.1', { inputTokens: 1000, outputTokens: 500, cachedTokens: 400 })).toBe(
      600 * 2 + 400 * 0.5 + 500 * 8,
    );
  });

  it('finds a dated model by its family and charges unknown models the provider fallback', () => {
    expect(priceOf('anthropic', 'claude-sonnet-4-20250514')).toEqual(priceOf('anthropic', 'claude-sonnet-4'));
    expect(priceOf('openai', 'gpt-4.1-mini')).not.toEqual(priceOf('openai', 'gpt-4.1'));
    expect(priceOf('openai', 'gpt-9-preview').input).toBeGreaterThanOrEqual(
      priceOf('openai', 'gpt-4.1').input,
    );
    expect(
      costMicros('compatible', 'qwen2.5-coder:7b', { inputTokens: 1e6, outputTokens: 1e6, cachedTokens: 0 }),
    ).toBe(0);
  });

  it('rounds fractions up so a budget is never undercharged', () => {
    expect(
      costMicros('groq', 'llama-3.1-8b-instant', { inputTokens: 1, outputTokens: 0, cachedTokens: 0 }),
    ).toBe(1);
  });
});
