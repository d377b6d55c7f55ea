/**
 * The launch admission (src/sandbox/launch-admission.ts): a burst of launches runs a few at a time in
 * arrival order, so the first ones finish early, and background work waits until the burst is served.
 */
import { describe, expect, it } from 'vitest';
import { LaunchAdmission } from '../../src/sandbox/launch-admission.ts';

/** A launch the test finishes by hand. */
function gate() {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => (open = resolve));
  return { open, opened };
}

describe('launch admission', () => {
  it('runs at most `limit` launches at once, the rest in arrival order', async () => {
    const admission = new LaunchAdmission(2);
    const gates = Array.from({ length: 5 }, () => gate());
    const started: number[] = [];
    const runs = gates.map((g, i) =>
      admission.run(async () => {
        started.push(i);
        await g.opened;
        return i;
      }),
    );
    await Promise.resolve();
    expect(started).toEqual([0, 1]);
    expect(admission.pending).toBe(5);
    gates[1]?.open();
    await expect(runs[1]).resolves.toBe(1);
    expect(started).toEqual([0, 1, 2]);
    for (const g of gates) g.open();
    expect(await Promise.all(runs)).toEqual([0, 1, 2, 3, 4]);
    expect(started).toEqual([0, 1, 2, 3, 4]);
    expect(admission.pending).toBe(0);
  });

  it('frees the slot of a launch that fails', async () => {
    const admission = new LaunchAdmission(1);
    const failed = admission.run(() => Promise.reject(new Error('engine refused')));
    const next = admission.run(() => Promise.resolve('made'));
    await expect(failed).rejects.toThrow('engine refused');
    await expect(next).resolves.toBe('made');
    expect(admission.pending).toBe(0);
  });

  it('lets background work wait until no launch runs or waits', async () => {
    const admission = new LaunchAdmission(1);
    const first = gate();
    const second = gate();
    const runs = [admission.run(() => first.opened), admission.run(() => second.opened)];
    let idle = false;
    const waited = admission.idle().then(() => (idle = true));
    first.open();
    await runs[0];
    await Promise.resolve();
    expect(idle).toBe(false); // the second launch still runs
    second.open();
    await Promise.all([...runs, waited]);
    expect(idle).toBe(true);
    await expect(admission.idle()).resolves.toBeUndefined(); // at once when nothing runs
  });
});
