/**
 * A bound on the database connections one isolate has open at once, with a queue in front of it.
 *
 * Why a gate and not a pool: a Worker cannot share an I/O object (a socket) across requests, so each
 * request opens its own connection and closes it. What the isolate can share is a count: at most
 * `limit` connections exist at any time, the requests beyond wait in line (FIFO), and one that waited
 * `queueTimeoutMs` (or finds `maxQueue` ahead of it) gets a DependencyError, which the API answers with
 * 503 and `Retry-After`. A burst then costs queueing instead of refused or dropped connections (the
 * embedded Postgres closes any beyond its cap).
 *
 * Why leases expire: a request whose client goes away is cancelled by the runtime, and its code stops
 * wherever it was: a `finally` that would release its slot may never run, and a slot handed to a
 * waiter that was cancelled is never claimed. Each slot is therefore a lease: a grant not claimed in
 * `claimMs`, or a connection held longer than `leaseMs`, is taken back. A late claimer finds its grant
 * gone and queues again, so the bound holds either way.
 */
import { DependencyError } from './dependency-failure.ts';

export interface GateOptions {
  /** Connections open at once. */
  limit: number;
  /** Requests waiting at once; more are refused at once. */
  maxQueue: number;
  /** Longest wait in the queue. */
  queueTimeoutMs: number;
  /** Longest a granted slot may go unclaimed. */
  claimMs: number;
  /** Longest a slot may be held. */
  leaseMs: number;
  /** The clock (tests move it). */
  now?: () => number;
}

interface Waiter {
  wake: () => void;
  woken: Promise<void>;
}

/** Gives back a slot; calling it again, or after the lease expired, does nothing. */
export type Release = () => void;

export class ConnectionGate {
  private readonly opts: Required<GateOptions>;
  /** Slots in use (granted or held), each with when its lease ends. */
  private readonly leases = new Map<symbol, number>();
  /** Waiters granted a slot (the key) that have not claimed it yet. */
  private readonly grants = new Map<Waiter, symbol>();
  private readonly queue: Waiter[] = [];

  constructor(opts: GateOptions) {
    this.opts = { now: () => Date.now(), ...opts };
  }

  /** Slots in use, and requests waiting for one. */
  get stats(): { active: number; waiting: number } {
    return { active: this.leases.size, waiting: this.queue.length };
  }

  /** Waits for a slot (FIFO); rejects with a DependencyError when the wait is too long or the line too full. */
  async acquire(): Promise<Release> {
    this.reclaim();
    if (this.queue.length === 0 && this.leases.size < this.opts.limit) return this.lease();
    if (this.queue.length >= this.opts.maxQueue) throw this.busy('too many requests are waiting for it');
    const deadline = this.opts.now() + this.opts.queueTimeoutMs;
    let waiter = this.enqueue(false);
    for (;;) {
      const left = deadline - this.opts.now();
      // Waking up now and then (in this request's own context) lets a waiter reclaim slots whose
      // holders were cancelled even when nobody else comes by to do it.
      const woke = await wait(waiter.woken, Math.min(left, this.opts.claimMs));
      const slot = this.grants.get(waiter);
      if (slot) {
        this.grants.delete(waiter);
        if (this.leases.has(slot)) {
          this.leases.set(slot, this.opts.now() + this.opts.leaseMs);
          return this.releaser(slot);
        }
        // The grant expired before we ran: back to the head of the line.
        waiter = this.enqueue(true);
      } else if (woke) {
        waiter = this.enqueue(true);
      }
      this.reclaim();
      if (this.opts.now() >= deadline && !this.grants.has(waiter)) {
        this.remove(waiter);
        throw this.busy(`no connection was free within ${this.opts.queueTimeoutMs} ms`);
      }
    }
  }

  private enqueue(front: boolean): Waiter {
    let wake!: () => void;
    const woken = new Promise<void>((resolve) => (wake = resolve));
    const waiter = { wake, woken };
    if (front) this.queue.unshift(waiter);
    else this.queue.push(waiter);
    return waiter;
  }

  private remove(waiter: Waiter): void {
    const at = this.queue.indexOf(waiter);
    if (at >= 0) this.queue.splice(at, 1);
  }

  private lease(): Release {
    const slot = Symbol('connection');
    this.leases.set(slot, this.opts.now() + this.opts.leaseMs);
    return this.releaser(slot);
  }

  private releaser(slot: symbol): Release {
    return () => {
      if (this.leases.delete(slot)) this.dispatch();
    };
  }

  /** Hands free slots to the waiters at the head of the line. */
  private dispatch(): void {
    while (this.leases.size < this.opts.limit && this.queue.length > 0) {
      const waiter = this.queue.shift()!;
      const slot = Symbol('connection');
      this.leases.set(slot, this.opts.now() + this.opts.claimMs);
      this.grants.set(waiter, slot);
      waiter.wake();
    }
  }

  /** Takes back expired leases (unclaimed grants and slots held too long), then refills. */
  private reclaim(): void {
    const now = this.opts.now();
    let freed = false;
    for (const [slot, until] of this.leases) {
      if (until <= now) {
        this.leases.delete(slot);
        freed = true;
      }
    }
    for (const [waiter, slot] of this.grants) if (!this.leases.has(slot)) this.grants.delete(waiter);
    if (freed) this.dispatch();
  }

  private busy(why: string): DependencyError {
    return new DependencyError('postgres', `The database is busy: ${why}.`, { retryAfterSeconds: 2 });
  }
}

/** Resolves true when `promise` settles within `ms`, false otherwise; the timer never outlives it. */
async function wait(promise: Promise<void>, ms: number): Promise<boolean> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<false>(
    (resolve) => (timer = setTimeout(() => resolve(false), Math.max(0, ms))),
  );
  try {
    return await Promise.race([promise.then(() => true as const), timeout]);
  } finally {
    clearTimeout(timer);
  }
}
