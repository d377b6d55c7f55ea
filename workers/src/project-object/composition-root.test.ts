import { describe, expect, it } from 'vitest';
import { knownPipeline } from './composition-root.ts';

describe("the product's pipelines", () => {
  it('are the agents only: the scripted test pipeline is added by the test Worker, never shipped', () => {
    expect(knownPipeline('agents')).toBe(true);
    expect(knownPipeline('scripted')).toBe(false);
  });
});
