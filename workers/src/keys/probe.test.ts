import { describe, expect, it } from 'vitest';
import { MAX_LISTED_MODELS, keptModels } from './probe.ts';

describe('the models a key keeps from its test', () => {
  it('keeps distinct, printable names, sorted, and at most a bounded number of them', () => {
    expect(keptModels(['b', 'a', 'a', ' c ', '', 'has space', 42, null, 'x'.repeat(201)])).toEqual([
      'a',
      'b',
      'c',
    ]);
    const many = Array.from({ length: 5000 }, (_, i) => `model-${String(i).padStart(5, '0')}`);
    const kept = keptModels(many);
    expect(kept).toHaveLength(MAX_LISTED_MODELS);
    expect(kept[0]).toBe('model-00000');
  });
});
