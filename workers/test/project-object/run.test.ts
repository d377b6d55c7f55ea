import { runInDurableObject } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import type { ProjectObject } from '../../src/project-object/project-object.ts';
import { connect, isType, scriptedProject, settled } from './helpers.ts';

describe('ProjectObject run', () => {
  it('runs a scripted pipeline to the end, driven by its alarm, and streams it to a viewer', async () => {
    const { stub } = await scriptedProject({
      steps: [
        { title: 'spec', actions: [{ llm: 'spec please', chunks: 4, delayMs: 20 }] },
        {
          title: 'code',
          task: 'T1',
          endsTask: true,
          actions: [{ write: 'index.js', content: 'hi' }, { exec: 'npm test' }],
        },
      ],
    });
    const viewer = await connect(stub, { after: 0 });
    expect(await stub.control('start')).toEqual({ ok: true, pump: true });
    await viewer.waitFor(
      (f): f is Extract<typeof f, { type: 'run.status' }> =>
        f.type === 'run.status' && f.status === 'completed',
    );
    expect(await settled(stub, ['completed'])).toBe('completed');
    const types = viewer.events().map((e) => e.type);
    expect(types).toContain('stream.delta');
    expect(types).toContain('command.output');
    expect(types).toContain('files.changed');
    expect(viewer.frames[0]).toMatchObject({ type: 'hello', lastSeq: 0 });
    expect(viewer.frames.find(isType('synced'))).toEqual({ type: 'synced', lastSeq: 0 });
    const seqs = viewer.events().map((e) => e.seq);
    expect(seqs).toEqual(seqs.map((_, i) => i + 1));
    const tree = await stub.tree();
    expect(tree).toEqual({
      ok: true,
      value: { branch: 0, files: [{ path: 'index.js', version: 1, size: 2 }] },
    });
  });
});

describe('ProjectObject destroy', () => {
  it('stops the run, closes its viewers, deletes its storage and never runs again', async () => {
    const { stub, info } = await scriptedProject({
      steps: [
        { title: 'long', repeat: 200, actions: [{ llm: 'x', chunks: 2, delayMs: 20 }, { touch: 'f' }] },
      ],
    });
    const viewer = await connect(stub, { after: 0 });
    await stub.control('start');
    await viewer.waitUntil((fs) => fs.some((f) => f.type === 'step.completed'));
    expect(await stub.destroy()).toEqual({ ok: true });
    const closed = await viewer.closed;
    expect(closed.code).toBe(1000);
    expect(await stub.status()).toMatchObject({
      status: 'idle',
      currentStep: null,
      totals: { costMicros: 0 },
    });
    expect(await stub.tree()).toEqual({ ok: true, value: { branch: 0, files: [] } });
    // Nothing keeps running: no alarm is left behind, and nothing can start it again.
    await runInDurableObject(stub, async (_agent: ProjectObject, state) => {
      expect(await state.storage.getAlarm()).toBeNull();
    });
    expect(await stub.control('start')).toMatchObject({ ok: false, message: 'The project was deleted.' });
    expect(await stub.setProject(info)).toBe(false);
    expect(await stub.status()).toMatchObject({ status: 'idle' });
  });
});
