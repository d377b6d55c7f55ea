import { describe, expect, it } from 'vitest';
import { priceRuleFor, type PriceSource } from './price-rule.ts';

const rule = (source: PriceSource, name: string) => ({ source, name });
const list = (...names: string[]) => names.map((name) => rule('list', name));

describe('the price rule', () => {
  it('prices a model by the longest list name that is the model or its family (`name-…`)', () => {
    const rules = list('gpt-4.1', 'gpt-4.1-mini', 'claude-sonnet-4');
    expect(priceRuleFor('gpt-4.1', rules)?.name).toBe('gpt-4.1');
    expect(priceRuleFor('gpt-4.1-mini', rules)?.name).toBe('gpt-4.1-mini');
    expect(priceRuleFor('gpt-4.1-mini-2025-04-14', rules)?.name).toBe('gpt-4.1-mini');
    expect(priceRuleFor('claude-sonnet-4-20250514', rules)?.name).toBe('claude-sonnet-4');
  });

  it('does not take a name that merely starts the same for the family', () => {
    // `gpt-4.10` is not a variant of `gpt-4.1`, nor `gpt-4.1mini`.
    expect(priceRuleFor('gpt-4.10', list('gpt-4.1'))).toBeNull();
    expect(priceRuleFor('gpt-4.1mini', list('gpt-4.1'))).toBeNull();
  });

  it("uses a person's own price for exactly its model, only where no list price applies", () => {
    const own = rule('custom', 'llama3.2:3b');
    expect(priceRuleFor('llama3.2:3b', [own])).toBe(own);
    // Not for a variant of it: a price of one's own names one model.
    expect(priceRuleFor('llama3.2:3b-q4', [own])).toBeNull();
    // The list wins, whatever the order of the rules.
    const mine = rule('custom', 'gpt-4.1-preview');
    expect(priceRuleFor('gpt-4.1-preview', [mine, ...list('gpt-4.1')])?.source).toBe('list');
  });

  it('finds no price when no rule applies (unknown, not zero)', () => {
    expect(priceRuleFor('gpt-9', list('gpt-4.1'))).toBeNull();
    expect(priceRuleFor('anything', [])).toBeNull();
  });
});
