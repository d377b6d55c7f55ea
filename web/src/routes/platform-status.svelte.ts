import { describeFailure } from '$lib/api/errors.ts';
import { fetchHealth, type Health } from '$lib/api/health.ts';

export type StatusView =
  | { kind: 'loading' }
  | { kind: 'ready'; health: Health; checkedAt: number }
  | { kind: 'failed'; message: string };

/**
 * The platform status panel's state: the last report (kept on screen while a re-check runs) or why
 * there is none. Only the latest request counts; an older one finishing late is ignored.
 */
export class PlatformStatusState {
  view = $state<StatusView>({ kind: 'loading' });
  checking = $state(false);
  #controller: AbortController | undefined;

  async check(): Promise<void> {
    this.#controller?.abort();
    const controller = new AbortController();
    this.#controller = controller;
    this.checking = true;
    try {
      const health = await fetchHealth(controller.signal);
      if (controller.signal.aborted) return;
      this.view = { kind: 'ready', health, checkedAt: Date.now() };
    } catch (error) {
      if (controller.signal.aborted) return;
      this.view = { kind: 'failed', message: describeFailure(error) };
    } finally {
      if (this.#controller === controller) this.checking = false;
    }
  }

  /** Stop listening for the answer in flight (the panel is going away). */
  dispose(): void {
    this.#controller?.abort();
  }
}
