/**
 * Starting once the Docker engine answers. A runner may come up before its engine (a host reboot, an
 * engine restart or upgrade): instead of exiting, to be restarted in a loop by its orchestrator, it
 * serves at once, refuses what needs the engine with 503 `docker_unavailable` and `Retry-After`, and
 * runs its start-up as soon as the engine answers, again with backoff until that start-up succeeds.
 */
import type { FastifyBaseLogger } from 'fastify';

/** What a deferred start needs. */
export interface DeferredStartOptions {
  /** Whether the engine answers now. */
  engineAnswers: () => Promise<boolean>;
  /** The start-up that needs the engine; it must be safe to run again after it failed. */
  startUp: () => Promise<void>;
  log: FastifyBaseLogger;
  /** First wait between attempts; it doubles after each failed start-up. */
  retryMs: number;
  /** Longest wait between attempts. */
  maxRetryMs: number;
}

/** Runs `startUp` once the engine answers, until it succeeds or {@link DeferredStart.stop} is called. */
export class DeferredStart {
  private readonly opts: DeferredStartOptions;
  private timer: NodeJS.Timeout | undefined;
  private attempt: Promise<void> | undefined;
  private delayMs: number;
  private stopped = false;

  constructor(opts: DeferredStartOptions) {
    this.opts = opts;
    this.delayMs = opts.retryMs;
  }

  /** Schedules the first attempt. */
  begin(): void {
    this.schedule(this.opts.retryMs);
  }

  private schedule(delayMs: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.attempt = this.tryStart();
    }, delayMs);
    this.timer.unref(); // a runner closing while it waits must not be kept alive by the wait
  }

  private async tryStart(): Promise<void> {
    // While the engine is down, asking it again is cheap: the wait stays short so the runner is back soon.
    if (!(await this.opts.engineAnswers())) return this.schedule(this.opts.retryMs);
    try {
      await this.opts.startUp();
    } catch (err) {
      // The engine answers but the start-up failed (a missing image, a host that cannot make disks):
      // an operator must act, so the retries slow down instead of filling the log.
      this.opts.log.error({ err, retryInMs: this.delayMs }, 'the runner could not start; trying again');
      this.schedule(this.delayMs);
      this.delayMs = Math.min(this.delayMs * 2, this.opts.maxRetryMs);
    }
  }

  /** Cancels the next attempt and waits for one in flight. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.attempt;
  }
}
