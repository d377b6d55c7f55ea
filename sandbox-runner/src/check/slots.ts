/**
 * At most `max` checks at once, at most `maxQueued` waiting for a turn; beyond that a check is refused
 * at once rather than queued without end (each one holds a browser page, and a caller waits on it).
 */

/** Gives the slot back; calling it again does nothing. */
export type Release = () => void;

export class Slots {
  private readonly max: number;
  private readonly maxQueued: number;
  private active = 0;
  private readonly waiting: ((release: Release) => void)[] = [];

  constructor(max: number, maxQueued: number) {
    this.max = max;
    this.maxQueued = maxQueued;
  }

  get running(): number {
    return this.active;
  }

  get queued(): number {
    return this.waiting.length;
  }

  /**
   * A slot now, or a place in the queue, decided synchronously; undefined when the queue is full.
   * The caller must release what it was given.
   */
  acquire(): Promise<Release> | undefined {
    if (this.active < this.max) {
      this.active += 1;
      return Promise.resolve(this.releaser());
    }
    if (this.waiting.length >= this.maxQueued) return undefined;
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  private releaser(): Release {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const next = this.waiting.shift();
      // The slot passes straight to the next in line: `active` stays the same.
      if (next) next(this.releaser());
      else this.active -= 1;
    };
  }
}
