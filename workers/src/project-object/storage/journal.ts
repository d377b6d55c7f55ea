/**
 * The engine's journal over the Durable Object's SQLite (see core/journal.ts for the contract).
 * Small reads are indexed point lookups; the run record is cached in memory because this object is its
 * only writer (the cache is dropped when a transaction fails).
 */
import type { FileChange, RerunCause, RunReason, RunStatus, StepUsage, Totals } from '../../protocol.ts';
import type { JsonObject } from '../../core/json.ts';
import type {
  CallSlot,
  CommitInput,
  EarlierCall,
  FileWrite,
  Journal,
  QuestionRecord,
  RecordedCall,
  RunRecord,
  StagedWrite,
  StepRecord,
  StepStatus,
  TaskHistory,
} from '../../core/journal.ts';
import type { FileInfo, StepRef, UserMessage } from '../../core/pipeline.ts';
import type { Clock, LlmUsage } from '../../core/ports.ts';
import type { FileStore } from './files.ts';
import type { LlmCallStore } from './llm-calls.ts';
import type { ImportRecord, ObjectMeta, ProjectInfo, RunMeta } from './meta.ts';
import type { Outbox } from './outbox.ts';
import { QuestionStore } from './questions.ts';
import { repriceRows } from './reprice.ts';
import { StepStore } from './steps.ts';
import type { Sql } from './sql.ts';

export type Atomic = <T>(fn: () => T) => T;

export class SqlJournal implements Journal {
  private readonly sql: Sql;
  private readonly files: FileStore;
  private readonly meta: ObjectMeta;
  private readonly outbox: Outbox;
  private readonly calls: LlmCallStore;
  private readonly steps: StepStore;
  private readonly questions: QuestionStore;
  private readonly clock: Clock;
  private readonly transaction: Atomic;
  private readonly onOutbox: () => void;
  private runCache: RunMeta | null = null;
  private projectCache: ProjectInfo | null = null;
  private outboxTouched = false;
  private depth = 0;
  private projectWrites = 0;

  constructor(deps: {
    sql: Sql;
    files: FileStore;
    meta: ObjectMeta;
    outbox: Outbox;
    calls: LlmCallStore;
    clock: Clock;
    atomic: Atomic;
    onOutbox: () => void;
  }) {
    this.sql = deps.sql;
    this.files = deps.files;
    this.meta = deps.meta;
    this.outbox = deps.outbox;
    this.calls = deps.calls;
    this.steps = new StepStore(deps.sql, deps.clock);
    this.questions = new QuestionStore(deps.sql, deps.clock);
    this.clock = deps.clock;
    this.transaction = deps.atomic;
    this.onOutbox = deps.onOutbox;
  }

  atomic<T>(fn: () => T): T {
    let result: T;
    this.depth++;
    try {
      result = this.transaction(fn);
    } catch (err) {
      this.runCache = null;
      this.projectCache = null;
      this.outboxTouched = false;
      throw err;
    } finally {
      this.depth--;
    }
    if (this.depth === 0 && this.outboxTouched) {
      this.outboxTouched = false;
      this.onOutbox();
    }
    return result;
  }

  // -- project and run ------------------------------------------------------------------------------

  /** Records that the project's files were imported: its run reads them instead of a description. */
  markImported(record: ImportRecord): void {
    this.meta.setImported(record);
    this.projectCache = null;
  }

  /** The project, once the Worker attached it. */
  project(): ProjectInfo | null {
    return (this.projectCache ??= this.meta.project());
  }

  /**
   * Records the project (when the Worker first tells it) or refreshes what may change (name, mode, budget, models, review
   * before apply). The description and the pipeline are fixed once a run exists: steps read them.
   */
  setProject(info: ProjectInfo): void {
    this.atomic(() => {
      const known = this.project();
      const started = known !== null && this.runMeta().status !== 'idle';
      const project: ProjectInfo = started
        ? {
            ...known,
            name: info.name,
            mode: info.mode,
            budgetMicros: info.budgetMicros,
            models: info.models,
            reviewChanges: info.reviewChanges,
          }
        : info;
      this.meta.setProject(project);
      // Read back: the stored facts gain what the object knows itself (an import).
      this.projectCache = this.meta.project();
      const run = this.runMeta();
      this.writeRun({ ...run, mode: info.mode, totals: { ...run.totals, budgetMicros: info.budgetMicros } });
      if (!this.sql.one('SELECT id FROM branches WHERE id = 0')) {
        this.sql.run('INSERT INTO branches (id, created_at) VALUES (0, ?)', this.clock.now());
      }
    });
  }

  private runMeta(): RunMeta {
    if (this.runCache) return this.runCache;
    const stored = this.meta.run();
    const fresh: RunMeta = {
      status: 'idle',
      reason: null,
      mode: 'interactive',
      branch: 0,
      guardEpoch: 0,
      totals: {
        costMicros: 0,
        unpricedCalls: 0,
        inputTokens: 0,
        outputTokens: 0,
        cachedTokens: 0,
        budgetMicros: 0,
      },
    };
    // Runs recorded before unknown prices have no `unpricedCalls`.
    const unpriced = (stored?.totals as Partial<Totals> | undefined)?.unpricedCalls ?? 0;
    this.runCache = stored ? { ...stored, totals: { ...stored.totals, unpricedCalls: unpriced } } : fresh;
    return this.runCache;
  }

  private writeRun(run: RunMeta): void {
    this.meta.setRun(run);
    this.runCache = run;
  }

  run(): RunRecord {
    const meta = this.runMeta();
    const project = this.project();
    return {
      ...meta,
      unfinishedTasks: meta.unfinishedTasks ?? 0,
      project: {
        projectId: project?.projectId ?? '',
        name: project?.name ?? '',
        description: project?.description ?? '',
        mode: meta.mode,
        reviewChanges: project?.reviewChanges === true,
        ...(project?.imported ? { imported: true } : {}),
      },
    };
  }

  setStatus(status: RunStatus, reason: RunReason | null): void {
    this.writeRun({ ...this.runMeta(), status, reason });
  }

  setBranch(branch: number): void {
    this.writeRun({ ...this.runMeta(), branch });
  }

  setUnfinishedTasks(count: number): void {
    if ((this.runMeta().unfinishedTasks ?? 0) !== count)
      this.writeRun({ ...this.runMeta(), unfinishedTasks: count });
  }

  resetGuards(): void {
    // Steps still to run count against the new allowance; finished ones do not.
    this.writeRun({ ...this.runMeta(), guardEpoch: this.steps.lastFinishedId() });
    // The platform's tries of a command the environment keeps failing start afresh too.
    this.meta.clearEnvironmentTries();
  }

  // -- steps ----------------------------------------------------------------------------------------

  activeStep(): StepRecord | null {
    return this.steps.active(this.runMeta().branch);
  }

  step(id: number): StepRecord | null {
    return this.steps.step(id);
  }

  stateBefore(step: StepRecord): JsonObject | null {
    return step.parentId === null ? null : this.steps.stateAfter(step.parentId);
  }

  stateAfter(stepId: number): JsonObject | null {
    return this.steps.stateAfter(stepId);
  }

  headStepId(): number | null {
    return this.steps.headId(this.runMeta().branch);
  }

  nextOf(stepId: number): StepRef | null {
    return this.steps.nextOf(stepId);
  }

  createStep(branch: number, parentId: number | null, ref: StepRef): StepRecord {
    return this.steps.create(branch, parentId, ref);
  }

  /** Opens a user's step after `parentId` (see `StepStore.openUserStep`); close it in the same transaction. */
  openUserStep(branch: number, parentId: number | null, title: string): StepRecord {
    return this.steps.openUserStep(branch, parentId, title, this.clock.now());
  }

  closeUserStep(stepId: number): void {
    this.steps.closeUserStep(stepId, this.clock.now());
  }

  beginStep(stepId: number, now: number): StepRecord {
    return this.steps.begin(stepId, now);
  }

  setStepStatus(stepId: number, status: StepStatus, rerun?: RerunCause): void {
    this.steps.setStatus(stepId, status, rerun);
  }

  recordFailure(stepId: number, error: string): void {
    this.steps.recordFailure(stepId, error);
  }

  environmentTries(stepId: number): number {
    const stored = this.meta.environmentTries();
    return stored?.stepId === stepId ? stored.tries : 0;
  }

  setEnvironmentTries(stepId: number, tries: number): void {
    this.meta.setEnvironmentTries({ stepId, tries });
  }

  resetFailures(stepId: number): void {
    this.steps.resetFailures(stepId);
  }

  commitStep(input: CommitInput): void {
    this.steps.commit(input);
  }

  taskHistory(taskId: string | null, limit: number): TaskHistory {
    const { branch, guardEpoch } = this.runMeta();
    return this.steps.taskHistory(branch, guardEpoch, taskId, limit);
  }

  earlierCall(fingerprint: string, stepId: number, taskId: string | null): EarlierCall | null {
    const { branch, guardEpoch } = this.runMeta();
    return this.steps.earlierCall(branch, guardEpoch, { fingerprint, stepId, taskId });
  }

  callSlot(slot: string): CallSlot {
    return this.calls.slot(slot);
  }

  retireCall(key: string): void {
    this.calls.retire(key);
  }

  retireCalls(stepId: number): void {
    this.calls.retireStep(stepId);
  }

  recordCall(key: string, stepId: number, agent: string, call: RecordedCall): Totals {
    const c = call.completion;
    const now = this.clock.now();
    this.calls.record(key, stepId, agent, call, now);
    const run = this.runMeta();
    const totals: Totals = {
      ...run.totals,
      costMicros: run.totals.costMicros + (c.costMicros ?? 0),
      unpricedCalls: run.totals.unpricedCalls + (c.costMicros === null ? 1 : 0),
      inputTokens: run.totals.inputTokens + c.usage.inputTokens,
      outputTokens: run.totals.outputTokens + c.usage.outputTokens,
      cachedTokens: run.totals.cachedTokens + c.usage.cachedTokens,
    };
    this.writeRun({ ...run, totals });
    this.enqueue(`usage:${key}`, 'usage', { key, agent, at: now });
    return totals;
  }

  stepUsage(stepId: number): StepUsage {
    return this.calls.stepUsage(stepId);
  }

  /** The file rev a done step left (the files as they were after it); null when not done. */
  revAfter(stepId: number): number | null {
    return this.steps.revAfter(stepId);
  }

  /**
   * Prices the recorded calls of a model again (its owner's own price changed; see reprice.ts), moves
   * the totals by the difference and queues the changed calls for the ledger. Null when nothing changed.
   */
  repriceCalls(
    providers: readonly string[],
    model: string,
    costOf: ((usage: LlmUsage) => number) | null,
  ): Totals | null {
    const changed = repriceRows(this.sql, providers, model, costOf);
    if (changed.calls.length === 0) return null;
    const run = this.runMeta();
    const totals: Totals = {
      ...run.totals,
      costMicros: run.totals.costMicros + changed.costDelta,
      unpricedCalls: run.totals.unpricedCalls + changed.unpricedDelta,
    };
    this.writeRun({ ...run, totals });
    const at = this.clock.now();
    for (const call of changed.calls) this.enqueue(`usage:${call.key}`, 'usage', { ...call, at });
    return totals;
  }

  // -- questions ------------------------------------------------------------------------------------

  question(id: string): QuestionRecord | null {
    return this.questions.get(id);
  }

  openQuestion(): QuestionRecord | null {
    const active = this.activeStep();
    return active ? this.questions.openOf(active.id) : null;
  }

  putQuestion(q: QuestionRecord): void {
    this.questions.put(q);
  }

  answerQuestion(id: string, answer: string, by: 'user' | 'autopilot'): void {
    this.questions.answer(id, answer, by);
  }

  // -- files ----------------------------------------------------------------------------------------

  readFile(path: string): string | null {
    return this.files.read(this.runMeta().branch, path);
  }

  readBinary(path: string): string | null {
    const entry = this.files.entry(this.runMeta().branch, path);
    return entry?.binary ? entry.content : null;
  }

  listFiles(): FileInfo[] {
    return this.files.list(this.runMeta().branch);
  }

  stageWrites(writes: FileWrite[]): Promise<StagedWrite[]> {
    return this.files.stage(writes);
  }

  applyWrites(writes: StagedWrite[], stepId: number | null, author: 'agent' | 'user'): FileChange[] {
    return this.files.apply(this.runMeta().branch, writes, stepId, author, this.clock.now());
  }

  createBranch(fromStepId: number): number {
    const from = this.sql.one<{ branch: number; rev_after: number | null }>(
      'SELECT branch, rev_after FROM steps WHERE id = ?',
      fromStepId,
    );
    if (!from) throw new Error(`no step ${fromStepId}`);
    const id = (this.sql.one<{ id: number }>('SELECT max(id) AS id FROM branches')?.id ?? 0) + 1;
    const rev = from.rev_after ?? 0;
    this.sql.run(
      'INSERT INTO branches (id, parent, fork_step, fork_rev, created_at) VALUES (?, ?, ?, ?, ?)',
      id,
      from.branch,
      fromStepId,
      rev,
      this.clock.now(),
    );
    this.files.fork(id, from.branch, rev);
    return id;
  }

  // -- chat -----------------------------------------------------------------------------------------

  pendingMessages(): UserMessage[] {
    return this.sql
      .all<{ id: string; text: string; kind: string; at: number }>(
        'SELECT id, text, kind, at FROM inbox WHERE consumed_by IS NULL ORDER BY at, id LIMIT 50',
      )
      .map((r) => ({ id: r.id, text: r.text, kind: r.kind as UserMessage['kind'], at: r.at }));
  }

  addMessage(m: UserMessage): void {
    this.sql.run('INSERT INTO inbox (id, text, kind, at) VALUES (?, ?, ?, ?)', m.id, m.text, m.kind, m.at);
  }

  consumeMessages(ids: string[], stepId: number): void {
    for (const id of ids) this.sql.run('UPDATE inbox SET consumed_by = ? WHERE id = ?', stepId, id);
  }

  requeueMessages(stepId: number): void {
    this.sql.run('UPDATE inbox SET consumed_by = NULL WHERE consumed_by > ?', stepId);
  }

  // -- Postgres outbox ------------------------------------------------------------------------------

  /** Queues a Postgres write; the sync is kicked once the outermost transaction commits. */
  private enqueue(key: string, kind: string, payload: unknown): void {
    this.outbox.enqueue(key, kind, payload);
    this.outboxTouched = true;
  }

  syncProject(snapshotOf?: { stepId: number; label: string }): void {
    // The project row is written from the run's state at flush time: one pending entry is enough. Its
    // payload changes each time, so a flush that read an older state does not delete the newer entry.
    this.enqueue('project', 'project', { n: ++this.projectWrites, at: this.clock.now() });
    if (snapshotOf) {
      this.enqueue(`snapshot:${snapshotOf.stepId}`, 'snapshot', {
        stepId: snapshotOf.stepId,
        branch: this.runMeta().branch,
        label: snapshotOf.label,
      });
    }
  }
}
