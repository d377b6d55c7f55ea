/**
 * The push after each completed task, for a project whose remote connection asks for it.
 *
 * Why a schedule: the push is asked for inside the transaction that completes the task (the `push`
 * schedule is stored with it), and made later by the object's alarm, so a remote that is slow or down
 * never blocks or fails the run, and an unreachable remote is tried again with backoff. The connection
 * and its token are read from Postgres and opened for that one push, as the LLM keys are
 * (`llm/user-keys.ts`): the object never stores the token. Its outcome is a line in the conversation.
 */
import type { Bindings } from '../env.ts';
import { loadKeyRing } from '../crypto/key-ring.ts';
import { openRemote, type OpenedRemote } from '../git/remote/connection-store.ts';
import { displayUrl } from '../git/remote/http.ts';
import { openDb } from '../platform/deps.ts';
import { describeError, log } from '../platform/logger.ts';
import type { RemoteOutcome, PushReport, RemoteSync } from './remote-sync.ts';
import type { LiveSink } from './sink.ts';
import type { SqlJournal } from './storage/journal.ts';

/** Tries of a push whose remote cannot be reached, before it is given up until the next task. */
const MAX_ATTEMPTS = 6;
const FIRST_RETRY_MS = 5_000;

export class AutoPush {
  private readonly deps: {
    env: Bindings;
    journal: SqlJournal;
    sink: LiveSink;
    sync: RemoteSync;
    /** Asks for another try at `at` (the object's `push` schedule). */
    retryAt: (at: number) => void;
  };
  private attempts = 0;

  constructor(deps: AutoPush['deps']) {
    this.deps = deps;
  }

  /** Pushes if the project's connection asks for it; a line in the conversation says how it went. */
  async run(): Promise<void> {
    const { env, journal } = this.deps;
    const project = journal.project();
    if (!project || !env.DATABASE_URL) return;
    let remote: OpenedRemote | null;
    try {
      const handle = await openDb(env);
      try {
        const ring = await loadKeyRing(env.KEYS_MASTER_KEY);
        remote = await openRemote(handle.db, ring, project.ownerId, project.projectId);
      } finally {
        await handle.close();
      }
    } catch (err) {
      log.warn('push after task: connection not read', describeError(err));
      this.retry();
      return;
    }
    if (!remote?.pushAfterTask) {
      this.attempts = 0;
      return;
    }
    const outcome = await this.deps.sync.push(remote);
    if (!outcome.ok && outcome.code === 'remote' && outcome.kind === 'unavailable' && this.retry()) return;
    this.attempts = 0;
    this.say(describe(outcome, remote));
  }

  /** Schedules another try with backoff; false when the tries are used up. */
  private retry(): boolean {
    this.attempts++;
    if (this.attempts >= MAX_ATTEMPTS) {
      this.attempts = 0;
      return false;
    }
    this.deps.retryAt(Date.now() + FIRST_RETRY_MS * 2 ** (this.attempts - 1));
    return true;
  }

  private say(text: string): void {
    const { journal, sink } = this.deps;
    journal.atomic(() =>
      sink.emit({
        type: 'message',
        messageId: `push_${crypto.randomUUID()}`,
        role: 'system',
        agent: null,
        stepId: null,
        text,
      }),
    );
  }
}

/** The conversation's line for a push's outcome. */
function describe(outcome: RemoteOutcome<PushReport>, remote: OpenedRemote): string {
  const where = `${displayUrl(remote.url)} (${remote.branch})`;
  if (!outcome.ok) return `Push to ${where} after the task failed: ${outcome.message}`;
  const report = outcome.value;
  switch (report.result) {
    case 'pushed':
      return `Pushed to ${where}: ${report.objects} object(s), now at ${report.commit.slice(0, 7)}.`;
    case 'up_to_date':
      return `${where} is already up to date.`;
    case 'rejected':
      return `Push to ${where} after the task was rejected: ${report.message}`;
  }
}
