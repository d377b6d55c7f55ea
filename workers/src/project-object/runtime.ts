/**
 * One project's services inside its Durable Object, composed: storage, the event sink and the viewers,
 * the scheduler, the engine and its controls, the Postgres sync. The Durable Object class only turns
 * platform events into calls of this.
 */
import { RunControls, type ControlResult } from '../core/control.ts';
import { Engine } from '../core/engine.ts';
import { refusal, type Outcome, type Refusal } from '../core/refusal.ts';
import type { Clock, Ids, LlmUsage } from '../core/ports.ts';
import type { Bindings } from '../env.ts';
import { providerSpellings, type ProviderId } from '../llm/models.ts';
import { costAt, customPrice, type OwnPrice } from '../llm/pricing.ts';
import { describeError, log } from '../platform/logger.ts';
import { textIssues } from '../text-rule.ts';
import {
  ClientMessage,
  type ChatKind,
  type ControlAction,
  type EventBody,
  type HelloFrame,
  type ReviewVerdict,
  type RunSnapshot,
} from '../protocol.ts';
import { GitHistory, repositoryRefs } from '../git/history.ts';
import { advertiseRefs, uploadPack } from '../git/upload-pack.ts';
import { AppFollower } from './app-follower.ts';
import { AutoPush } from './auto-push.ts';
import { FilesApi } from './files-api.ts';
import { LiveHub } from './hub.ts';
import { OutsideCalls } from './outside-calls.ts';
import { PgSync } from './pg-sync.ts';
import { lastAppStart, openPreview, type PreviewPort, type PreviewResult } from './preview.ts';
import { PublicationWatch } from './publication-watch.ts';
import { publishSource, type PublishSource } from './publish-source.ts';
import {
  RemoteSync,
  type PullReport,
  type PushReport,
  type RemoteOutcome,
  type RemoteTarget,
} from './remote-sync.ts';
import { bindPipeline } from './composition-root.ts';
import { Scheduler } from './scheduler.ts';
import { spendingRefusal, spendsOnLlm } from './spending-limit.ts';
import type { SqlJournal } from './storage/journal.ts';
import type { ProjectInfo } from './storage/meta.ts';
import { openProjectStorage, type ProjectStorage } from './storage/open.ts';
import { durableObjectSql } from './storage/sql.ts';

/** How long one alarm keeps running steps before it hands over to the next alarm. */
const SLICE_MS = 2_000;
/** If the object dies mid-step, this alarm (set before each slice) resumes the run. */
const WATCHDOG_MS = 30_000;
/** How long a shutdown waits for the step in flight to give up. */
const SHUTDOWN_STEP_MS = 5_000;
/** How long it waits for outside calls already sent (a sandbox being created answers within this). */
const SHUTDOWN_CALLS_MS = 30_000;
/** Largest frame a viewer may send (a reviewed file sent back edited is the largest). */
const MAX_FRAME_CHARS = 256 * 1024;

/**
 * The refusal of an object that does not know its project yet (one made before the Worker told objects
 * their facts on creation): `field: 'project'` tells the Worker to push them and ask again.
 */
export const NOT_SET_UP: Refusal = refusal('conflict', 'The project is not set up yet.', 'project');

const clock: Clock = { now: () => Date.now() };
/** Resolves in a later turn of the object's event loop, once what this one wrote is stored and sent. */
const nextTurn = () => new Promise<void>((resolve) => setTimeout(resolve, 0));
const ids: Ids = { next: (prefix) => `${prefix}_${crypto.randomUUID()}` };

/** A text-rule issue in zod's shape, for {@link summarize}. */
function asIssue(issue: { path: string; message: string }): { path: PropertyKey[]; message: string } {
  return { path: issue.path ? issue.path.split('.') : [], message: issue.message };
}

function summarize(issues: { path: PropertyKey[]; message: string }[]): string {
  return issues
    .slice(0, 3)
    .map((i) => (i.path.length ? `${i.path.join('.')}: ${i.message}` : i.message))
    .join('; ');
}

export class ProjectRuntime {
  readonly storage: ProjectStorage;
  readonly journal: SqlJournal;
  readonly hub: LiveHub;
  readonly scheduler: Scheduler;
  readonly pg: PgSync;
  readonly filesApi: FilesApi;
  readonly app: AppFollower;
  /** The project's history as git commits, written after each step. */
  readonly git: GitHistory;
  /** The gate of the project's LLM, sandbox-runner and git remote calls, closed by `shutdown`. */
  readonly outside = new OutsideCalls();
  /** Push and pull between the history and the project's remote repository. */
  readonly remote: RemoteSync;
  /** The push after each completed task. */
  readonly autoPush: AutoPush;
  /** In a fleet: the published app moves when its runner is lost. */
  readonly publication: PublicationWatch;
  private readonly ctx: DurableObjectState;
  private readonly env: Bindings;
  private bound: { engine: Engine; controls: RunControls; preview: PreviewPort | undefined } | null = null;
  private pumping: Promise<void> | null = null;
  /** A step of the running slice completed: the history is written when the slice ends. */
  private historyDue = false;
  /** Set by `shutdown`: this instance's storage is going away and it must not touch it again. */
  private closed = false;

  constructor(ctx: DurableObjectState, env: Bindings) {
    this.ctx = ctx;
    this.env = env;
    this.storage = openProjectStorage(durableObjectSql(ctx.storage), {
      clock,
      broadcast: (frames) => this.hub.broadcast(frames),
      onLogged: (event) => this.observe(event),
      onOutbox: () => this.pg.kick(),
    });
    this.journal = this.storage.journal;
    this.hub = new LiveHub(ctx, this.storage.log);
    this.scheduler = new Scheduler(this.storage.schedules, ctx.storage);
    this.pg = new PgSync({
      env,
      outbox: this.storage.outbox,
      journal: this.journal,
      files: this.storage.files,
      calls: this.storage.calls,
      retryAt: (at) => this.scheduler.atLatest('sync', at),
    });
    this.filesApi = new FilesApi(this.storage.files, this.journal, this.storage.sink);
    this.git = new GitHistory(this.storage.git, () => this.journal.project()?.ownerId ?? 'user');
    this.remote = new RemoteSync({
      git: this.git,
      store: this.storage.git,
      journal: this.journal,
      files: this.storage.files,
      sink: this.storage.sink,
      outside: this.outside,
    });
    this.autoPush = new AutoPush({
      env,
      journal: this.journal,
      sink: this.storage.sink,
      sync: this.remote,
      retryAt: (at) => this.scheduler.atLatest('push', at),
    });
    this.app = new AppFollower({
      meta: this.storage.meta,
      files: this.storage.files,
      scheduler: this.scheduler,
      emit: (event) => this.storage.sink.emit(event),
      now: clock.now,
      branch: () => this.journal.run().branch,
      currentFiles: () => this.filesApi.currentFiles(),
      port: () => this.engine()?.preview,
      lastAppStart: () => lastAppStart(this.storage.log),
    });
    this.publication = new PublicationWatch({
      env,
      projectId: () => this.journal.project()?.projectId ?? null,
      placement: this.storage.placement.deployment,
      scheduler: this.scheduler,
      source: () => this.publishSource(),
      fetch: this.outside.fetch,
      now: clock.now,
    });
  }

  /** Logged events that concern the running app: it follows the files and knows when it was started. */
  private observe(event: EventBody): void {
    if (event.type === 'files.changed' || event.type === 'branch.created') this.app.changed();
    else if (event.type === 'artifact' && event.kind === 'preview') this.app.started();
    // Told inside the step's transaction: the commit is written once it has committed, in a turn of
    // its own, so that its hashing does not hold back the step's events on their way to the viewers.
    // Steps of a slice get theirs when the slice ends: hashing a large tree (about 18 ms at 2,000
    // files) between steps would hold back the next one. A clone or a push catches up first anyway.
    if (event.type === 'step.completed') {
      if (this.pumping) this.historyDue = true;
      else setTimeout(() => this.writeHistory(), 0);
    }
    // Stored with the task's completion; the alarm is pointed at it once the transaction is over.
    if (event.type === 'task' && event.status === 'completed') {
      this.storage.schedules.setEarliest('push', clock.now());
      queueMicrotask(() => this.scheduler.arm());
    }
  }

  /** Pushes the current branch's head to the remote branch (the token is the caller's, for this call). */
  pushToRemote(target: RemoteTarget): Promise<RemoteOutcome<PushReport>> {
    return this.remote.push(target);
  }

  /** Pulls the remote branch in as one user's step, or answers its conflicts (nothing changed then). */
  pullFromRemote(target: RemoteTarget): Promise<RemoteOutcome<PullReport>> {
    return this.remote.pull(target);
  }

  /** Writes the history's commits for what is done (a failure is logged; the next step catches up). */
  private writeHistory(): void {
    if (this.closed) return;
    this.ctx.waitUntil(
      this.git.catchUp().then(
        () => undefined,
        (err: unknown) => log.warn('git history not written', describeError(err)),
      ),
    );
  }

  /** The answer to git's ref discovery (`info/refs?service=git-upload-pack`): the history caught up first. */
  async gitAdvertisement(): Promise<Uint8Array> {
    await this.git.complete();
    return advertiseRefs(repositoryRefs(this.storage.git, this.journal.run().branch));
  }

  /** The answer to a `git-upload-pack` request (a clone's or fetch's negotiation and pack). */
  async gitUploadPack(body: Uint8Array): Promise<Uint8Array> {
    await this.git.complete();
    return uploadPack(this.storage.git, repositoryRefs(this.storage.git, this.journal.run().branch), body);
  }

  /**
   * Brings storage up to date and re-arms work left by a previous instance. Runs inside
   * `blockConcurrencyWhile`: nothing else runs before it.
   */
  async wake(): Promise<void> {
    this.storage.migrate();
    this.app.wake();
    this.hub.autoRespondToPings();
    await this.scheduler.load();
    const run = this.journal.run();
    // A fresh instance runs no step: a run marked running was interrupted (eviction, crash, deploy).
    if (run.status === 'running') this.scheduler.atLatest('run', clock.now());
    if (this.storage.outbox.pending() > 0 && this.pg.enabled) this.scheduler.atLatest('sync', clock.now());
  }

  private engine(): { engine: Engine; controls: RunControls; preview: PreviewPort | undefined } | null {
    if (this.bound) return this.bound;
    const project = this.journal.project();
    if (!project) return null;
    const outside = this.outside;
    const binding = bindPipeline(project.pipeline, {
      env: this.env,
      project,
      onLlmCall: () => this.storage.meta.countLlmCall(),
      fetch: outside.fetch,
      placement: this.storage.placement.sandbox,
      emit: (event) => {
        if (!this.closed) this.storage.sink.emit(event);
      },
    });
    if (!binding) return null;
    const engine = new Engine(
      {
        journal: this.journal,
        sink: this.storage.sink,
        clock,
        ids,
        // Every pipeline's model calls pass the gate: none starts once the project is being deleted.
        llm: {
          complete: (request) => outside.run(() => binding.llm.complete(request)),
          ...(binding.llm.window ? { window: binding.llm.window } : {}),
        },
        sandbox: binding.sandbox,
        pipeline: binding.pipeline,
      },
      this.storage.meta.guards(),
    );
    this.bound = { engine, controls: new RunControls(engine), preview: binding.preview };
    return this.bound;
  }

  /** LLM calls actually made over the object's life (replayed calls are not counted). */
  llmCallsMade(): number {
    return this.storage.meta.llmCallsMade();
  }

  /**
   * The owner set, changed or removed their own price for a model: its calls here are priced again,
   * viewers see the new totals and Postgres (the project row, the ledger) follows. True when any changed.
   */
  reprice(provider: ProviderId, model: string, price: OwnPrice | null): boolean {
    const costOf = price ? (usage: LlmUsage) => costAt(customPrice(price), usage) : null;
    return this.journal.atomic(() => {
      const totals = this.journal.repriceCalls(providerSpellings(provider), model, costOf);
      if (!totals) return false;
      this.storage.sink.emit({ type: 'usage', totals });
      this.journal.syncProject();
      return true;
    });
  }

  // -- project and controls -------------------------------------------------------------------------

  /** Whether the Worker has told this object its project's facts. */
  hasProject(): boolean {
    return this.journal.project() !== null;
  }

  /** The project's facts, new or changed (see `ProjectObject.setProject`). */
  setProject(info: ProjectInfo, guards?: Record<string, number>): void {
    this.journal.setProject(info);
    if (guards) this.storage.meta.setGuards(guards);
    // The budget or the guards may have changed: build the engine again at next use.
    if (!this.pumping && !this.bound?.engine.runningStepId) this.bound = null;
    const bound = this.engine();
    if (bound) this.after(bound.controls.settingsChanged());
  }

  private after(result: ControlResult): ControlResult {
    if (result.ok && result.pump) this.scheduler.at('run', clock.now());
    return result;
  }

  private unattached(): ControlResult {
    return NOT_SET_UP;
  }

  control(action: ControlAction): ControlResult {
    const bound = this.engine();
    return bound ? this.after(bound.controls.control(action)) : this.unattached();
  }

  answer(questionId: string, answer: string): ControlResult {
    const bound = this.engine();
    return bound ? this.after(bound.controls.answer(questionId, answer)) : this.unattached();
  }

  chat(text: string, kind: ChatKind): ControlResult {
    const bound = this.engine();
    return bound ? this.after(bound.controls.chat(text, kind)) : this.unattached();
  }

  review(questionId: string, verdict: ReviewVerdict): ControlResult {
    const bound = this.engine();
    return bound ? this.after(bound.controls.review(questionId, verdict)) : this.unattached();
  }

  /** A fresh preview link of the project's app (see preview.ts); the app follower learns it runs. */
  /** What publishing the app takes: the current branch's files and how the agents last started it. */
  publishSource(): Outcome<PublishSource> {
    if (!this.engine()) return NOT_SET_UP;
    return publishSource(lastAppStart(this.storage.log), () => this.filesApi.currentFiles());
  }

  async openPreview(): Promise<PreviewResult> {
    const bound = this.engine();
    if (!bound) return NOT_SET_UP;
    const result = await openPreview({
      log: this.storage.log,
      port: bound.preview,
      branch: this.journal.run().branch,
      files: () => this.filesApi.currentFiles(),
    });
    if (result.ok && !this.closed) this.app.opened();
    return result;
  }

  rollback(stepId: number): ControlResult {
    const bound = this.engine();
    return bound ? this.after(bound.controls.rollback(stepId)) : this.unattached();
  }

  /** Tries a failed or skipped task again (see `RunControls.retry`). */
  retry(taskId: string): ControlResult {
    const bound = this.engine();
    return bound ? this.after(bound.controls.retry(taskId)) : this.unattached();
  }

  snapshot(): RunSnapshot {
    const run = this.journal.run();
    const active = this.journal.activeStep();
    const open = this.journal.openQuestion();
    return {
      status: run.status,
      reason: run.reason,
      mode: run.mode,
      branch: run.branch,
      currentStep: active ? { stepId: active.id, agent: active.ref.agent, title: active.ref.title } : null,
      openQuestion: open
        ? {
            questionId: open.id,
            stepId: open.stepId,
            text: open.text,
            options: open.options,
            default: open.default,
          }
        : null,
      totals: run.totals,
    };
  }

  // -- alarm ----------------------------------------------------------------------------------------

  async alarm(): Promise<void> {
    if (this.closed) return;
    this.scheduler.fired();
    const due = this.scheduler.takeDue(clock.now());
    const work: Promise<void>[] = [];
    if (due.includes('sync'))
      work.push(this.pg.flush().catch((err: unknown) => log.warn('sync', describeError(err))));
    if (due.includes('run')) work.push(this.pump());
    if (due.includes('push'))
      work.push(this.autoPush.run().catch((err: unknown) => log.warn('push after task', describeError(err))));
    // Not waited for: a restart of the app must not hold up the pipeline's next slice.
    if (due.includes('app')) void this.app.run();
    // Nor a publish on another runner (it installs the app there).
    if (due.includes('publication')) void this.publication.run();
    await Promise.all(work);
    this.scheduler.arm();
  }

  /** Runs steps for one slice of time, then leaves the rest to the next alarm. */
  pump(): Promise<void> {
    if (this.closed) return Promise.resolve();
    const bound = this.engine();
    if (!bound || this.pumping) return Promise.resolve();
    this.pumping = this.slice(bound.engine).finally(() => {
      this.pumping = null;
      if (this.historyDue) {
        this.historyDue = false;
        this.writeHistory();
      }
    });
    return this.pumping;
  }

  private async slice(engine: Engine): Promise<void> {
    const started = clock.now();
    this.scheduler.at('run', started + WATCHDOG_MS);
    try {
      for (;;) {
        const outcome = await engine.runNext();
        if (this.closed) return;
        if (outcome.kind === 'continue') {
          // Watched, the step's events leave before the next step begins: the runtime holds a turn's
          // messages until its writes are stored, so they would wait for the next step's start too
          // (its checkpoint, its context, its first call). The break costs about 2 ms a step (a turn
          // of its own, a commit, a second message to each viewer), nothing beside a model's answer;
          // nobody watching, it is not taken.
          if (this.hub.count() > 0) {
            this.storage.sink.flushBroadcasts();
            await nextTurn();
          }
          if (clock.now() - started < SLICE_MS) continue;
          this.scheduler.at('run', clock.now());
        } else if (outcome.kind === 'retry') {
          this.scheduler.at('run', clock.now() + outcome.delayMs);
        } else if (outcome.kind === 'busy') {
          this.scheduler.at('run', clock.now() + 50);
        } else if (this.journal.run().status === 'running') {
          // A control made the run go on while the last step finished: continue at once.
          this.scheduler.at('run', clock.now());
        } else {
          this.scheduler.cancel('run');
        }
        break;
      }
    } catch (err) {
      if (this.closed) return;
      // A storage failure or a bug: the watchdog schedule stays, so the run is retried later.
      log.error('step engine failed', describeError(err));
      this.scheduler.at('run', clock.now() + 5_000);
    }
  }

  // -- viewers --------------------------------------------------------------------------------------

  hello(): HelloFrame {
    return {
      type: 'hello',
      projectId: this.journal.project()?.projectId ?? '',
      lastSeq: this.storage.log.lastSeq(),
      run: this.snapshot(),
    };
  }

  accept(userId: string, after: number | null, batch: boolean): Response {
    // Events logged but not yet broadcast go out first: the replay below already includes them.
    this.storage.sink.flushBroadcasts();
    return this.hub.accept(userId, this.hello(), after, batch);
  }

  /** A frame from a viewer: checked, then dispatched; a bad one gets an error frame. */
  async onSocketMessage(ws: WebSocket, data: string | ArrayBuffer): Promise<void> {
    if (typeof data !== 'string') return this.hub.sendError(ws, 'bad_frame', 'Frames must be JSON text.');
    if (data.length > MAX_FRAME_CHARS) {
      return this.hub.sendError(ws, 'bad_frame', `Frames are limited to ${MAX_FRAME_CHARS} characters.`);
    }
    let json: unknown;
    try {
      json = JSON.parse(data);
    } catch {
      return this.hub.sendError(ws, 'bad_frame', 'The frame is not valid JSON.');
    }
    const parsed = ClientMessage.safeParse(json);
    if (!parsed.success) return this.hub.sendError(ws, 'bad_frame', summarize(parsed.error.issues));
    const text = textIssues(parsed.data);
    if (text.length > 0) return this.hub.sendError(ws, 'bad_frame', summarize(text.map(asIssue)));
    const msg = parsed.data;
    if (spendsOnLlm(msg)) {
      const refusal = await spendingRefusal(this.env, this.hub.userOf(ws));
      if (refusal) return this.hub.sendError(ws, 'rate_limited', refusal);
    }
    let result: ControlResult;
    switch (msg.type) {
      case 'ping':
        return this.hub.sendPong(ws);
      case 'resume':
        this.storage.sink.flushBroadcasts();
        return this.hub.replay(ws, msg.after, msg.batch ?? false);
      case 'answer':
        result = this.answer(msg.questionId, msg.answer);
        break;
      case 'review':
        result = this.review(msg.questionId, msg.verdict);
        break;
      case 'chat':
        result = this.chat(msg.text, msg.kind);
        break;
      case 'control':
        result = this.control(msg.action);
        break;
      case 'rollback':
        result = this.rollback(msg.stepId);
        break;
      case 'retry':
        result = this.retry(msg.taskId);
        break;
    }
    if (!result.ok) this.hub.sendError(ws, result.code, result.message);
  }

  // -- teardown -------------------------------------------------------------------------------------

  /**
   * Stops everything in memory for good: no LLM or sandbox-runner call starts from now on, the step in
   * flight is cancelled, and this waits (boundedly) for it and for the calls already sent, so nothing
   * touches the storage that is about to be deleted and no sandbox appears after its caller returns.
   */
  async shutdown(): Promise<void> {
    this.outside.close();
    this.closed = true;
    this.bound?.engine.cancelInFlight();
    this.storage.sink.clear();
    this.scheduler.reset();
    this.publication.stop();
    this.hub.closeAll(1000, 'The project was deleted.');
    const settle = Promise.all([this.pumping, this.pg.settle(), this.app.stop()]);
    await Promise.race([settle, new Promise((r) => setTimeout(r, SHUTDOWN_STEP_MS))]);
    await this.outside.settled(SHUTDOWN_CALLS_MS);
    this.bound = null;
  }
}
