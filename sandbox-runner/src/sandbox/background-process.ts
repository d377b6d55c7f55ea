/** One background process of a sandbox: what it is, its bounded log, and how it ended. */
import type { ProcessInfo, ProcessLogsResponse } from '../contract.ts';
import { ProcessLog } from './process-log.ts';

export class BackgroundProcess {
  readonly id: string;
  readonly name: string;
  readonly command: string;
  readonly startedAt = new Date();
  readonly log: ProcessLog;
  channel = -1;
  endedAt: Date | null = null;
  exitCode: number | null = null;
  signal: string | null = null;
  private waiters: (() => void)[] = [];

  constructor(id: string, name: string, command: string, logBytes: number) {
    this.id = id;
    this.name = name;
    this.command = command;
    this.log = new ProcessLog(logBytes);
  }

  get running(): boolean {
    return this.endedAt === null;
  }

  /** Wakes log readers waiting for output or the exit. */
  notify(): void {
    for (const wake of this.waiters.splice(0)) wake();
  }

  /** Resolves on new output, the exit, or after `ms`. */
  wait(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.waiters.push(done);
    });
  }

  info(): ProcessInfo {
    return {
      id: this.id,
      name: this.name,
      command: this.command,
      status: this.running ? 'running' : 'exited',
      exitCode: this.exitCode,
      signal: this.signal,
      startedAt: this.startedAt.toISOString(),
      endedAt: this.endedAt?.toISOString() ?? null,
      logBytes: this.log.total,
    };
  }

  /** Output from `offset`, waiting up to `waitMs` for some if there is none yet and it still runs. */
  async logs(offset: number, limit: number, waitMs: number): Promise<ProcessLogsResponse> {
    if (waitMs > 0 && offset >= this.log.total && this.running) await this.wait(waitMs);
    const { data, offset: from, skipped } = this.log.read(offset, limit);
    return {
      data: data.toString('utf8'),
      offset: from,
      nextOffset: from + data.length,
      skippedBytes: skipped,
      process: this.info(),
    };
  }
}
