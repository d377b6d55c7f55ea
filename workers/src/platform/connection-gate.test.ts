import { describe, expect, it } from 'vitest';
import { ConnectionGate, type GateOptions, type Release } from './connection-gate.ts';
import { DependencyError } from './dependency-failure.ts';

function gate(opts: Partial<GateOptions> = {}) {
  let clock = 1_000_000;
  const g = new ConnectionGate({
    limit: 2,
    maxQueue: 100,
    queueTimeoutMs: 60_000,
    claimMs: 50,
    leaseMs: 60_000,
    now: () => clock,
    ...opts,
  });
  return { g, advance: (ms: number) => (clock += ms) };
}

/** Lets every pending continuation run. */
const settle = () => new Promise((resolve) => setImmediate(resolve));

describe('connection gate', () => {
  it('never has more than its limit open, and serves the waiters in order', async () => {
    const { g } = gate({ limit: 3 });
    let open = 0;
    let most = 0;
    const order: number[] = [];
    await Promise.all(
      Array.from({ length: 40 }, async (_, i) => {
        const release = await g.acquire();
        order.push(i);
        open++;
        most = Math.max(most, open);
        await settle();
        open--;
        release();
      }),
    );
    expect(most).toBe(3);
    expect(order).toEqual(Array.from({ length: 40 }, (_, i) => i));
    expect(g.stats).toEqual({ active: 0, waiting: 0 });
  });

  it('refuses with a dependency error (Retry-After) when the wait is too long', async () => {
    const { g } = gate({ limit: 1, queueTimeoutMs: 30, claimMs: 10, now: () => Date.now() });
    const held = await g.acquire();
    const waited = g.acquire();
    await expect(waited).rejects.toBeInstanceOf(DependencyError);
    await expect(waited).rejects.toMatchObject({ dependency: 'postgres', retryAfterSeconds: 2 });
    expect(g.stats).toEqual({ active: 1, waiting: 0 });
    held();
    (await g.acquire())();
  });

  it('refuses at once when the line is full', async () => {
    const { g } = gate({ limit: 1, maxQueue: 2 });
    const held = await g.acquire();
    const first = g.acquire();
    const second = g.acquire();
    await expect(g.acquire()).rejects.toThrow(/too many requests are waiting/);
    held();
    (await first)();
    (await second)();
  });

  it('counts a slot once however often it is released', async () => {
    const { g } = gate({ limit: 1 });
    const release = await g.acquire();
    release();
    release();
    const next = await g.acquire();
    expect(g.stats.active).toBe(1);
    const waiting = g.acquire();
    await settle();
    expect(g.stats.waiting).toBe(1);
    next();
    (await waiting)();
  });

  it('takes back a slot held past its lease (its request was cancelled and never released it)', async () => {
    const { g, advance } = gate({ limit: 1, leaseMs: 1000 });
    await g.acquire(); // never released
    const waiting = g.acquire();
    await settle();
    expect(g.stats.waiting).toBe(1);
    advance(1001);
    // The waiter wakes by itself (every claimMs) and finds the expired lease.
    const release: Release = await waiting;
    expect(g.stats).toEqual({ active: 1, waiting: 0 });
    release();
  });

  it('takes back a grant its waiter never claimed, and the late waiter queues again', async () => {
    const { g, advance } = gate({ limit: 1, claimMs: 50 });
    const held = await g.acquire();
    const late = g.acquire();
    await settle();
    // The slot is handed to the waiter, but before its continuation runs the grant expires and a new
    // request takes the slot (as when the waiter's request was cancelled).
    held();
    advance(51);
    const taken = g.acquire();
    const thief = await taken;
    expect(g.stats.active).toBe(1);
    await settle();
    expect(g.stats.waiting).toBe(1);
    thief();
    (await late)();
    expect(g.stats).toEqual({ active: 0, waiting: 0 });
  });
});
