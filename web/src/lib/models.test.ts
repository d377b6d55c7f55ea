import { describe, expect, it } from 'vitest';
import type { PriceRule } from './api/models.ts';
import { canonicalModel, priceOf } from './models.ts';

const rule = (
  provider: PriceRule['provider'],
  name: string,
  source: PriceRule['source'],
  inputMicrosPerMillion = 1,
): PriceRule => ({ provider, name, source, inputMicrosPerMillion, outputMicrosPerMillion: 2 });

describe("a model field's price", () => {
  const rules = [
    rule('openai', 'gpt-4.1', 'list', 2_000_000),
    rule('openai', 'gpt-4.1-mini', 'list', 400_000),
    rule('groq', 'gpt-4.1-mini', 'list', 9),
    rule('openai-compatible', 'llama3.2:3b', 'custom', 500_000),
  ];

  it("shows the price of the model's family, of its own provider only", () => {
    expect(priceOf('openai:gpt-4.1-mini-2025-04-14', rules)).toEqual({
      inputMicrosPerMillion: 400_000,
      outputMicrosPerMillion: 2,
      source: 'list',
    });
    expect(priceOf('openai:gpt-4.1', rules)?.inputMicrosPerMillion).toBe(2_000_000);
  });

  it("shows a person's own price for its model (the name may hold colons), else none", () => {
    const model = canonicalModel('Compatible:llama3.2:3b', [
      { id: 'openai-compatible', label: 'OpenAI-compatible', aliases: ['compatible'] },
    ]);
    expect(model).toBe('openai-compatible:llama3.2:3b');
    expect(priceOf(model!, rules)?.source).toBe('custom');
    expect(priceOf('openai-compatible:llama3.2:1b', rules)).toBeNull();
    expect(priceOf('anthropic:gpt-4.1', rules)).toBeNull();
  });
});
