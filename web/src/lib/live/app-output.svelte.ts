/**
 * Follows the running app's output for the preview's own terminal: long-polls the API from where it
 * left off, starts over (with a marker) when the app restarted, and keeps the last part of a long log.
 */
import { describeFailure } from '$lib/api/errors.ts';
import { readAppOutput, type AppOutput } from '$lib/api/projects.ts';

/** How long one request waits for new output. */
const WAIT_MS = 15_000;
/** Pause before asking again when no app runs, or after a failed request. */
const IDLE_MS = 3_000;
/** Output kept on screen. */
const MAX_CHARS = 200_000;

export class AppOutputFollower {
  text = $state('');
  process = $state<AppOutput['process']>(null);
  error = $state('');
  #abort: AbortController | null = null;

  /** Starts following `projectId`'s app; `stop` (or a new start) ends it. */
  start(projectId: string): void {
    this.stop();
    const abort = new AbortController();
    this.#abort = abort;
    void this.#loop(projectId, abort.signal);
  }

  stop(): void {
    this.#abort?.abort();
    this.#abort = null;
  }

  async #loop(projectId: string, signal: AbortSignal): Promise<void> {
    let offset = 0;
    while (!signal.aborted) {
      try {
        const following = this.process?.id;
        const out = await readAppOutput(
          projectId,
          { ...(following ? { process: following } : {}), offset, waitMs: WAIT_MS },
          signal,
        );
        this.error = '';
        if (out.process && out.process.id !== following) {
          const note = following ? '\n— the app restarted —\n' : '';
          this.text = following ? this.#kept(this.text + note) : '';
        }
        this.process = out.process;
        if (out.skippedBytes > 0) this.text += `[… ${out.skippedBytes} bytes of older output …]\n`;
        this.text = this.#kept(this.text + out.data);
        offset = out.nextOffset;
        if (!out.process || (out.process.status === 'exited' && !out.data)) await pause(IDLE_MS, signal);
      } catch (err) {
        if (signal.aborted) return;
        this.error = describeFailure(err);
        await pause(IDLE_MS, signal);
      }
    }
  }

  #kept(text: string): string {
    return text.length > MAX_CHARS ? text.slice(-MAX_CHARS) : text;
  }
}

function pause(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => (clearTimeout(timer), resolve()), { once: true });
  });
}
