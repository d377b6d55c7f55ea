/**
 * The schedules of the object's one alarm: a time per kind of work, kept in SQLite so they survive
 * eviction. The scheduler (../scheduler.ts) points the alarm at the earliest.
 */
import type { Sql } from './sql.ts';

/**
 * `run`: the pipeline's next slice; `sync`: the Postgres outbox; `app`: the app follows the files;
 * `push`: the push to the remote after a completed task; `publication`: in a fleet, the published app
 * moved off a lost runner, and the fleet's watch of published apps told where it is.
 */
export type ScheduleKind = 'run' | 'sync' | 'app' | 'push' | 'publication';

export class ScheduleStore {
  private readonly sql: Sql;

  constructor(sql: Sql) {
    this.sql = sql;
  }

  /** Sets `kind`'s time, replacing its earlier one. */
  set(kind: ScheduleKind, at: number): void {
    this.sql.run(
      'INSERT INTO schedules (kind, at) VALUES (?, ?) ON CONFLICT (kind) DO UPDATE SET at = excluded.at',
      kind,
      at,
    );
  }

  /** Sets `kind`'s time unless it is already earlier. */
  setEarliest(kind: ScheduleKind, at: number): void {
    this.sql.run(
      'INSERT INTO schedules (kind, at) VALUES (?, ?) ON CONFLICT (kind) DO UPDATE SET at = min(schedules.at, excluded.at)',
      kind,
      at,
    );
  }

  remove(kind: ScheduleKind): void {
    this.sql.run('DELETE FROM schedules WHERE kind = ?', kind);
  }

  /** Removes and returns the kinds due at `now`. */
  takeDue(now: number): ScheduleKind[] {
    return this.sql
      .all<{ kind: string }>('DELETE FROM schedules WHERE at <= ? RETURNING kind', now)
      .map((r) => r.kind as ScheduleKind);
  }

  /** The earliest time (null: nothing is scheduled). */
  earliest(): number | null {
    return this.sql.one<{ at: number | null }>('SELECT min(at) AS at FROM schedules')?.at ?? null;
  }
}
