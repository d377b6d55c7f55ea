/**
 * Keeps Postgres current from the Durable Object: the project row's status and totals, a snapshot of the
 * file tree at each task boundary, and one usage-ledger row per LLM call.
 *
 * Why an outbox: the work is queued in SQLite in the same transaction as the step that caused it, and
 * written to Postgres in the background with retries and backoff. Postgres being down never blocks or
 * fails the run, and nothing queued is lost (a snapshot is retried until it is written). Every write is
 * idempotent (a retry after an unconfirmed success writes nothing twice).
 */
import { schema, type Database, type DbHandle } from '@samokoder/db';
import { and, eq } from 'drizzle-orm';
import type { Bindings } from '../env.ts';
import { canonicalProvider } from '../llm/models.ts';
import { openDb } from '../platform/deps.ts';
import { describeError, log } from '../platform/logger.ts';
import type { FileStore } from './storage/files.ts';
import type { SqlJournal } from './storage/journal.ts';
import type { LlmCallStore } from './storage/llm-calls.ts';
import type { ProjectInfo } from './storage/meta.ts';
import type { Outbox, OutboxEntry } from './storage/outbox.ts';

const MAX_BACKOFF_MS = 5 * 60_000;
/**
 * How long a kick waits, so a burst of steps is written over one connection. A running project makes
 * an LLM call every few hundred ms: a second's worth of ledger rows share one connection instead of
 * taking one each from the isolate's few, which its users' requests are waiting for.
 */
const KICK_DELAY_MS = 1000;
const BATCH = 20;

/** SQLSTATE classes that no retry will fix: bad data (22) or a violated constraint (23). */
function isPermanent(err: unknown): boolean {
  for (let e: unknown = err; e; e = (e as { cause?: unknown }).cause) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && /^(22|23)/.test(code)) return true;
  }
  return false;
}

/** The innermost message of an error chain (drivers wrap the interesting part). */
function causeOf(err: unknown): string {
  let message = '';
  for (let e: unknown = err, depth = 0; e && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    if (e instanceof Error) message = e.message;
    else if (typeof e === 'object' && e && 'message' in e)
      message = String((e as { message: unknown }).message);
  }
  return message.split('\n')[0]!.slice(0, 200);
}

export class PgSync {
  private readonly env: Bindings;
  private readonly outbox: Outbox;
  private readonly journal: SqlJournal;
  private readonly files: FileStore;
  private readonly calls: LlmCallStore;
  private readonly retryAt: (at: number) => void;
  private inFlight: Promise<void> | null = null;
  private again = false;
  private timer: ReturnType<typeof setTimeout> | null = null;
  /** Opens a database handle (replaced in tests to make Postgres unreachable). */
  connect: () => Promise<DbHandle>;

  constructor(deps: {
    env: Bindings;
    outbox: Outbox;
    journal: SqlJournal;
    files: FileStore;
    calls: LlmCallStore;
    retryAt: (at: number) => void;
  }) {
    this.env = deps.env;
    this.connect = () => openDb(deps.env);
    this.outbox = deps.outbox;
    this.journal = deps.journal;
    this.files = deps.files;
    this.calls = deps.calls;
    this.retryAt = deps.retryAt;
  }

  /** Whether a database is configured at all (benchmarks run without one). */
  get enabled(): boolean {
    return !!this.env.DATABASE_URL;
  }

  /**
   * Starts a flush in the background shortly (or after the flush in progress): the writes of a burst of
   * steps share one connection instead of opening one each.
   */
  kick(): void {
    if (!this.enabled) return;
    if (this.inFlight) {
      this.again = true;
      return;
    }
    this.timer ??= setTimeout(() => {
      this.timer = null;
      this.start();
    }, KICK_DELAY_MS);
  }

  private start(): void {
    if (this.inFlight) {
      this.again = true;
      return;
    }
    this.inFlight = this.flush()
      .catch((err: unknown) => log.warn('postgres sync failed', describeError(err)))
      .finally(() => {
        this.inFlight = null;
        if (this.again) {
          this.again = false;
          this.kick();
        }
      });
  }

  /** Waits for the flush in progress, and runs a kicked one at once (tests, shutdown). */
  async settle(): Promise<void> {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = null;
      this.start();
    }
    while (this.inFlight) await this.inFlight;
  }

  /**
   * Writes everything queued now, whatever its retry time (the project is being deleted: its usage must
   * reach the ledger first). True when nothing is left; false when Postgres stopped making progress.
   */
  async drain(): Promise<boolean> {
    // Without a project nothing was ever queued for Postgres, and nothing could be written.
    if (!this.enabled || !this.journal.project()) return true;
    await this.settle();
    for (let left = this.pending(); left > 0;) {
      await this.flush(Number.MAX_SAFE_INTEGER);
      const now = this.pending();
      if (now >= left) return false;
      left = now;
    }
    return true;
  }

  /** Entries still waiting to be written. */
  pending(): number {
    return this.outbox.pending();
  }

  /** Writes what is due at `asOf`; failures are retried later through the scheduler. */
  async flush(asOf = Date.now()): Promise<void> {
    if (!this.enabled) return;
    const due = this.outbox.due(asOf, BATCH);
    if (due.length === 0) return this.scheduleRest();
    const project = this.journal.project();
    if (!project) return;
    let handle;
    try {
      handle = await this.connect();
    } catch (err) {
      for (const row of due) this.failed(row, err);
      return this.scheduleRest();
    }
    try {
      for (const row of due) {
        try {
          await this.write(handle.db, project, row);
          this.outbox.written(row);
        } catch (err) {
          if (isPermanent(err)) {
            log.error('postgres sync dropped a write it cannot make', {
              entry: row.kind,
              ...describeError(err),
              cause: causeOf(err),
            });
            this.outbox.drop(row);
          } else {
            this.failed(row, err);
          }
        }
      }
    } finally {
      handle.close().catch(() => {});
    }
    if (this.outbox.pendingAt(Date.now()) > 0) this.again = true;
    this.scheduleRest();
  }

  private failed(row: OutboxEntry, err: unknown): void {
    const attempts = row.attempts + 1;
    const delay = Math.min(MAX_BACKOFF_MS, 1000 * 2 ** Math.min(attempts, 20));
    this.outbox.retryLater(row, attempts, Date.now() + delay);
    if (attempts === 1 || attempts % 10 === 0) {
      log.warn('postgres sync will retry', {
        entry: row.kind,
        attempts,
        ...describeError(err),
        cause: causeOf(err),
      });
    }
  }

  private scheduleRest(): void {
    const next = this.outbox.nextDue();
    if (next !== null) this.retryAt(Math.max(next, Date.now() + 1000));
  }

  private async write(db: Database, project: ProjectInfo, row: OutboxEntry): Promise<void> {
    const payload = JSON.parse(row.payload) as Record<string, unknown>;
    if (row.kind === 'project') return this.writeProject(db, project);
    if (row.kind === 'snapshot') {
      return this.writeSnapshot(db, project, payload as { stepId: number; branch: number; label: string });
    }
    if (row.kind === 'usage')
      return this.writeUsage(db, project, payload as { key: string; agent: string; at: number });
  }

  private async writeProject(db: Database, project: ProjectInfo): Promise<void> {
    const run = this.journal.run();
    await db
      .update(schema.projects)
      .set({
        status: run.status,
        costMicros: run.totals.costMicros,
        unpricedCalls: run.totals.unpricedCalls,
        unfinishedTasks: run.unfinishedTasks,
        inputTokens: run.totals.inputTokens,
        outputTokens: run.totals.outputTokens,
        cachedTokens: run.totals.cachedTokens,
        updatedAt: new Date(),
        lastActivityAt: new Date(),
      })
      .where(eq(schema.projects.id, project.projectId));
  }

  private async writeSnapshot(
    db: Database,
    project: ProjectInfo,
    p: { stepId: number; branch: number; label: string },
  ): Promise<void> {
    const exists = await db
      .select({ id: schema.projectSnapshots.id })
      .from(schema.projectSnapshots)
      .where(
        and(
          eq(schema.projectSnapshots.projectId, project.projectId),
          eq(schema.projectSnapshots.stepId, p.stepId),
          eq(schema.projectSnapshots.branch, p.branch),
        ),
      )
      .limit(1);
    if (exists.length > 0) return;
    const rev = this.journal.revAfter(p.stepId);
    const tree = this.files.treeAt(p.branch, rev ?? this.files.currentRev());
    const files = tree.map((v) => {
      const blob = this.files.blobEntry(v.hash!);
      return blob?.binary
        ? { path: v.path, content: blob.content, binary: true }
        : { path: v.path, content: blob?.content ?? '' };
    });
    await db.insert(schema.projectSnapshots).values({
      projectId: project.projectId,
      stepId: p.stepId,
      branch: p.branch,
      label: p.label,
      fileCount: files.length,
      totalBytes: tree.reduce((sum, v) => sum + v.size, 0),
      files,
    });
  }

  private async writeUsage(
    db: Database,
    project: ProjectInfo,
    p: { key: string; agent: string },
  ): Promise<void> {
    const call = this.calls.ledgerCall(p.key);
    if (!call) return;
    const provider = canonicalProvider(call.provider) ?? call.provider;
    const costMicros = call.costMicros;
    // Records from before prices could be unknown carry a cost and no source: the list priced them.
    const pricedBy = costMicros === null ? null : call.pricedBy === 'custom' ? 'custom' : 'list';
    await db
      .insert(schema.usageLedger)
      .values({
        // Unique across projects: the ledger's idempotency key.
        callId: `${project.projectId}/${p.key}`,
        userId: project.ownerId,
        projectId: project.projectId,
        agent: p.agent,
        provider,
        model: call.model,
        inputTokens: call.inputTokens,
        outputTokens: call.outputTokens,
        cachedTokens: call.cachedTokens,
        costMicros,
        pricedBy,
        latencyMs: call.latencyMs,
        createdAt: new Date(call.createdAt),
      })
      // A call priced again (its owner set a price for its model) is written again: only its cost moves.
      .onConflictDoUpdate({ target: schema.usageLedger.callId, set: { costMicros, pricedBy } });
  }
}
