import { evictDurableObject, runInDurableObject } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import type { ProjectObject } from '../../src/project-object/project-object.ts';
import type { ServerFrame } from '../../src/protocol.ts';
import { connect, isType, scriptedProject, settled } from './helpers.ts';

const completed = (fs: ServerFrame[]) => fs.some((f) => f.type === 'run.status' && f.status === 'completed');

describe('live channel (inside the Durable Object)', () => {
  it('replays exactly the gap after a reconnect, then streams live', async () => {
    const { stub } = await scriptedProject({
      steps: [
        { title: 'a', actions: [{ emit: 30 }] },
        { title: 'b', actions: [{ emit: 5 }] },
      ],
    });
    const first = await connect(stub, { after: 0 });
    await stub.control('start');
    await first.waitUntil(completed);
    const all = first.events();
    first.close();

    for (const n of [0, 7, all.length - 1, all.length]) {
      const again = await connect(stub);
      expect(await again.waitFor(isType('hello'))).toMatchObject({ lastSeq: all.length });
      again.send({ type: 'resume', after: n });
      await again.waitFor(isType('synced'));
      expect(again.events().map((e) => e.seq)).toEqual(all.slice(n).map((e) => e.seq));
      expect(again.events()).toEqual(all.slice(n));
      again.close();
    }
  });

  it('replays in batches to a client that asks for them', async () => {
    const { stub } = await scriptedProject({ steps: [{ title: 'a', actions: [{ emit: 3000 }] }] });
    const first = await connect(stub, { after: 0 });
    await stub.control('start');
    await first.waitUntil(completed);
    const all = first.events();
    const batched = await connect(stub);
    batched.send({ type: 'resume', after: 0, batch: true });
    await batched.waitFor(isType('synced'));
    expect(batched.events()).toEqual(all);
    // hello, a few dozen batches, synced: far fewer messages than events.
    expect(batched.messages.length).toBeLessThan(all.length / 20);
    expect(first.messages.length).toBeGreaterThanOrEqual(all.length);
  });

  it('shows every viewer the same events', async () => {
    const { stub } = await scriptedProject({
      steps: [
        {
          title: 'a',
          actions: [{ llm: 'x', chunks: 5, delayMs: 10 }, { emit: 10 }, { write: 'f', content: 'f' }],
        },
      ],
    });
    const viewers = await Promise.all([1, 2, 3].map(() => connect(stub, { after: 0 })));
    await stub.control('start');
    await Promise.all(viewers.map((v) => v.waitUntil(completed)));
    const [a, ...others] = viewers.map((v) => v.events());
    expect(a!.length).toBeGreaterThan(15);
    for (const other of others) expect(other).toEqual(a);
  });

  it('lets a viewer join a message mid-stream and still get all of it', async () => {
    const reply = 'The quick brown fox jumps over the lazy dog. '.repeat(4);
    const { stub } = await scriptedProject({
      steps: [{ title: 'a', actions: [{ llm: 'x', reply, chunks: 30, delayMs: 40 }] }],
    });
    const early = await connect(stub, { after: 0 });
    await stub.control('start');
    await early.waitUntil((fs) => fs.filter((f) => f.type === 'stream.delta').length >= 2);
    const late = await connect(stub, { after: 0 });
    await late.waitUntil(completed);
    const text = late
      .events()
      .flatMap((e) => (e.type === 'stream.delta' ? [e.text] : []))
      .join('');
    expect(text).toBe(reply);
    // Coalesced: 30 chunks over ~1.2 s make a handful of deltas, not 30.
    const deltas = late.events().filter((e) => e.type === 'stream.delta').length;
    expect(deltas).toBeLessThanOrEqual(10);
  });

  it('resumes a message mid-way: a viewer that dropped during a stream gets the rest of it once', async () => {
    const reply = 'Every word of this answer must arrive exactly once, in order. '.repeat(3);
    const { stub } = await scriptedProject({
      steps: [{ title: 'a', actions: [{ llm: 'x', reply, chunks: 30, delayMs: 40 }] }],
    });
    const first = await connect(stub, { after: 0 });
    await stub.control('start');
    await first.waitUntil((fs) => fs.filter((f) => f.type === 'stream.delta').length >= 2);
    const seen = first.events();
    first.close();
    const lastSeq = seen.at(-1)!.seq;
    const again = await connect(stub, { after: lastSeq });
    await again.waitUntil(completed);
    expect(again.events()[0]!.seq).toBe(lastSeq + 1);
    const text = [...seen, ...again.events()]
      .flatMap((e) => (e.type === 'stream.delta' ? [e.text] : []))
      .join('');
    expect(text).toBe(reply);
    expect(again.events().some((e) => e.type === 'stream.start')).toBe(false);
  });

  it('keeps its sockets across hibernation and resumes the run on an answer sent over one', async () => {
    const { stub } = await scriptedProject({
      steps: [
        {
          title: 'ask',
          actions: [{ ask: 'Which database?', options: ['SQLite', 'Postgres'], default: 'SQLite' }],
        },
        { title: 'after', actions: [{ say: 'thanks' }] },
      ],
    });
    const viewer = await connect(stub, { after: 0 });
    await stub.control('start');
    const question = await viewer.waitFor(isType('question'));
    expect(await settled(stub, ['waiting'])).toBe('waiting');

    await runInDurableObject(stub, (agent: ProjectObject) => {
      Object.defineProperty(agent.runtime, 'beforeEviction', { value: true });
    });
    await evictDurableObject(stub);
    // A new instance (the marker is gone) still holds the viewer's socket.
    const fresh = await runInDurableObject(stub, (agent: ProjectObject) => ({
      marker: 'beforeEviction' in agent.runtime,
      sockets: agent.runtime.hub.count(),
    }));
    expect(fresh).toEqual({ marker: false, sockets: 1 });

    viewer.send({ type: 'answer', questionId: question.questionId, answer: 'Postgres' });
    await viewer.waitUntil(completed);
    const texts = viewer.events().flatMap((e) => (e.type === 'message' ? [e.text] : []));
    expect(texts).toEqual(['thanks']);
    expect(viewer.events().find((e) => e.type === 'question.answered')).toMatchObject({
      answer: 'Postgres',
      by: 'user',
    });
    const seqs = viewer.events().map((e) => e.seq);
    expect(seqs).toEqual(seqs.map((_, i) => i + 1));
  });

  it('answers a bad frame with an error and keeps the socket usable', async () => {
    const { stub } = await scriptedProject({ steps: [{ title: 'a', actions: [] }] });
    const viewer = await connect(stub);
    const bad: (string | ArrayBuffer)[] = [
      'not json',
      '{"type":"nope"}',
      '{"type":"resume","after":-1}',
      '{"type":"chat","text":""}',
      '{"type":"control","action":"explode"}',
      '{"type":"resume","after":0,"extra":true}',
      JSON.stringify({ type: 'chat', text: 'x'.repeat(70_000) }),
      new Uint8Array([1, 2, 3]).buffer,
    ];
    for (const frame of bad) viewer.ws.send(frame);
    await viewer.waitUntil((fs) => fs.filter((f) => f.type === 'error').length === bad.length);
    expect(viewer.frames.filter(isType('error')).every((f) => f.code === 'bad_frame')).toBe(true);

    viewer.send({ type: 'answer', questionId: 's1:q1', answer: 'x' });
    const notFound = await viewer.waitFor(
      (f): f is Extract<ServerFrame, { type: 'error' }> => f.type === 'error' && f.code === 'not_found',
    );
    expect(notFound.message).toMatch(/question/);

    viewer.send({ type: 'ping' });
    await viewer.waitFor(isType('pong'));
    viewer.send({ type: 'resume', after: 0 });
    await viewer.waitFor(isType('synced'));
    viewer.send({ type: 'control', action: 'start' });
    await viewer.waitUntil(completed);
  });
});
