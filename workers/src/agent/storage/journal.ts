/**
 * The engine's journal over the Durable Object's SQLite (see core/journal.ts for the contract).
 * Small reads are indexed point lookups; the run record is cached in memory because this object is its
 * only writer (the cache is dropped when a transaction fails).
 */
import type { FileChange, ProjectMode, RunReason, RunStatus, Totals } from '../../protocol.ts';
import type { JsonObject } from '../../core/json.ts';
import type {
  CommitInput,
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
import type { FileInfo, ProjectInput, StepRef, UserMessage } from '../../core/pipeline.ts';
import type { Clock } from '../../core/ports.ts';
import type { FileStore } from './files.ts';
import type { Sql } from './sql.ts';

/** The project as the Worker describes it when it attaches to its Durable Object. */
export interface ProjectInfo extends ProjectInput {
  ownerId: string;
  budgetMicros: number;
  /** The pipeline to run (`scripted` for tests and the demo). */
  pipeline: string;
}

interface RunMeta {
  status: RunStatus;
  reason: RunReason | null;
  mode: ProjectMode;
  branch: number;
  guardEpoch: number;
  totals: Totals;
}

interface StepRow {
  [key: string]: string | number | null;
  id: number;
  branch: number;
  parent_id: number | null;
  agent: string;
  title: string;
  input: string | null;
  task_id: string | null;
  task_title: string | null;
  status: string;
  attempt: number;
  failures: number;
  started_at: number | null;
}

const STEP_COLUMNS =
  'id, branch, parent_id, agent, title, input, task_id, task_title, status, attempt, failures, started_at';

function toStep(r: StepRow): StepRecord {
  const ref: StepRef = { agent: r.agent, title: r.title };
  if (r.input !== null) ref.input = JSON.parse(r.input) as StepRef['input'];
  ref.task = r.task_id !== null ? { id: r.task_id, title: r.task_title ?? r.task_id } : null;
  return {
    id: r.id,
    branch: r.branch,
    parentId: r.parent_id,
    ref,
    status: r.status as StepStatus,
    attempt: r.attempt,
    failures: r.failures,
    startedAt: r.started_at,
  };
}

/** Runs `fn` as one transaction whose events are broadcast only if it commits. */
export type Atomic = <T>(fn: () => T) => T;

export class SqlJournal implements Journal {
  private readonly sql: Sql;
  private readonly files: FileStore;
  private readonly clock: Clock;
  private readonly transaction: Atomic;
  private readonly onOutbox: () => void;
  private runCache: RunMeta | null = null;
  private projectCache: ProjectInfo | null = null;
  private outboxTouched = false;
  private depth = 0;
  private projectWrites = 0;

  constructor(deps: { sql: Sql; files: FileStore; clock: Clock; atomic: Atomic; onOutbox: () => void }) {
    this.sql = deps.sql;
    this.files = deps.files;
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

  private meta<T>(key: string): T | null {
    const row = this.sql.one<{ value: string }>('SELECT value FROM meta WHERE key = ?', key);
    return row ? (JSON.parse(row.value) as T) : null;
  }

  private setMeta(key: string, value: unknown): void {
    this.sql.run(
      'INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value',
      key,
      JSON.stringify(value),
    );
  }

  /** The project, once the Worker attached it. */
  project(): ProjectInfo | null {
    return (this.projectCache ??= this.meta<ProjectInfo>('project'));
  }

  /**
   * Records the project (first attach) or refreshes what may change (name, mode, budget). The
   * description and the pipeline are fixed once a run exists: steps read them.
   */
  attach(info: ProjectInfo): void {
    this.atomic(() => {
      const known = this.project();
      const started = known !== null && this.runMeta().status !== 'idle';
      const project: ProjectInfo = started
        ? { ...known, name: info.name, mode: info.mode, budgetMicros: info.budgetMicros }
        : info;
      this.setMeta('project', project);
      this.projectCache = project;
      const run = this.runMeta();
      this.writeRun({ ...run, mode: info.mode, totals: { ...run.totals, budgetMicros: info.budgetMicros } });
      if (!this.sql.one('SELECT id FROM branches WHERE id = 0')) {
        this.sql.run('INSERT INTO branches (id, created_at) VALUES (0, ?)', this.clock.now());
      }
    });
  }

  private runMeta(): RunMeta {
    if (this.runCache) return this.runCache;
    const stored = this.meta<RunMeta>('run');
    this.runCache = stored ?? {
      status: 'idle',
      reason: null,
      mode: 'interactive',
      branch: 0,
      guardEpoch: 0,
      totals: { costMicros: 0, inputTokens: 0, outputTokens: 0, cachedTokens: 0, budgetMicros: 0 },
    };
    return this.runCache;
  }

  private writeRun(run: RunMeta): void {
    this.setMeta('run', run);
    this.runCache = run;
  }

  run(): RunRecord {
    const meta = this.runMeta();
    const project = this.project();
    return {
      ...meta,
      pipeline: project?.pipeline ?? 'scripted',
      project: {
        projectId: project?.projectId ?? '',
        name: project?.name ?? '',
        description: project?.description ?? '',
        mode: meta.mode,
      },
    };
  }

  setStatus(status: RunStatus, reason: RunReason | null): void {
    this.writeRun({ ...this.runMeta(), status, reason });
  }

  setBranch(branch: number): void {
    this.writeRun({ ...this.runMeta(), branch });
  }

  resetGuards(): void {
    // Steps still to run count against the new allowance; finished ones do not.
    const max =
      this.sql.one<{ id: number | null }>(
        "SELECT max(id) AS id FROM steps WHERE status NOT IN ('pending', 'running', 'waiting')",
      )?.id ?? 0;
    this.writeRun({ ...this.runMeta(), guardEpoch: max });
  }

  // -- steps ----------------------------------------------------------------------------------------

  activeStep(): StepRecord | null {
    const row = this.sql.one<StepRow>(
      `SELECT ${STEP_COLUMNS} FROM steps WHERE branch = ? AND status IN ('pending', 'running', 'waiting', 'failed')
       ORDER BY id DESC LIMIT 1`,
      this.runMeta().branch,
    );
    return row ? toStep(row) : null;
  }

  step(id: number): StepRecord | null {
    const row = this.sql.one<StepRow>(`SELECT ${STEP_COLUMNS} FROM steps WHERE id = ?`, id);
    return row ? toStep(row) : null;
  }

  stateBefore(step: StepRecord): JsonObject | null {
    return step.parentId === null ? null : this.stateAfter(step.parentId);
  }

  stateAfter(stepId: number): JsonObject | null {
    const row = this.sql.one<{ state_after: string | null }>(
      'SELECT state_after FROM steps WHERE id = ?',
      stepId,
    );
    return row?.state_after ? (JSON.parse(row.state_after) as JsonObject) : null;
  }

  headStepId(): number | null {
    const branch = this.runMeta().branch;
    const done = this.sql.one<{ id: number }>(
      "SELECT id FROM steps WHERE branch = ? AND status = 'done' ORDER BY id DESC LIMIT 1",
      branch,
    );
    if (done) return done.id;
    return (
      this.sql.one<{ fork_step: number | null }>('SELECT fork_step FROM branches WHERE id = ?', branch)
        ?.fork_step ?? null
    );
  }

  nextOf(stepId: number): StepRef | null {
    const row = this.sql.one<{ next: string | null }>('SELECT next FROM steps WHERE id = ?', stepId);
    return row?.next ? (JSON.parse(row.next) as StepRef) : null;
  }

  createStep(branch: number, parentId: number | null, ref: StepRef): StepRecord {
    const row = this.sql.one<StepRow>(
      `INSERT INTO steps (branch, parent_id, agent, title, input, task_id, task_title, status, created_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, 'pending', ?) RETURNING ${STEP_COLUMNS}`,
      branch,
      parentId,
      ref.agent,
      ref.title,
      ref.input === undefined ? null : JSON.stringify(ref.input),
      ref.task?.id ?? null,
      ref.task?.title ?? null,
      this.clock.now(),
    )!;
    return toStep(row);
  }

  beginStep(stepId: number, now: number): StepRecord {
    const row = this.sql.one<StepRow>(
      `UPDATE steps SET status = 'running', attempt = attempt + 1, started_at = ? WHERE id = ?
       RETURNING ${STEP_COLUMNS}`,
      now,
      stepId,
    );
    if (!row) throw new Error(`no step ${stepId}`);
    return toStep(row);
  }

  setStepStatus(stepId: number, status: StepStatus): void {
    if (status === 'pending') {
      this.sql.run("UPDATE steps SET status = 'pending' WHERE id = ?", stepId);
    } else {
      this.sql.run('UPDATE steps SET status = ? WHERE id = ?', status, stepId);
    }
  }

  recordFailure(stepId: number, error: string): void {
    this.sql.run('UPDATE steps SET failures = failures + 1, last_error = ? WHERE id = ?', error, stepId);
  }

  commitStep(input: CommitInput): void {
    this.sql.run(
      `UPDATE steps SET status = 'done', state_after = ?, next = ?, failure_sig = ?, ended_at = ?,
         rev_after = (SELECT coalesce(max(rev), 0) FROM file_versions)
       WHERE id = ? AND status = 'running'`,
      JSON.stringify(input.state),
      input.next ? JSON.stringify(input.next) : null,
      input.failure?.signature ?? null,
      input.endedAt,
      input.stepId,
    );
  }

  taskHistory(taskId: string, limit: number): TaskHistory {
    const { branch, guardEpoch } = this.runMeta();
    const count =
      this.sql.one<{ n: number }>(
        `SELECT count(*) AS n FROM steps WHERE branch = ? AND task_id = ? AND id > ? AND status IN ('done', 'failed')`,
        branch,
        taskId,
        guardEpoch,
      )?.n ?? 0;
    const recent = this.sql.all<{ failure_sig: string | null }>(
      `SELECT failure_sig FROM steps WHERE branch = ? AND task_id = ? AND id > ? AND status = 'done'
       ORDER BY id DESC LIMIT ?`,
      branch,
      taskId,
      guardEpoch,
      limit,
    );
    return { steps: count, recentFailures: recent.map((r) => r.failure_sig) };
  }

  // -- LLM calls ------------------------------------------------------------------------------------

  recordedCall(key: string): RecordedCall | null {
    const row = this.sql.one<{ fingerprint: string; completion: string }>(
      'SELECT fingerprint, completion FROM llm_calls WHERE key = ?',
      key,
    );
    return row
      ? { fingerprint: row.fingerprint, completion: JSON.parse(row.completion) as RecordedCall['completion'] }
      : null;
  }

  recordCall(key: string, stepId: number, agent: string, call: RecordedCall): Totals {
    const c = call.completion;
    const now = this.clock.now();
    this.sql.run(
      `INSERT INTO llm_calls (key, step_id, agent, fingerprint, completion, provider, model, input_tokens,
         output_tokens, cached_tokens, cost_micros, latency_ms, created_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (key) DO UPDATE SET fingerprint = excluded.fingerprint, completion = excluded.completion`,
      key,
      stepId,
      agent,
      call.fingerprint,
      JSON.stringify(c),
      c.provider,
      c.model,
      c.usage.inputTokens,
      c.usage.outputTokens,
      c.usage.cachedTokens,
      c.costMicros,
      Math.round(c.latencyMs),
      now,
    );
    const run = this.runMeta();
    const totals: Totals = {
      ...run.totals,
      costMicros: run.totals.costMicros + c.costMicros,
      inputTokens: run.totals.inputTokens + c.usage.inputTokens,
      outputTokens: run.totals.outputTokens + c.usage.outputTokens,
      cachedTokens: run.totals.cachedTokens + c.usage.cachedTokens,
    };
    this.writeRun({ ...run, totals });
    this.enqueue(`usage:${key}`, 'usage', { key, agent, at: now });
    return totals;
  }

  // -- questions ------------------------------------------------------------------------------------

  question(id: string): QuestionRecord | null {
    const row = this.sql.one<{
      id: string;
      step_id: number;
      text: string;
      options: string | null;
      default_answer: string | null;
      answer: string | null;
      answered_by: string | null;
    }>(
      'SELECT id, step_id, text, options, default_answer, answer, answered_by FROM questions WHERE id = ?',
      id,
    );
    if (!row) return null;
    return {
      id: row.id,
      stepId: row.step_id,
      text: row.text,
      options: row.options ? (JSON.parse(row.options) as string[]) : null,
      default: row.default_answer,
      answer: row.answer,
      by: row.answered_by === 'user' || row.answered_by === 'autopilot' ? row.answered_by : null,
    };
  }

  openQuestion(): QuestionRecord | null {
    const active = this.activeStep();
    if (!active) return null;
    const row = this.sql.one<{ id: string }>(
      'SELECT id FROM questions WHERE step_id = ? AND answer IS NULL ORDER BY created_at, id LIMIT 1',
      active.id,
    );
    return row ? this.question(row.id) : null;
  }

  putQuestion(q: QuestionRecord): void {
    this.sql.run(
      `INSERT INTO questions (id, step_id, text, options, default_answer, created_at) VALUES (?, ?, ?, ?, ?, ?)
       ON CONFLICT (id) DO NOTHING`,
      q.id,
      q.stepId,
      q.text,
      q.options ? JSON.stringify(q.options) : null,
      q.default,
      this.clock.now(),
    );
  }

  answerQuestion(id: string, answer: string, by: 'user' | 'autopilot'): void {
    this.sql.run(
      'UPDATE questions SET answer = ?, answered_by = ?, answered_at = ? WHERE id = ? AND answer IS NULL',
      answer,
      by,
      this.clock.now(),
      id,
    );
  }

  // -- files ----------------------------------------------------------------------------------------

  readFile(path: string): string | null {
    return this.files.read(this.runMeta().branch, path);
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

  // -- Postgres outbox ------------------------------------------------------------------------------

  private enqueue(key: string, kind: string, payload: unknown): void {
    this.sql.run(
      `INSERT INTO outbox (key, kind, payload, next_at) VALUES (?, ?, ?, ?)
       ON CONFLICT (key) DO UPDATE SET payload = excluded.payload,
         next_at = CASE WHEN outbox.attempts > 0 THEN outbox.next_at ELSE excluded.next_at END`,
      key,
      kind,
      JSON.stringify(payload),
      this.clock.now(),
    );
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
