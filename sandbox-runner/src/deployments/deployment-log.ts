/**
 * A published app's log: the output of every version and restart in one bounded log (the newest
 * bytes kept, read by offset like a process's), with the runner's own notes (`[samokoder] ...`) between.
 */
import type { DeploymentLogsResponse } from '../contract.ts';
import { ProcessLog } from '../sandbox/process-log.ts';

export class DeploymentLog {
  private readonly log: ProcessLog;
  private waiters: (() => void)[] = [];

  constructor(capacity: number) {
    this.log = new ProcessLog(capacity);
  }

  append(chunk: Buffer): void {
    this.log.append(chunk);
    for (const wake of this.waiters.splice(0)) wake();
  }

  /** A line of the runner's own, set apart from the app's output. */
  note(text: string): void {
    this.append(Buffer.from(`[samokoder] ${text}\n`));
  }

  /** Output from `offset`, waiting up to `waitMs` for some when there is none yet. */
  async read(offset: number, limit: number, waitMs: number): Promise<DeploymentLogsResponse> {
    if (waitMs > 0 && offset >= this.log.total) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(done, waitMs);
        function done() {
          clearTimeout(timer);
          resolve();
        }
        this.waiters.push(done);
      });
    }
    const { data, offset: from, skipped } = this.log.read(offset, limit);
    return {
      data: data.toString('utf8'),
      offset: from,
      nextOffset: from + data.length,
      skippedBytes: skipped,
    };
  }

  /** The last `bytes` of output, for an error message. */
  tail(bytes: number): string {
    return this.log.read(Math.max(0, this.log.total - bytes), bytes).data.toString('utf8');
  }
}
