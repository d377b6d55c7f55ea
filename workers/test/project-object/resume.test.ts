import { abortAllDurableObjects, runInDurableObject } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import type { ProjectObject } from '../../src/project-object/project-object.ts';
import type { ServerEvent } from '../../src/protocol.ts';
import { connect, isEvent, scriptedProject, settled } from './helpers.ts';

describe('ProjectObject across a crash', () => {
  it('resumes mid-run with no repeated step, no repeated recorded call and no lost event', async () => {
    const { stub: first, info } = await scriptedProject({
      steps: [
        { title: 'one', actions: [{ llm: 'first', costMicros: 5 }, { say: 'one done' }] },
        {
          title: 'two',
          actions: [
            { llm: 'slow', chunks: 40, delayMs: 50 },
            { write: 'two.txt', content: '2' },
          ],
        },
        { title: 'three', actions: [{ say: 'three done' }] },
      ],
    });
    const before = await connect(first, { after: 0 });
    await first.control('start');
    // Crash while the second step streams its (slow) call.
    await before.waitUntil((fs) => fs.some((f) => f.type === 'stream.delta' && f.streamId === 's2:c1'));
    const seen = before.events();
    // Resets every instance at once (storage kept): the in-flight step dies mid-call, as in a crash.
    await abortAllDurableObjects().catch(() => {});
    await before.closed;

    // A stub breaks with its object: the Worker gets a new one for the next request.
    const stub = env.PROJECT_OBJECT.get(env.PROJECT_OBJECT.idFromName(info.projectId));
    const lastSeq = seen.at(-1)!.seq;
    const after = await connect(stub, { after: lastSeq });
    await after.waitUntil(
      (fs) => fs.some((f) => f.type === 'run.status' && f.status === 'completed'),
      15_000,
    );
    expect(await settled(stub, ['completed'])).toBe('completed');

    const all: ServerEvent[] = [...seen, ...after.events()];
    // Every seq exactly once, in order: nothing lost, nothing duplicated across the reconnect.
    expect(all.map((e) => e.seq)).toEqual(all.map((_, i) => i + 1));
    const completed = all.filter((e) => e.type === 'step.completed').map((e) => e.stepId);
    expect(completed).toEqual([1, 2, 3]);
    const started = all.flatMap((e) => (e.type === 'step.started' ? [`${e.stepId}/${e.attempt}`] : []));
    expect(started).toEqual(['1/1', '2/1', '2/2', '3/1']);
    expect(all.filter((e) => e.type === 'message').map((e) => e.type === 'message' && e.text)).toEqual([
      'one done',
      'three done',
    ]);
    // The interrupted stream restarted under the same id; its final text is whole.
    const starts = all.filter((e) => e.type === 'stream.start' && e.streamId === 's2:c1');
    expect(starts).toHaveLength(2);
    // Calls made: "first" once (recorded, never repeated), "slow" twice (the first never finished).
    const made = await runInDurableObject(stub, (agent: ProjectObject) => agent.runtime.llmCallsMade());
    expect(made).toBe(3);
    expect((await stub.status()).totals.costMicros).toBe(5 + 10);
    expect(await stub.readFile('two.txt')).toMatchObject({ ok: true, value: { content: '2', version: 1 } });
    expect(after.frames.filter(isEvent).every((e) => e.seq > lastSeq)).toBe(true);
  });
});
