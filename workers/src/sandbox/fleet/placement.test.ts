import { describe, expect, it } from 'vitest';
import { cachedDirectory, type RunnerState } from './directory.ts';
import { chooseRunner, freeRoom } from './placement.ts';
import { queueMessage } from './queue-message.ts';

const runner = (
  id: string,
  sandboxes: number,
  capacity = 4,
  more: Partial<RunnerState> = {},
): RunnerState => ({
  id,
  url: `http://${id}.internal:8788`,
  capacity,
  sandboxes,
  commands: 0,
  draining: false,
  ...more,
});

describe('placing a project on a runner', () => {
  it('takes the least loaded runner for its capacity, then the one running fewer commands', () => {
    expect(chooseRunner([runner('a', 2), runner('b', 1), runner('c', 3)], null)?.id).toBe('b');
    expect(chooseRunner([runner('a', 2, 4), runner('b', 3, 8)], null)?.id).toBe('b');
    expect(
      chooseRunner([runner('a', 1, 4, { commands: 3 }), runner('b', 1, 4, { commands: 1 })], null)?.id,
    ).toBe('b');
  });

  it('goes back to the runner it used before while that one has room', () => {
    expect(chooseRunner([runner('a', 0), runner('b', 3)], 'b')?.id).toBe('b');
    expect(chooseRunner([runner('a', 0), runner('b', 4)], 'b')?.id).toBe('a');
  });

  it('never places on a draining, full or excluded runner, and says when none has room', () => {
    const runners = [runner('a', 4), runner('b', 0, 4, { draining: true }), runner('c', 1)];
    expect(chooseRunner(runners, null, new Set(['c']))).toBeNull();
    expect(chooseRunner(runners, null)?.id).toBe('c');
    expect(freeRoom(runners)).toBe(3);
    expect(freeRoom([runner('a', 4)])).toBe(0);
  });

  it('counts its own placements until the next read, so projects placed at once spread', async () => {
    let reads = 0;
    let now = 0;
    const directory = cachedDirectory(
      async () => {
        reads++;
        return [runner('a', 0), runner('b', 0)];
      },
      () => now,
    );
    const first = chooseRunner(await directory.runners(), null)!;
    directory.adjust(first.id, 1);
    const second = chooseRunner(await directory.runners(), null)!;
    expect(second.id).not.toBe(first.id);
    expect(reads).toBe(1);
    now += 5_000;
    expect((await directory.runners()).map((r) => r.sandboxes)).toEqual([0, 0]);
    expect(reads).toBe(2);
  });
});

describe('the place in line the workspace shows', () => {
  it('says the place as an ordinal, and when the wait is over', () => {
    expect(queueMessage(1)).toContain('1st in line');
    expect(queueMessage(2)).toContain('Waiting for a sandbox: 2nd in line');
    expect(queueMessage(3)).toContain('3rd in line');
    expect(queueMessage(11)).toContain('11th in line');
    expect(queueMessage(22)).toContain('22nd in line');
    expect(queueMessage(null)).toBe('A sandbox is free: the project goes on.');
  });
});
