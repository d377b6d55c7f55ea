import type { ControlAction, ErrorFrame, ReviewVerdict } from '@samokoder/workers/protocol';
import { me } from '$lib/api/auth.ts';
import { LiveConnection, liveUrl } from '$lib/live/connection.svelte.ts';
import { ProjectLiveState } from '$lib/live/project-state.svelte.ts';

export type PendingAction = ControlAction | 'answer' | 'chat' | 'rollback' | 'retry';

/** How long a sent action may wait for the run's answer before its button is usable again. */
const ACTION_TIMEOUT_MS = 10_000;

/**
 * A project's workspace: its live channel and the state built from it, and the user's actions over
 * the channel (answers, reviews, chat, controls, rollback, trying a task again) with their pending state and the server's refusals.
 */
export class WorkspaceState {
  readonly projectId: string;
  readonly live = new ProjectLiveState();
  readonly connection: LiveConnection;
  pending = $state<PendingAction | null>(null);
  /** The last refusal of the server (an `error` frame) or a send that could not go out. */
  actionError = $state('');
  #pendingTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(projectId: string, checkProject: () => Promise<true | string>) {
    this.projectId = projectId;
    this.connection = new LiveConnection(liveUrl(projectId), {
      hello: (frame) => this.live.hello(frame),
      event: (event) => {
        this.live.apply(event);
        if (this.pending && settles(this.pending, event.type)) this.#settle();
      },
      synced: () => {
        this.live.synced = true;
      },
      error: (frame) => this.#refused(frame),
      reset: () => this.live.reset(),
      check: async () => {
        // A handshake refused for an expired access token: `me` refreshes the session (or ends it).
        if (!(await me())) return 'You are signed out.';
        return checkProject();
      },
    });
  }

  start(): void {
    this.connection.start();
  }

  close(): void {
    clearTimeout(this.#pendingTimer);
    this.connection.close();
  }

  control(action: ControlAction): boolean {
    return this.#send(action, { type: 'control', action });
  }

  answer(questionId: string, answer: string): boolean {
    return this.#send('answer', { type: 'answer', questionId, answer });
  }

  /** The verdict on a proposed change (review before apply): it settles like an answer. */
  review(questionId: string, verdict: ReviewVerdict): boolean {
    return this.#send('answer', { type: 'review', questionId, verdict });
  }

  chat(text: string, kind: 'message' | 'change' | 'bug'): boolean {
    return this.#send('chat', { type: 'chat', text, kind });
  }

  rollback(stepId: number): boolean {
    return this.#send('rollback', { type: 'rollback', stepId });
  }

  /** Tries a failed or skipped task again (a finished run plans it anew). */
  retry(taskId: string): boolean {
    return this.#send('retry', { type: 'retry', taskId });
  }

  #send(action: PendingAction, message: Parameters<LiveConnection['send']>[0]): boolean {
    this.actionError = '';
    if (!this.connection.send(message)) {
      this.actionError = 'Not connected: wait for the connection to come back, then try again.';
      return false;
    }
    this.pending = action;
    clearTimeout(this.#pendingTimer);
    this.#pendingTimer = setTimeout(() => this.#settle(), ACTION_TIMEOUT_MS);
    return true;
  }

  #settle(): void {
    clearTimeout(this.#pendingTimer);
    this.pending = null;
  }

  #refused(frame: ErrorFrame): void {
    this.actionError = frame.message;
    this.#settle();
  }
}

/** The event that shows an action took effect. */
function settles(action: PendingAction, type: string): boolean {
  switch (action) {
    case 'answer':
      return type === 'question.answered';
    case 'chat':
      return type === 'message';
    case 'rollback':
      return type === 'branch.created' || type === 'run.status';
    case 'retry':
      return type === 'run.status' || type === 'task';
    default:
      return type === 'run.status' || type === 'step.aborted' || type === 'task';
  }
}
