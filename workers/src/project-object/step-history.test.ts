import { describe, expect, it } from 'vitest';
import type { LlmCompletion, LlmPort, LlmRequest } from '../core/ports.ts';
import type { ServerEvent } from '../protocol.ts';
import { scriptedLlm } from '../testing/scripted-ports.ts';
import { harness } from './testing/harness.ts';

const ofType = <T extends ServerEvent['type']>(events: ServerEvent[], type: T) =>
  events.filter((e): e is Extract<ServerEvent, { type: T }> => e.type === type);

/** Each start of a step as `id/attempt:why` (`first` for its first start). */
const starts = (events: ServerEvent[]) =>
  ofType(events, 'step.started').map((e) => `${e.stepId}/${e.attempt}:${e.rerun ?? 'first'}`);

describe('why a step starts again', () => {
  it('says a step re-run after its question was answered resumes from its record: it is not a retry', async () => {
    const h = harness({
      script: {
        steps: [
          { title: 'plan', actions: [{ llm: 'draft' }, { ask: 'Approve?', default: 'Approve' }] },
          { title: 'build', actions: [{ say: 'built' }] },
        ],
      },
    });
    h.controls.start();
    await h.drain();
    h.controls.answer(h.journal.openQuestion()!.id, 'Approve');
    await h.drain();
    expect(h.journal.run().status).toBe('completed');
    expect(starts(h.events())).toEqual(['1/1:first', '1/2:answer', '2/1:first']);
    expect(ofType(h.events(), 'step.failed')).toEqual([]);
  });

  it('says a step started again after it threw is a retry', async () => {
    const h = harness({
      script: { steps: [{ title: 'flaky', actions: [{ throw: 'boom', attempts: 1 }] }] },
    });
    h.controls.start();
    await h.drain();
    expect(starts(h.events())).toEqual(['1/1:first', '1/2:retry']);
  });

  it('says a stopped step, and one whose object died mid-step, restart', async () => {
    const stopped = harness({
      script: { steps: [{ title: 'slow', actions: [{ llm: 'p', chunks: 20, delayMs: 20 }] }] },
    });
    stopped.controls.start();
    const inFlight = stopped.engine.runNext();
    await new Promise((r) => setTimeout(r, 50));
    stopped.controls.stop();
    await inFlight;
    stopped.controls.resume();
    await stopped.drain();
    expect(starts(stopped.events())).toEqual(['1/1:first', '1/2:restart']);

    // An object evicted mid-call: its step row still says running when the next instance wakes.
    const hang = (calls: LlmRequest[]): LlmPort => ({
      complete: (r) => (calls.push(r), new Promise<LlmCompletion>(() => {})),
    });
    const first = harness({ script: { steps: [{ title: 'one', actions: [{ llm: 'p' }] }] }, llm: hang });
    first.controls.start();
    void first.engine.runNext();
    await new Promise((r) => setTimeout(r, 20));
    const second = first.restart({ llm: (calls) => scriptedLlm((r) => calls.push(r)) });
    await second.drain();
    expect(starts(second.events())).toEqual(['1/1:first', '1/2:restart']);
  });
});

describe("a step's usage", () => {
  it("carries the step's own running figures in each usage event, unknown prices counted apart", async () => {
    const h = harness({
      script: {
        steps: [
          {
            title: 'priced',
            actions: [
              { llm: 'one', costMicros: 1500 },
              { llm: 'two', costMicros: 500 },
            ],
          },
          { title: 'local model', actions: [{ llm: 'three', costMicros: null }] },
        ],
      },
    });
    h.controls.start();
    await h.drain();
    const usage = ofType(h.events(), 'usage');
    expect(usage.map((u) => u.step)).toEqual([
      expect.objectContaining({ stepId: 1, calls: 1, costMicros: 1500, unpriced: 0 }),
      expect.objectContaining({ stepId: 1, calls: 2, costMicros: 2000, unpriced: 0 }),
      expect.objectContaining({ stepId: 2, calls: 1, costMicros: 0, unpriced: 1 }),
    ]);
    const [first, second] = [usage[0]!.step!, usage[1]!.step!];
    expect(second.inputTokens).toBeGreaterThan(first.inputTokens);
    expect(second.outputTokens).toBeGreaterThan(first.outputTokens);
    // The project's totals are the sum of its steps'.
    expect(usage.at(-1)!.totals).toMatchObject({
      costMicros: 2000,
      inputTokens: second.inputTokens + usage[2]!.step!.inputTokens,
    });
  });

  it('does not count a call replayed from its record on a resumed step twice', async () => {
    const h = harness({
      script: {
        steps: [
          {
            title: 'ask',
            actions: [
              { llm: 'before', costMicros: 700 },
              { ask: 'Go?', default: 'yes' },
            ],
          },
        ],
      },
    });
    h.controls.start();
    await h.drain();
    h.controls.answer(h.journal.openQuestion()!.id, 'yes');
    await h.drain();
    expect(h.journal.stepUsage(1)).toMatchObject({ calls: 1, costMicros: 700 });
    expect(ofType(h.events(), 'usage')).toHaveLength(1);
  });
});
