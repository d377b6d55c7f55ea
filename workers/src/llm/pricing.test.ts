import { describe, expect, it } from 'vitest';
import { costAt, costMicros, customPrice, knownPrice, listPrice } from './pricing.ts';

describe('price table', () => {
  it('prices a call exactly in micro-dollars, cached tokens at the cached rate', () => {
    // gpt-4.1: $2 in, $0.50 cached, $8 out per million tokens.
    expect(costMicros('openai', 'gpt-4.1', { inputTokens: 1000, outputTokens: 500, cachedTokens: 400 })).toBe(
      600 * 2 + 400 * 0.5 + 500 * 8,
    );
  });

  it('finds a dated model by its family; a model it does not list has no price, not a guess or zero', () => {
    expect(listPrice('anthropic', 'claude-sonnet-4-20250514')).toEqual(
      listPrice('anthropic', 'claude-sonnet-4'),
    );
    expect(listPrice('openai', 'gpt-4.1-mini')).not.toEqual(listPrice('openai', 'gpt-4.1'));
    expect(listPrice('openai', 'gpt-9-preview')).toBeNull();
    expect(
      costMicros('openai-compatible', 'qwen2.5-coder:7b', {
        inputTokens: 1e6,
        outputTokens: 1e6,
        cachedTokens: 0,
      }),
    ).toBeNull();
  });

  it("prices an unlisted model at the person's own price; the list price wins where there is one", () => {
    // $0.50 in and $1.50 out per million tokens, stored as micro-dollars per million.
    const own = customPrice({ inputMicrosPerMillion: 500_000, outputMicrosPerMillion: 1_500_000 });
    const usage = { inputTokens: 2_000_000, outputTokens: 1_000_000, cachedTokens: 0 };
    const known = knownPrice('openai-compatible', 'llama3.2:3b', own);
    expect(known?.pricedBy).toBe('custom');
    expect(costAt(known!.price, usage)).toBe(2_500_000);
    expect(knownPrice('openai', 'gpt-4.1', own)?.pricedBy).toBe('list');
    expect(knownPrice('openai-compatible', 'llama3.2:3b', null)).toBeNull();
  });

  it('rounds fractions up so a budget is never undercharged', () => {
    expect(
      costMicros('groq', 'llama-3.1-8b-instant', { inputTokens: 1, outputTokens: 0, cachedTokens: 0 }),
    ).toBe(1);
  });
});
