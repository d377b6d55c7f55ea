/**
 * Admission of container launches: at most `limit` run at once, the rest wait in arrival order.
 *
 * Why: a launch is a few engine round trips, a mount, a runc start and a Node boot inside the
 * container, most of it CPU on this host. Fifty launched at once all share the CPU and the engine's
 * locks, so each takes as long as all fifty together, and the first sandbox is ready when the last one
 * is. Run a few at a time, the engine keeps the same pace, and a sandbox is ready as soon as its own
 * launch is done: the median wait halves, the total does not grow.
 *
 * Background work (the warm pool's refill, spare disks) waits for {@link LaunchAdmission.idle}, so it
 * never competes with a burst of requests; it runs once the burst is served.
 */
export class LaunchAdmission {
  private readonly limit: number;
  private running = 0;
  private readonly waiting: (() => void)[] = [];
  private idleWaiters: (() => void)[] = [];

  constructor(limit: number) {
    this.limit = Math.max(1, limit);
  }

  /** Launches running or waiting for a slot. */
  get pending(): number {
    return this.running + this.waiting.length;
  }

  /** Runs `launch` once a slot is free (in arrival order), and frees the slot when it settles. */
  async run<T>(launch: () => Promise<T>): Promise<T> {
    if (this.running >= this.limit) await new Promise<void>((resolve) => this.waiting.push(resolve));
    else this.running += 1;
    try {
      return await launch();
    } finally {
      const next = this.waiting.shift();
      if (next)
        next(); // the slot passes on: `running` stays the same
      else {
        this.running -= 1;
        if (this.running === 0) this.wakeIdle();
      }
    }
  }

  /** Resolves once no launch is running or waiting (at once when none is). */
  idle(): Promise<void> {
    if (this.pending === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private wakeIdle(): void {
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const wake of waiters) wake();
  }
}
