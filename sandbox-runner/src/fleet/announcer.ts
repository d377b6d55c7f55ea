/**
 * The runner's announcements to the fleet registry (see `RunnerAnnouncement` in ../contract.ts): every
 * interval one pipeline `SET samokoder:runner:<id> <json> PX 15000` + `ZADD samokoder:runners <now> <id>`,
 * at once when draining starts or ends or its number of sandboxes changes, and `DEL` + `ZREM` when it stops. The Worker's directory reads
 * them to place projects. A failing registry is logged (once per outage, never with its token) and tried
 * again at the next tick: it never stops the runner, which keeps serving the sandboxes it has.
 */
import { REGISTRY_KEYS, REGISTRY_TTL_MS, type RunnerAnnouncement } from '../contract.ts';
import { pipeline, type RegistryEndpoint } from './registry-client.ts';

export interface AnnouncerLog {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
}

export interface AnnouncerOptions {
  registry: RegistryEndpoint;
  /** The runner as it is now; null while it cannot be reached yet (not listening). */
  describe: () => Omit<RunnerAnnouncement, 'at'> | null;
  intervalMs: number;
  log: AnnouncerLog;
  now?: () => number;
}

/**
 * How often the draining flag and the sandbox count are looked at: a drain, and a sandbox made or
 * destroyed, are announced within this (placements in the same moment then spread over the fleet).
 */
const CHANGE_WATCH_MS = 200;

export class Announcer {
  private readonly opts: AnnouncerOptions;
  private readonly now: () => number;
  private timer: ReturnType<typeof setInterval> | null = null;
  private watcher: ReturnType<typeof setInterval> | null = null;
  private lastDraining: boolean | null = null;
  private lastSandboxes: number | null = null;
  private failing = false;
  private sending: Promise<void> = Promise.resolve();
  private stopped = false;

  constructor(opts: AnnouncerOptions) {
    this.opts = opts;
    this.now = opts.now ?? (() => Date.now());
  }

  /** Announces now, then every interval (and whenever draining changes). */
  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => void this.announce(), this.opts.intervalMs);
    this.timer.unref();
    this.watcher = setInterval(() => {
      const self = this.opts.describe();
      if (!self || this.failing) return;
      if (self.draining !== this.lastDraining || self.sandboxes !== this.lastSandboxes) void this.announce();
    }, CHANGE_WATCH_MS);
    this.watcher.unref();
    void this.announce();
  }

  /** Sends one announcement (one at a time: a slow registry does not pile them up). */
  announce(): Promise<void> {
    this.sending = this.sending.then(() => this.send());
    return this.sending;
  }

  private async send(): Promise<void> {
    if (this.stopped) return;
    const self = this.opts.describe();
    if (!self) return;
    const at = this.now();
    const record: RunnerAnnouncement = { ...self, at };
    try {
      await pipeline(this.opts.registry, [
        ['SET', REGISTRY_KEYS.runner(self.id), JSON.stringify(record), 'PX', REGISTRY_TTL_MS],
        ['ZADD', REGISTRY_KEYS.runners, at, self.id],
      ]);
      if (self.draining !== this.lastDraining) {
        this.opts.log.info(
          { runnerId: self.id, url: self.url, draining: self.draining },
          'announced to the fleet',
        );
      }
      this.lastDraining = self.draining;
      this.lastSandboxes = self.sandboxes;
      if (this.failing) this.opts.log.info({ runnerId: self.id }, 'the fleet registry answers again');
      this.failing = false;
    } catch (err) {
      if (!this.failing) {
        this.opts.log.warn(
          { runnerId: self.id, reason: (err as Error).message },
          'could not announce to the fleet registry: trying again at the next interval',
        );
      }
      this.failing = true;
    }
  }

  /** Stops announcing and removes the runner's record: the Worker stops placing projects here at once. */
  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    if (this.watcher) clearInterval(this.watcher);
    this.timer = this.watcher = null;
    await this.sending;
    this.stopped = true;
    const self = this.opts.describe();
    if (!self) return;
    try {
      await pipeline(this.opts.registry, [
        ['DEL', REGISTRY_KEYS.runner(self.id)],
        ['ZREM', REGISTRY_KEYS.runners, self.id],
      ]);
      this.opts.log.info({ runnerId: self.id }, 'left the fleet registry');
    } catch (err) {
      // Its record expires by itself within the TTL.
      this.opts.log.warn(
        { runnerId: self.id, reason: (err as Error).message },
        'could not leave the fleet registry',
      );
    }
  }
}
