import { DurableObject } from 'cloudflare:workers';
import type { ControlResult } from '../core/control.ts';
import type { SandboxFile } from '../core/ports.ts';
import type { Bindings } from '../env.ts';
import type { ProviderId } from '../llm/models.ts';
import type { OwnPrice } from '../llm/pricing.ts';
import { describeError, log } from '../platform/logger.ts';
import type { ChatKind, ControlAction, ReviewVerdict, RunSnapshot } from '../protocol.ts';
import type { FileChange } from '../protocol.ts';
import type { FileContent, StepChange, TreeEntry, VersionInfo } from './files-api.ts';
import type { Outcome } from '../core/refusal.ts';
import type { PreviewResult } from './preview.ts';
import type { PublishSource } from './publish-source.ts';
import type { PlacementRecord } from '../sandbox/fleet/fleet-sandbox.ts';
import type { PullReport, PushReport, RemoteOutcome, RemoteTarget } from './remote-sync.ts';
import type { FileDiff } from '../core/diff.ts';
import { NOT_SET_UP, ProjectRuntime } from './runtime.ts';
import { destroyProjectSandboxes } from './sandbox-cleanup.ts';
import type { ImportRecord, ProjectInfo } from './storage/meta.ts';
import type { ImportedFile } from '../projects/import-tree.ts';

/** Header with which the Worker tells the object who the (already authenticated) viewer is. */
export const VIEWER_HEADER = 'x-samokoder-user';

/** Storage key of the tombstone a deleted project's object keeps: it never runs again. */
const DELETED = 'deleted';
const DELETED_RESULT: ControlResult = { ok: false, code: 'conflict', message: 'The project was deleted.' };

export type { ProjectInfo } from './storage/meta.ts';

/**
 * One Durable Object per project: it runs the project's pipeline and keeps its step state (see
 * runtime.ts). This class is a thin shell: platform events and RPC calls become calls of the runtime.
 * The Worker authenticates and checks ownership before it reaches this object.
 */
export class ProjectObject extends DurableObject<Bindings> {
  /** The project's services (public for tests, which reach it through `runInDurableObject`). */
  runtime: ProjectRuntime;
  /** The project was deleted (or its deletion began): nothing may set it up or run it again. */
  private deleted = false;

  constructor(ctx: DurableObjectState, env: Bindings) {
    super(ctx, env);
    this.runtime = new ProjectRuntime(ctx, env);
    // Migrations and re-arming run before any event is delivered to this instance.
    void ctx.blockConcurrencyWhile(async () => {
      this.deleted = (await ctx.storage.get<boolean>(DELETED)) === true;
      await this.runtime.wake();
    });
  }

  /**
   * The facts of the project this object belongs to (owner, mode, budget, models...), told by the Worker
   * when the project is created and whenever a route changes them; false when the project was deleted (a
   * request that raced with the deletion must not bring it back).
   */
  async setProject(project: ProjectInfo, guards?: Record<string, number>): Promise<boolean> {
    if (this.deleted) return false;
    this.runtime.setProject(project, guards);
    return true;
  }

  async control(action: ControlAction): Promise<ControlResult> {
    return this.deleted ? DELETED_RESULT : this.runtime.control(action);
  }

  async answer(questionId: string, answer: string): Promise<ControlResult> {
    return this.deleted ? DELETED_RESULT : this.runtime.answer(questionId, answer);
  }

  async review(questionId: string, verdict: ReviewVerdict): Promise<ControlResult> {
    return this.deleted ? DELETED_RESULT : this.runtime.review(questionId, verdict);
  }

  async chat(text: string, kind: ChatKind): Promise<ControlResult> {
    return this.deleted ? DELETED_RESULT : this.runtime.chat(text, kind);
  }

  async rollback(stepId: number): Promise<ControlResult> {
    return this.deleted ? DELETED_RESULT : this.runtime.rollback(stepId);
  }

  async status(): Promise<RunSnapshot> {
    return this.runtime.snapshot();
  }

  async tree(branch?: number): Promise<Outcome<{ branch: number; files: TreeEntry[] }>> {
    return this.runtime.filesApi.tree(branch);
  }

  async openPreview(): Promise<PreviewResult> {
    if (this.deleted) return { ok: false, code: 'conflict', message: 'The project was deleted.' };
    return this.runtime.openPreview();
  }

  /** The runner the project's sandbox is placed on, in a fleet (null: not placed, or no fleet). */
  async sandboxRunner(): Promise<string | null> {
    return this.runtime.storage.placement.sandbox.get()?.url ?? null;
  }

  /** The runner of the project's published app, in a fleet (null: not published there yet). */
  async deploymentRunner(): Promise<PlacementRecord | null> {
    return this.runtime.storage.placement.deployment.get();
  }

  /** Records the runner the project's app is published on, in a fleet: the fleet's watch is told. */
  async setDeploymentRunner(record: PlacementRecord): Promise<void> {
    if (this.deleted) return;
    this.runtime.storage.placement.deployment.set(record);
    this.runtime.publication.watch();
  }

  /** The project's app is no longer published (in a fleet): no runner to record or watch. */
  async forgetDeploymentRunner(): Promise<void> {
    if (!this.deleted) this.runtime.publication.forget();
  }

  /**
   * The fleet's watch of published apps found `runnerId` gone: true when the project's app is published
   * there, and the object then publishes it again on another runner.
   */
  async runnerLost(runnerId: string): Promise<boolean> {
    return !this.deleted && this.runtime.publication.runnerLost(runnerId);
  }

  /** The files and start command a publish of the app sends to the runner (publish-source.ts). */
  async publishSource(): Promise<Outcome<PublishSource>> {
    if (this.deleted) return { ok: false, code: 'conflict', message: 'The project was deleted.' };
    return this.runtime.publishSource();
  }

  /** Every file of the current tree; a binary one's content is base64, flagged `binary`. */
  async currentFiles(): Promise<SandboxFile[]> {
    return this.runtime.filesApi.currentFiles();
  }

  async readFile(path: string, version?: number, branch?: number): Promise<Outcome<FileContent>> {
    return this.runtime.filesApi.read(path, version, branch);
  }

  async fileHistory(
    path: string,
    branch?: number,
  ): Promise<Outcome<{ path: string; versions: VersionInfo[] }>> {
    return this.runtime.filesApi.history(path, branch);
  }

  /** Writes the files of a project imported from an existing app (a new project, before any run). */
  async importFiles(files: ImportedFile[], record: ImportRecord): Promise<Outcome<{ files: number }>> {
    if (this.deleted) return { ok: false, code: 'not_found', message: 'The project was deleted.' };
    return this.runtime.filesApi.importFiles(files, record);
  }

  async saveFile(path: string, content: string, baseVersion?: number): Promise<Outcome<FileChange>> {
    if (this.deleted) return { ok: false, code: 'not_found', message: 'The project was deleted.' };
    return this.runtime.filesApi.save(path, content, baseVersion);
  }

  async diffFile(
    path: string,
    from: number,
    to: number,
    branch?: number,
  ): Promise<Outcome<{ path: string; from: number; to: number; diff: FileDiff }>> {
    return this.runtime.filesApi.diff(path, from, to, branch);
  }

  async stepChanges(stepId: number): Promise<Outcome<{ stepId: number; changes: StepChange[] }>> {
    return this.runtime.filesApi.changes(stepId);
  }

  /** Git's ref discovery for a clone or fetch of the project's history (the Worker checked access). */
  async gitAdvertisement(): Promise<Uint8Array> {
    return this.runtime.gitAdvertisement();
  }

  /** A clone's or fetch's `git-upload-pack` request, answered (the Worker checked access). */
  async gitUploadPack(body: Uint8Array): Promise<Uint8Array> {
    return this.runtime.gitUploadPack(body);
  }

  /** Pushes the current branch to the remote (the Worker opened the token; it is used for this call only). */
  async pushToRemote(target: RemoteTarget): Promise<RemoteOutcome<PushReport>> {
    if (this.deleted) return { ok: false, code: 'not_found', message: 'The project was deleted.' };
    return this.runtime.pushToRemote(target);
  }

  /** Pulls the remote branch in as a user's step, or answers its conflicts. */
  async pullFromRemote(target: RemoteTarget): Promise<RemoteOutcome<PullReport>> {
    if (this.deleted) return { ok: false, code: 'not_found', message: 'The project was deleted.' };
    return this.runtime.pullFromRemote(target);
  }

  /** Prices this project's calls of a model again at its owner's own price (null: no price now). */
  async reprice(provider: ProviderId, model: string, price: OwnPrice | null): Promise<boolean> {
    return this.deleted ? false : this.runtime.reprice(provider, model, price);
  }

  /**
   * Deletes the project's run, for good. In order: the object refuses to be set up or run again
   * (a tombstone that outlives this instance); the run stops, no LLM or runner call starts, and the
   * calls in flight end; the usage of every call made reaches the Postgres ledger; every sandbox the
   * runner holds for the project is destroyed (its preview links with it); the storage is deleted.
   * When a step cannot be completed (Postgres or the runner unreachable) it says why: the Worker then
   * keeps the project, and deleting it again picks up where this stopped.
   */
  async destroy(): Promise<{ ok: true } | { ok: false; reason: string }> {
    this.deleted = true;
    await this.ctx.storage.put(DELETED, true);
    const project = this.runtime.journal.project();
    await this.runtime.shutdown();
    if (!(await this.runtime.pg.drain())) {
      return { ok: false, reason: 'the usage of the run could not be written to Postgres' };
    }
    if (project) {
      try {
        const destroyed = await destroyProjectSandboxes(this.env, project.projectId);
        if (destroyed > 0)
          log.info('project sandboxes destroyed', { projectId: project.projectId, destroyed });
      } catch (err) {
        log.warn('project sandboxes not destroyed', { projectId: project.projectId, ...describeError(err) });
        return { ok: false, reason: 'the sandbox-runner could not destroy the project’s sandboxes' };
      }
    }
    await this.ctx.storage.deleteAlarm();
    await this.ctx.storage.deleteAll();
    await this.ctx.storage.put(DELETED, true);
    // An empty runtime answers reads (an empty project) until the object is evicted.
    this.runtime = new ProjectRuntime(this.ctx, this.env);
    await this.runtime.wake();
    return { ok: true };
  }

  /** The live channel: a WebSocket upgrade forwarded by the Worker once it has authenticated the viewer. */
  override async fetch(request: Request): Promise<Response> {
    if (this.deleted) return new Response('the project was deleted', { status: 404 });
    const userId = request.headers.get(VIEWER_HEADER);
    if (request.headers.get('upgrade')?.toLowerCase() !== 'websocket' || !userId) {
      return new Response('expected a WebSocket upgrade from the Worker', { status: 400 });
    }
    // A project made before its facts were pushed on creation: the Worker pushes them and comes back.
    if (!this.runtime.hasProject()) return Response.json(NOT_SET_UP, { status: 409 });
    const params = new URL(request.url).searchParams;
    const afterParam = params.get('after');
    const after = afterParam !== null && /^\d{1,15}$/.test(afterParam) ? Number(afterParam) : null;
    return this.runtime.accept(userId, after, params.get('batch') === '1');
  }

  override async webSocketMessage(ws: WebSocket, message: string | ArrayBuffer): Promise<void> {
    if (this.deleted) return ws.close(1000, 'The project was deleted.');
    await this.runtime.onSocketMessage(ws, message);
  }

  override async webSocketClose(ws: WebSocket, code: number, reason: string): Promise<void> {
    this.runtime.hub.forget(ws);
    // 1005 ("no status") cannot be sent back: closing with it throws.
    try {
      ws.close(code === 1005 ? 1000 : code, reason);
    } catch {
      // Already closed.
    }
  }

  override async webSocketError(ws: WebSocket, error: unknown): Promise<void> {
    this.runtime.hub.forget(ws);
    log.warn('live socket error', describeError(error));
    try {
      ws.close(1011, 'error');
    } catch {
      // Already closed.
    }
  }

  override async alarm(): Promise<void> {
    if (this.deleted) return;
    await this.runtime.alarm();
  }
}
