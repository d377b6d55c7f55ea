/**
 * The warm pool: containers of the default image and limits, already started with their supervisor
 * connected, handed out on create and refilled in the background one at a time.
 *
 * Why the refill waits `refillDelayMs` after a take: starting a container keeps the engine and the CPU
 * busy for a second or more, and on a small host that would slow down exactly the sandbox just handed
 * out, whose first command is what the user is waiting for.
 */
import type { Launched } from './launch.ts';

/** What the pool needs from the manager. */
export interface PoolDeps {
  size: number;
  refillDelayMs: number;
  launch: () => Promise<Launched>;
  dispose: (warm: Launched) => Promise<void>;
  onSizeChange: (size: number) => void;
  onError: (err: unknown) => void;
}

export class WarmPool {
  private readonly deps: PoolDeps;
  private ready: Launched[] = [];
  private filling: Promise<void> | null = null;
  private refillTimer: NodeJS.Timeout | null = null;
  private refillDue: Promise<void> | null = null;
  private refillDone: () => void = () => {};
  private closed = false;

  constructor(deps: PoolDeps) {
    this.deps = deps;
  }

  /** Containers ready to hand out. */
  get size(): number {
    return this.ready.length;
  }

  /** Takes a ready container (skipping any whose supervisor died) and starts a refill. */
  take(): Launched | undefined {
    let warm: Launched | undefined;
    while ((warm = this.ready.shift())) {
      if (warm.session.alive) break;
      void this.deps.dispose(warm);
    }
    this.deps.onSizeChange(this.ready.length);
    this.scheduleFill();
    return warm;
  }

  /** Fills after the refill delay (one pending timer at most). */
  private scheduleFill(): void {
    if (this.refillTimer || this.closed) return;
    this.refillDue = new Promise((resolve) => {
      this.refillDone = resolve;
      this.refillTimer = setTimeout(() => {
        this.refillTimer = null;
        this.fill();
        resolve();
      }, this.deps.refillDelayMs);
    });
  }

  /** Starts filling up to the target size in the background (no-op if already filling). */
  fill(): void {
    if (this.filling || this.closed || this.deps.size === 0) return;
    this.filling = this.loop().finally(() => (this.filling = null));
  }

  /** Resolves when the current fill finishes (tests and benchmarks wait for a full pool). */
  async whenFilled(): Promise<void> {
    while (this.filling || this.refillTimer) {
      if (this.refillTimer) await this.refillDue;
      if (this.filling) await this.filling;
    }
  }

  private async loop(): Promise<void> {
    let failures = 0;
    while (!this.closed && this.ready.length < this.deps.size) {
      try {
        const warm = await this.deps.launch();
        if (this.closed) {
          await this.deps.dispose(warm);
          return;
        }
        this.ready.push(warm);
        warm.session.onClose(() => {
          const index = this.ready.indexOf(warm);
          if (index >= 0) {
            this.ready.splice(index, 1);
            this.deps.onSizeChange(this.ready.length);
            void this.deps.dispose(warm);
            this.scheduleFill();
          }
        });
        this.deps.onSizeChange(this.ready.length);
        failures = 0;
      } catch (err) {
        this.deps.onError(err);
        failures += 1;
        if (failures >= 5) return; // give up until the next take(); a broken engine must not spin
        await new Promise((r) => setTimeout(r, 500 * failures));
      }
    }
  }

  /** Stops refilling and removes every ready container. */
  async close(): Promise<void> {
    this.closed = true;
    if (this.refillTimer) clearTimeout(this.refillTimer);
    this.refillTimer = null;
    this.refillDone();
    await this.filling;
    const ready = this.ready.splice(0);
    this.deps.onSizeChange(0);
    await Promise.all(ready.map((warm) => this.deps.dispose(warm)));
  }
}
