import { describe, expect, it } from 'vitest';
import { formatCostTotal } from '../format/money.ts';
import { inLineage, stepHistory, usageByTask, type Forks } from './step-history.ts';

const step = (stepId: number, branch: number) => ({ stepId, branch });
const forks = (...list: [branch: number, parent: number, fromStepId: number][]) =>
  Object.fromEntries(list.map(([branch, parent, fromStepId]) => [branch, { parent, fromStepId }])) as Forks;

/** The history as text: current steps by id, folds as `[ids]`. */
const shape = (entries: ReturnType<typeof stepHistory>) =>
  entries.map((e) =>
    e.kind === 'step' ? String(e.step.stepId) : `[${e.steps.map((s) => s.stepId).join(',')}]`,
  );

describe('the step history after rollbacks', () => {
  it('is one plain list before any rollback', () => {
    const steps = [step(1, 0), step(2, 0), step(3, 0)];
    expect(shape(stepHistory(steps, 0, forks()))).toEqual(['1', '2', '3']);
  });

  it("shows the current branch's lineage (the parent's steps up to the fork, then its own) and folds the rest where it left", () => {
    // Branch 0: steps 1-5. Rolled back to 2 (branch 1: 6, 7, 8), then to 7 (branch 2: 9, 10).
    const steps = [1, 2, 3, 4, 5].map((id) => step(id, 0)).concat([step(6, 1), step(7, 1), step(8, 1)]);
    steps.push(step(9, 2), step(10, 2));
    const f = forks([1, 0, 2], [2, 1, 7]);
    expect(shape(stepHistory(steps, 2, f))).toEqual(['1', '2', '[3,4,5]', '6', '7', '[8]', '9', '10']);
    expect(steps.filter((s) => inLineage(s, 2, f)).map((s) => s.stepId)).toEqual([1, 2, 6, 7, 9, 10]);
    // One fold per fork point, saying which branch it holds.
    const folds = stepHistory(steps, 2, f).filter((e) => e.kind === 'fold');
    expect(folds.map((e) => e.kind === 'fold' && e.branches)).toEqual([[0], [1]]);
  });

  it('brings an earlier branch back when the person rolls back to one of its steps', () => {
    // After the two rollbacks above, back to step 4 of branch 0: branch 3 (step 11).
    const steps = [1, 2, 3, 4, 5].map((id) => step(id, 0)).concat([step(6, 1), step(7, 1), step(8, 1)]);
    steps.push(step(9, 2), step(10, 2), step(11, 3));
    const f = forks([1, 0, 2], [2, 1, 7], [3, 0, 4]);
    expect(shape(stepHistory(steps, 3, f))).toEqual(['1', '2', '[6,7,8,9,10]', '3', '4', '[5]', '11']);
  });

  it("adds up each task's tokens and cost over the current lineage only", () => {
    const usage = (costMicros: number, unpriced = 0) => ({
      stepId: 0,
      calls: 1,
      inputTokens: 100,
      outputTokens: 20,
      cachedTokens: 0,
      costMicros,
      unpriced,
    });
    const steps = [
      { ...step(1, 0), task: 'a', usage: usage(1000) },
      { ...step(2, 0), task: 'a', usage: usage(500) },
      { ...step(3, 0), task: 'b', usage: usage(9999) },
      { ...step(4, 1), task: 'b', usage: usage(0, 1) },
      { ...step(5, 1), task: null, usage: usage(7) },
    ];
    const byTask = usageByTask(steps, 1, forks([1, 0, 2]));
    expect(byTask.get('a')).toEqual({
      calls: 2,
      inputTokens: 200,
      outputTokens: 40,
      costMicros: 1500,
      unpriced: 0,
    });
    expect(byTask.get('b')).toMatchObject({ calls: 1, costMicros: 0, unpriced: 1 });
    const cost = (sum: { costMicros: number; unpriced: number }) =>
      formatCostTotal(sum.costMicros, sum.unpriced);
    expect(cost(byTask.get('a')!)).not.toContain('unknown');
    expect(cost(byTask.get('b')!)).toBe('price unknown');
    expect(cost({ ...byTask.get('a')!, unpriced: 1 })).toMatch(/^\$.* \+ price unknown$/);
  });
});
