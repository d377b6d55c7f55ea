import { DurableObject } from 'cloudflare:workers';
import type { ControlResult } from '../core/control.ts';
import type { Bindings } from '../env.ts';
import { describeError, log } from '../platform/logger.ts';
import type { ChatKind, ControlAction, RunSnapshot } from '../protocol.ts';
import type { FileChange } from '../protocol.ts';
import type { FileContent, Result, StepChange, TreeEntry, VersionInfo } from './files-api.ts';
import type { PreviewResult } from './preview.ts';
import type { FileDiff } from '../core/diff.ts';
import { ProjectRuntime } from './runtime.ts';
import { destroySandbox } from './sandbox-cleanup.ts';
import type { ProjectInfo } from './storage/journal.ts';

/** Header with which the Worker tells the object who the (already authenticated) viewer is. */
export const VIEWER_HEADER = 'x-samokoder-user';

export type { ProjectInfo } from './storage/journal.ts';

/**
 * One Durable Object per project: it runs the project's pipeline and keeps its step state (see
 * runtime.ts). This class is a thin shell: platform events and RPC calls become calls of the runtime.
 * The Worker authenticates and checks ownership before it reaches this object.
 */
export class ProjectAgent extends DurableObject<Bindings> {
  /** The project's services (public for tests, which reach it through `runInDurableObject`). */
  runtime: ProjectRuntime;

  constructor(ctx: DurableObjectState, env: Bindings) {
    super(ctx, env);
    this.runtime = new ProjectRuntime(ctx, env);
    // Migrations and re-arming run before any event is delivered to this instance.
    void ctx.blockConcurrencyWhile(() => this.runtime.wake());
  }

  async ping(): Promise<string> {
    return 'pong';
  }

  /** Records (or refreshes) the project this object belongs to. */
  async attach(project: ProjectInfo, guards?: Record<string, number>): Promise<void> {
    this.runtime.attach(project, guards);
  }

  /** Attaches the project and starts its run (a started run is resumed instead). */
  async start(project: ProjectInfo): Promise<ControlResult> {
    this.runtime.attach(project);
    return this.runtime.control('start');
  }

  async control(action: ControlAction): Promise<ControlResult> {
    return this.runtime.control(action);
  }

  async answer(questionId: string, answer: string): Promise<ControlResult> {
    return this.runtime.answer(questionId, answer);
  }

  async chat(text: string, kind: ChatKind): Promise<ControlResult> {
    return this.runtime.chat(text, kind);
  }

  async rollback(stepId: number): Promise<ControlResult> {
    return this.runtime.rollback(stepId);
  }

  async status(): Promise<RunSnapshot> {
    return this.runtime.snapshot();
  }

  async tree(branch?: number): Promise<Result<{ branch: number; files: TreeEntry[] }>> {
    return this.runtime.filesApi.tree(branch);
  }

  async openPreview(): Promise<PreviewResult> {
    return this.runtime.openPreview();
  }

  async currentFiles(): Promise<{ path: string; content: string }[]> {
    return this.runtime.filesApi.currentFiles();
  }

  async readFile(path: string, version?: number, branch?: number): Promise<Result<FileContent>> {
    return this.runtime.filesApi.read(path, version, branch);
  }

  async fileHistory(
    path: string,
    branch?: number,
  ): Promise<Result<{ path: string; versions: VersionInfo[] }>> {
    return this.runtime.filesApi.history(path, branch);
  }

  async saveFile(path: string, content: string, baseVersion?: number): Promise<Result<FileChange>> {
    return this.runtime.filesApi.save(path, content, baseVersion);
  }

  async diffFile(
    path: string,
    from: number,
    to: number,
    branch?: number,
  ): Promise<Result<{ path: string; from: number; to: number; diff: FileDiff }>> {
    return this.runtime.filesApi.diff(path, from, to, branch);
  }

  async stepChanges(stepId: number): Promise<Result<{ stepId: number; changes: StepChange[] }>> {
    return this.runtime.filesApi.changes(stepId);
  }

  /**
   * Deletes the project's run: stops it, closes its viewers, destroys its sandbox when it has one, and
   * deletes this object's storage. The object is usable again afterwards, empty.
   */
  async destroy(): Promise<void> {
    const project = this.runtime.journal.project();
    const sandbox = this.ctx.storage.sql
      .exec<{ value: string }>("SELECT value FROM meta WHERE key = 'sandbox'")
      .toArray()[0];
    await this.runtime.shutdown();
    if (project && sandbox) {
      const { sandboxId } = JSON.parse(sandbox.value) as { sandboxId: string };
      await destroySandbox(this.env, project.projectId, sandboxId).catch((err: unknown) =>
        // The runner's idle reaper removes what this call could not.
        log.warn('sandbox not destroyed', { projectId: project.projectId, ...describeError(err) }),
      );
    }
    await this.ctx.storage.deleteAlarm();
    await this.ctx.storage.deleteAll();
    this.runtime = new ProjectRuntime(this.ctx, this.env);
    await this.runtime.wake();
  }

  /** The live channel: a WebSocket upgrade forwarded by the Worker once it has authenticated the viewer. */
  override async fetch(request: Request): Promise<Response> {
    const userId = request.headers.get(VIEWER_HEADER);
    if (request.headers.get('upgrade')?.toLowerCase() !== 'websocket' || !userId) {
      return new Response('expected a WebSocket upgrade from the Worker', { status: 400 });
    }
    const params = new URL(request.url).searchParams;
    const afterParam = params.get('after');
    const after = afterParam !== null && /^\d{1,15}$/.test(afterParam) ? Number(afterParam) : null;
    return this.runtime.accept(userId, after, params.get('batch') === '1');
  }

  override async webSocketMessage(ws: WebSocket, message: string | ArrayBuffer): Promise<void> {
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
    await this.runtime.alarm();
  }
}
