import { describe, expect, it } from 'vitest';
import { nodeSql } from '../testing/node-sql.ts';
import { Outbox } from './outbox.ts';
import { migrate } from './schema.ts';

function outbox() {
  const sql = nodeSql();
  migrate(sql);
  let now = 1_000;
  const box = new Outbox(sql, { now: () => now });
  return { box, at: (t: number) => (now = t) };
}

describe('the Postgres outbox', () => {
  it('keeps one entry per key, with the latest payload, oldest first', () => {
    const { box } = outbox();
    box.enqueue('project', 'project', { n: 1 });
    box.enqueue('usage:a', 'usage', { key: 'a' });
    box.enqueue('project', 'project', { n: 2 });
    expect(box.pending()).toBe(2);
    expect(box.due(1_000, 10).map((e) => [e.key, JSON.parse(e.payload)])).toEqual([
      ['project', { n: 2 }],
      ['usage:a', { key: 'a' }],
    ]);
  });

  it('keeps an entry written while it was queued again, with its new payload', () => {
    const { box } = outbox();
    box.enqueue('project', 'project', { n: 1 });
    const [read] = box.due(1_000, 10);
    box.enqueue('project', 'project', { n: 2 });
    box.written(read!);
    expect(box.due(1_000, 10).map((e) => JSON.parse(e.payload))).toEqual([{ n: 2 }]);
    box.drop(read!);
    expect(box.pending()).toBe(0);
  });

  it('holds a failed entry until its retry time, even when it is queued again meanwhile', () => {
    const { box, at } = outbox();
    box.enqueue('snapshot:1', 'snapshot', { stepId: 1 });
    const [entry] = box.due(1_000, 10);
    box.retryLater(entry!, 1, 5_000);
    at(2_000);
    box.enqueue('snapshot:1', 'snapshot', { stepId: 1, again: true });
    expect(box.due(4_999, 10)).toEqual([]);
    expect(box.pendingAt(4_999)).toBe(0);
    expect(box.nextDue()).toBe(5_000);
    expect(box.due(5_000, 10).map((e) => e.attempts)).toEqual([1]);
  });
});
