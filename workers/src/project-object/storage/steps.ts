/** The step log: one row per step (its ref, status, attempts, resulting state and successor). */
import type { JsonObject } from '../../core/json.ts';
import type { CommitInput, EarlierCall, StepRecord, StepStatus, TaskHistory } from '../../core/journal.ts';
import type { StepRef } from '../../core/pipeline.ts';
import type { Clock } from '../../core/ports.ts';
import type { RerunCause } from '../../protocol.ts';
import type { Sql } from './sql.ts';

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
  rerun: string | null;
  started_at: number | null;
}

const STEP_COLUMNS =
  'id, branch, parent_id, agent, title, input, task_id, task_title, status, attempt, failures, rerun, started_at';

const RERUN_CAUSES: readonly string[] = ['answer', 'retry', 'restart'] satisfies RerunCause[];

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
    rerun: r.rerun !== null && RERUN_CAUSES.includes(r.rerun) ? (r.rerun as RerunCause) : null,
    startedAt: r.started_at,
  };
}

/** The agent name of a step a user made (a pull): its commit's author is the user. */
export const USER_STEP_AGENT = 'User';

export class StepStore {
  private readonly sql: Sql;
  private readonly clock: Clock;

  constructor(sql: Sql, clock: Clock) {
    this.sql = sql;
    this.clock = clock;
  }

  /** The unfinished step of `branch`. */
  active(branch: number): StepRecord | null {
    const row = this.sql.one<StepRow>(
      `SELECT ${STEP_COLUMNS} FROM steps WHERE branch = ? AND status IN ('pending', 'running', 'waiting', 'failed')
       ORDER BY id DESC LIMIT 1`,
      branch,
    );
    return row ? toStep(row) : null;
  }

  step(id: number): StepRecord | null {
    const row = this.sql.one<StepRow>(`SELECT ${STEP_COLUMNS} FROM steps WHERE id = ?`, id);
    return row ? toStep(row) : null;
  }

  stateAfter(stepId: number): JsonObject | null {
    const row = this.sql.one<{ state_after: string | null }>(
      'SELECT state_after FROM steps WHERE id = ?',
      stepId,
    );
    return row?.state_after ? (JSON.parse(row.state_after) as JsonObject) : null;
  }

  /** The latest done step of `branch`, or the step it was forked from. */
  headId(branch: number): number | null {
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

  /** The file rev a done step left (null: the step is not done, or unknown). */
  revAfter(stepId: number): number | null {
    return (
      this.sql.one<{ rev_after: number | null }>('SELECT rev_after FROM steps WHERE id = ?', stepId)
        ?.rev_after ?? null
    );
  }

  nextOf(stepId: number): StepRef | null {
    const row = this.sql.one<{ next: string | null }>('SELECT next FROM steps WHERE id = ?', stepId);
    return row?.next ? (JSON.parse(row.next) as StepRef) : null;
  }

  create(branch: number, parentId: number | null, ref: StepRef): StepRecord {
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

  /**
   * Opens a step a user makes outside the pipeline (a pull), running, after `parentId`: it takes its
   * parent's state and next step, so the run carries on from it as it would have from the parent.
   */
  openUserStep(branch: number, parentId: number | null, title: string, now: number): StepRecord {
    const row = this.sql.one<StepRow>(
      `INSERT INTO steps (branch, parent_id, agent, title, status, attempt, state_after, next, created_at, started_at)
       VALUES (?, ?, ?, ?, 'running', 1, (SELECT state_after FROM steps WHERE id = ?),
         (SELECT next FROM steps WHERE id = ?), ?, ?) RETURNING ${STEP_COLUMNS}`,
      branch,
      parentId,
      USER_STEP_AGENT,
      title,
      parentId,
      parentId,
      now,
      now,
    )!;
    return toStep(row);
  }

  /** Closes a user's step as done, at the latest file rev (its writes are in). */
  closeUserStep(stepId: number, now: number): void {
    this.sql.run(
      `UPDATE steps SET status = 'done', ended_at = ?,
         rev_after = (SELECT coalesce(max(rev), 0) FROM file_versions)
       WHERE id = ? AND status = 'running'`,
      now,
      stepId,
    );
  }

  begin(stepId: number, now: number): StepRecord {
    const row = this.sql.one<StepRow>(
      `UPDATE steps SET status = 'running', attempt = attempt + 1, started_at = ? WHERE id = ?
       RETURNING ${STEP_COLUMNS}`,
      now,
      stepId,
    );
    if (!row) throw new Error(`no step ${stepId}`);
    return toStep(row);
  }

  setStatus(stepId: number, status: StepStatus, rerun?: RerunCause): void {
    if (rerun) this.sql.run('UPDATE steps SET status = ?, rerun = ? WHERE id = ?', status, rerun, stepId);
    else this.sql.run('UPDATE steps SET status = ? WHERE id = ?', status, stepId);
  }

  recordFailure(stepId: number, error: string): void {
    this.sql.run('UPDATE steps SET failures = failures + 1, last_error = ? WHERE id = ?', error, stepId);
  }

  resetFailures(stepId: number): void {
    this.sql.run('UPDATE steps SET failures = 0 WHERE id = ?', stepId);
  }

  commit(input: CommitInput): void {
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

  /**
   * The id after which the guards count for `taskId` on `branch`: the guard epoch; for the steps outside
   * the tasks (null), the latest step of a task too, so the planning and starting the app are counted
   * apart from each other.
   */
  private scopeFloor(branch: number, guardEpoch: number, taskId: string | null): number {
    if (taskId !== null) return guardEpoch;
    // Walked from the newest step back (not through the task index, which would visit every task step):
    // the steps outside the tasks since the last task step are few, the guards see to that.
    const lastTaskStep =
      this.sql.one<{ id: number }>(
        'SELECT id FROM steps NOT INDEXED WHERE branch = ? AND task_id IS NOT NULL ORDER BY id DESC LIMIT 1',
        branch,
      )?.id ?? 0;
    return Math.max(guardEpoch, lastTaskStep);
  }

  /** Steps of a task (null: outside the tasks) on `branch` after `guardEpoch`: see `TaskHistory`. */
  taskHistory(branch: number, guardEpoch: number, taskId: string | null, limit: number): TaskHistory {
    const floor = this.scopeFloor(branch, guardEpoch, taskId);
    const totals = this.sql.one<{ n: number; ms: number | null }>(
      `SELECT count(*) AS n,
         sum(CASE WHEN status = 'done' THEN max(0, ended_at - started_at) ELSE 0 END) AS ms
       FROM steps WHERE branch = ? AND task_id IS ? AND id > ? AND status IN ('done', 'failed')`,
      branch,
      taskId,
      floor,
    );
    const recent = this.sql.all<{ failure_sig: string | null }>(
      `SELECT failure_sig FROM steps WHERE branch = ? AND task_id IS ? AND id > ? AND status = 'done'
       ORDER BY id DESC LIMIT ?`,
      branch,
      taskId,
      floor,
      limit,
    );
    return {
      steps: totals?.n ?? 0,
      recentFailures: recent.map((r) => r.failure_sig),
      workingMs: totals?.ms ?? 0,
    };
  }

  /** An earlier step of the same task (scope as in `taskHistory`) with a call of this fingerprint. */
  earlierCall(
    branch: number,
    guardEpoch: number,
    call: { fingerprint: string; stepId: number; taskId: string | null },
  ): EarlierCall | null {
    const floor = this.scopeFloor(branch, guardEpoch, call.taskId);
    // The range of step ids walks the calls' step index; only the scope's own calls are compared.
    const row = this.sql.one<{ id: number; title: string }>(
      `SELECT s.id AS id, s.title AS title FROM llm_calls c JOIN steps s ON s.id = c.step_id
       WHERE c.step_id > ? AND c.step_id < ? AND c.fingerprint = ? AND s.branch = ? AND s.task_id IS ?
       ORDER BY c.step_id DESC LIMIT 1`,
      floor,
      call.stepId,
      call.fingerprint,
      branch,
      call.taskId,
    );
    return row ? { stepId: row.id, title: row.title } : null;
  }

  // -- LLM calls ------------------------------------------------------------------------------------

  /** The latest finished step (the guards' epoch after a reset). */
  lastFinishedId(): number {
    return (
      this.sql.one<{ id: number | null }>(
        "SELECT max(id) AS id FROM steps WHERE status NOT IN ('pending', 'running', 'waiting')",
      )?.id ?? 0
    );
  }
}
