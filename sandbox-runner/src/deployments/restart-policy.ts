/**
 * When a published app that crashed is started again: at once at first, then with a growing pause,
 * and not at all after too many crashes in a short while (a crash loop is reported, not spun forever).
 */

/** Crashes within {@link WINDOW_MS} after which the runner stops restarting the app. */
export const MAX_RESTARTS = 5;
const WINDOW_MS = 60_000;
const FIRST_DELAY_MS = 250;
const MAX_DELAY_MS = 4000;

export class RestartPolicy {
  private crashes: number[] = [];

  /** Restarts since the version went live (for the info). */
  total = 0;

  /** Records a crash at `now`; the pause before restarting, or null when the app is to stay down. */
  next(now: number): number | null {
    this.crashes = this.crashes.filter((t) => now - t < WINDOW_MS);
    if (this.crashes.length >= MAX_RESTARTS) return null;
    this.crashes.push(now);
    this.total += 1;
    return Math.min(MAX_DELAY_MS, FIRST_DELAY_MS * 2 ** (this.crashes.length - 1));
  }

  /** A new version went live, or the user started it again: the count starts over. */
  reset(): void {
    this.crashes = [];
    this.total = 0;
  }
}
