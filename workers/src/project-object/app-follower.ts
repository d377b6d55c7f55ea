/**
 * The preview follows the project. Once the agents have started the app, every change of the current
 * branch's files (an agent's step, a user's save, a rollback or a roll forward) is brought to the
 * running app, which restarts (a dev server that watches its files reloads by itself), and viewers are
 * told with `app` events: updating, then running (the pane reloads) or failed (with the app's output).
 *
 * Refreshes are debounced (changes close together make one), run one at a time beside the pipeline
 * (never holding up its steps), and what the app was last given is kept in storage, so an object evicted
 * mid-refresh catches up when it wakes (a watchdog schedule stays until the refresh is done).
 */
import type { AppChanges, AppRefreshed } from '../core/agents/app-port.ts';
import type { SandboxFile } from '../core/ports.ts';
import { describeError, log } from '../platform/logger.ts';
import type { AppState, EventBody } from '../protocol.ts';
import { withSyncMarker, type AppRecipe, type PreviewPort } from './preview.ts';
import type { Scheduler } from './scheduler.ts';
import type { FileStore } from './storage/files.ts';
import type { ObjectMeta } from './storage/meta.ts';

/** Changes this close together make one refresh. */
const DEBOUNCE_MS = 300;
/** A refresh not finished by then (the object was evicted) is tried again. */
const WATCHDOG_MS = 120_000;
/** Output of a failed start shown in its event. */
const FAILURE_LOG_CHARS = 1_500;
/** Problems of a page check shown in its event. */
const MAX_CHECK_PROBLEMS = 20;

/**
 * Files no app loads into its memory: Markdown and plain text (the README the TechnicalWriter writes
 * last, notes). Written without a restart; a server that serves them from disk serves the new text.
 */
function isDocumentation(path: string): boolean {
  return /\.(md|markdown|txt)$/i.test(path);
}

export interface AppFollowerDeps {
  /** Keeps what the app was last given (`appSync`). */
  meta: ObjectMeta;
  files: FileStore;
  scheduler: Scheduler;
  emit: (event: EventBody) => void;
  now: () => number;
  /** The current branch. */
  branch: () => number;
  /** The current branch's files in full. */
  currentFiles: () => SandboxFile[];
  /** The pipeline's app port (absent: apps cannot run here). */
  port: () => PreviewPort | undefined;
  /** How the agents last started the app (null: they have not), from the event log. */
  lastAppStart: () => AppRecipe | null;
}

export class AppFollower {
  private readonly deps: AppFollowerDeps;
  private refreshing: Promise<void> | null = null;
  /** Changes arrived while a refresh ran: another follows it. */
  private again = false;
  /** The project is being deleted: nothing is written or said any more. */
  private stopped = false;

  constructor(deps: AppFollowerDeps) {
    this.deps = deps;
  }

  /**
   * At wake: an app started before the follower existed gets its record (one look at the event log per
   * wake; from then on, a change costs one row read, whatever the log's size).
   */
  wake(): void {
    if (!this.deps.meta.appSync() && this.deps.lastAppStart()) this.started();
  }

  /** Something the app runs changed (files, or the branch): refresh soon, once the app was started. */
  changed(): void {
    if (this.stopped || !this.deps.meta.appSync()) return;
    this.deps.scheduler.at('app', this.deps.now() + DEBOUNCE_MS);
  }

  /** The agents (re)started the app with the files as they are now: that is what it runs. */
  started(): void {
    const { meta, files } = this.deps;
    meta.setAppSync({ branch: this.deps.branch(), rev: files.currentRev(), state: 'running' });
  }

  /**
   * Someone opened the preview and the app answered (started again when it had stopped or failed). A
   * pane that said otherwise now says it runs. What the app was given is left as it was: changes not
   * yet brought to it still are, by the next refresh.
   */
  opened(): void {
    if (this.stopped) return;
    const before = this.deps.meta.appSync();
    if (!before || before.state === 'running') return;
    this.deps.meta.setAppSync({ ...before, state: 'running' });
    this.say('running', 'The app is running again.', false);
  }

  /** Runs a due refresh beside whatever else the object does (the caller does not wait for it). */
  run(): Promise<void> {
    if (this.refreshing) {
      this.again = true;
      return this.refreshing;
    }
    this.refreshing = this.refresh()
      .catch((err: unknown) => log.warn('app refresh failed', describeError(err)))
      .finally(() => {
        this.refreshing = null;
        if (this.again) {
          this.again = false;
          void this.run();
        }
      });
    return this.refreshing;
  }

  /** Waits for a refresh in flight (tests, teardown). */
  async settle(): Promise<void> {
    while (this.refreshing) await this.refreshing;
  }

  /** Stops for good (the object's storage is going away); a refresh in flight drops its result. */
  stop(): Promise<void> {
    this.stopped = true;
    this.again = false;
    return this.settle();
  }

  private async refresh(): Promise<void> {
    if (this.stopped) return;
    const { meta, files, scheduler } = this.deps;
    const app = this.deps.lastAppStart();
    const port = this.deps.port();
    if (!app || !port) return;
    const branch = this.deps.branch();
    const rev = files.currentRev();
    const synced = meta.appSync();
    if (synced && synced.branch === branch && synced.rev === rev) return;
    scheduler.atLatest('app', this.deps.now() + WATCHDOG_MS);

    const changes = this.changesSince(synced, branch);
    // Documentation alone changes nothing the app shows: it is written, quietly.
    const visible = changes.restart && synced?.state !== 'stopped';
    if (visible) this.say('updating', 'Updating the app with the latest changes…', false);
    let result: AppRefreshed;
    try {
      result = await port.refresh(app, changes, () => withSyncMarker(this.deps.currentFiles(), branch));
    } catch (err) {
      log.warn('app refresh failed', describeError(err));
      result = { state: 'failed', logs: 'The sandbox could not be reached; the next change tries again.' };
    }
    if (this.stopped) return;
    meta.setAppSync({ branch, rev, state: result.state });
    if (changes.restart || result.state !== 'running') {
      this.report(result, synced?.state ?? null);
      if (result.state === 'running') await this.check(port, app.port);
    }
    scheduler.cancel('app');
    // Changes that arrived meanwhile are the next refresh's.
    if (files.currentRev() !== rev || this.deps.branch() !== branch) this.changed();
  }

  /** What the app needs: only the changed paths on the same branch, else the whole tree. */
  private changesSince(synced: { branch: number; rev: number } | null, branch: number): AppChanges {
    const { files } = this.deps;
    if (synced && synced.branch === branch) {
      const changed = files.changedSince(branch, synced.rev);
      return {
        written: changed.flatMap(({ path, deleted }) => {
          const entry = deleted ? null : files.entry(branch, path);
          if (!entry) return [];
          return [
            {
              path,
              content: entry.content,
              ...(entry.binary ? { binary: true } : {}),
              ...(entry.executable ? { executable: true } : {}),
            },
          ];
        }),
        deleted: changed.filter((c) => c.deleted).map((c) => c.path),
        restart: changed.some((c) => !isDocumentation(c.path)),
      };
    }
    // Another branch (a rollback or a roll forward): every file, and the old tree's extra files removed.
    const tree = withSyncMarker(this.deps.currentFiles(), branch);
    const kept = new Set(tree.map((f) => f.path));
    const before = synced ? files.list(synced.branch).map((f) => f.path) : [];
    return { written: tree, deleted: before.filter((path) => !kept.has(path)), restart: true };
  }

  private report(result: AppRefreshed, before: AppState | null): void {
    if (result.state === 'running') {
      this.say(
        'running',
        result.restarted
          ? 'The app restarted with the latest changes.'
          : "The app's dev server picked up the latest changes.",
        result.restarted,
      );
    } else if (result.state === 'failed') {
      const output = result.logs.trim().slice(-FAILURE_LOG_CHARS);
      this.say(
        'failed',
        `The app did not start with the latest changes.${output ? `\n${output}` : ''}`,
        false,
      );
    } else if (before !== 'stopped') {
      this.say('stopped', 'The app is not running. Open the preview to start it again.', false);
    }
  }

  /** Looks at the page the app now serves, and says what the check found. */
  private async check(port: PreviewPort, appPort: number): Promise<void> {
    let check;
    try {
      check = await port.check(appPort);
    } catch (err) {
      log.warn('page check failed to run', describeError(err));
      return;
    }
    if (this.stopped) return;
    this.deps.emit({
      type: 'app.check',
      status: check.status,
      summary: check.summary,
      problems: check.problems.slice(0, MAX_CHECK_PROBLEMS),
    });
  }

  private say(state: AppState, message: string, reload: boolean): void {
    this.deps.emit({ type: 'app', state, message, reload });
  }
}
