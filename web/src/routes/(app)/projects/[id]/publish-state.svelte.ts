/**
 * The Publish tab's state: the published app (address, status, versions), what the user is doing to it
 * (publishing, rolling back, unpublishing) with its failure, and the app's live log while it is published.
 */
import { describeFailure } from '$lib/api/errors.ts';
import {
  fetchPublication,
  publishApp,
  readPublicationLog,
  rollBackTo,
  unpublishApp,
  type Publication,
} from '$lib/api/publish.ts';

/** How long one log request waits for new output. */
const WAIT_MS = 15_000;
/** Pause after a failed log request, or while the app is not published. */
const IDLE_MS = 3_000;
/** Log kept on screen. */
const MAX_CHARS = 200_000;

export type PublishAction = 'publish' | 'rollback' | 'unpublish';

export class PublishState {
  readonly projectId: string;
  publication = $state<Publication | null>(null);
  loaded = $state(false);
  pending = $state<PublishAction | null>(null);
  error = $state('');
  log = $state('');
  #abort: AbortController | null = null;

  constructor(projectId: string) {
    this.projectId = projectId;
  }

  /** Loads the publication and follows its log until `stop`. */
  start(): void {
    this.stop();
    const abort = new AbortController();
    this.#abort = abort;
    void this.#load(abort.signal);
    void this.#follow(abort.signal);
  }

  stop(): void {
    this.#abort?.abort();
    this.#abort = null;
  }

  async #load(signal: AbortSignal): Promise<void> {
    try {
      this.publication = await fetchPublication(this.projectId, signal);
      this.error = '';
    } catch (err) {
      if (!signal.aborted) this.error = describeFailure(err);
    } finally {
      this.loaded = true;
    }
  }

  async #act(action: PublishAction, run: () => Promise<Publication | null>): Promise<void> {
    if (this.pending) return;
    this.pending = action;
    this.error = '';
    try {
      this.publication = await run();
    } catch (err) {
      this.error = describeFailure(err);
    } finally {
      this.pending = null;
    }
  }

  publish(): Promise<void> {
    return this.#act('publish', () => publishApp(this.projectId));
  }

  rollBack(version: number): Promise<void> {
    return this.#act('rollback', () => rollBackTo(this.projectId, version));
  }

  unpublish(deleteData: boolean): Promise<void> {
    return this.#act('unpublish', async () => {
      await unpublishApp(this.projectId, deleteData);
      this.log = '';
      return null;
    });
  }

  async #follow(signal: AbortSignal): Promise<void> {
    let offset = 0;
    while (!signal.aborted) {
      if (!this.publication) {
        offset = 0;
        await pause(IDLE_MS, signal);
        continue;
      }
      try {
        const out = await readPublicationLog(this.projectId, { offset, waitMs: WAIT_MS }, signal);
        if (out.skippedBytes > 0) this.log += `[… ${out.skippedBytes} bytes of older output …]\n`;
        const text = this.log + out.data;
        this.log = text.length > MAX_CHARS ? text.slice(-MAX_CHARS) : text;
        offset = out.nextOffset;
        // The log notes restarts and switches: the status shown follows them.
        if (out.data.includes('[samokoder]')) await this.#load(signal);
      } catch {
        if (signal.aborted) return;
        await pause(IDLE_MS, signal);
      }
    }
  }
}

function pause(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => (clearTimeout(timer), resolve()), { once: true });
  });
}
