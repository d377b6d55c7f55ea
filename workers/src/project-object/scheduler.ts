/**
 * One alarm, many schedules: feature code asks for a kind of work at a time; only the scheduler sets the
 * Durable Object's alarm (to the earliest schedule). Schedules live in SQLite, so they survive eviction.
 */
import { describeError, log } from '../platform/logger.ts';
import type { Sql } from './storage/sql.ts';

/** How soon a failed alarm write is tried again. */
const RETRY_MS = 1_000;

/** `run`: the pipeline's next slice; `sync`: the Postgres outbox; `app`: the app follows the files. */
export type ScheduleKind = 'run' | 'sync' | 'app';

export class Scheduler {
  private readonly sql: Sql;
  private readonly storage: DurableObjectStorage;
  /** The alarm time this object last set (undefined: unknown, read it once). */
  private armed: number | null | undefined;
  private retry: ReturnType<typeof setTimeout> | undefined;

  constructor(sql: Sql, storage: DurableObjectStorage) {
    this.sql = sql;
    this.storage = storage;
  }

  /** Schedules `kind` at `at`, replacing its earlier time. */
  at(kind: ScheduleKind, at: number): void {
    this.sql.run(
      'INSERT INTO schedules (kind, at) VALUES (?, ?) ON CONFLICT (kind) DO UPDATE SET at = excluded.at',
      kind,
      Math.floor(at),
    );
    this.arm();
  }

  /** Schedules `kind` at `at` unless it is already due earlier. */
  atLatest(kind: ScheduleKind, at: number): void {
    this.sql.run(
      'INSERT INTO schedules (kind, at) VALUES (?, ?) ON CONFLICT (kind) DO UPDATE SET at = min(schedules.at, excluded.at)',
      kind,
      Math.floor(at),
    );
    this.arm();
  }

  cancel(kind: ScheduleKind): void {
    this.sql.run('DELETE FROM schedules WHERE kind = ?', kind);
    this.arm();
  }

  /** Removes and returns the schedules due at `now`. */
  takeDue(now: number): ScheduleKind[] {
    return this.sql
      .all<{ kind: string }>('DELETE FROM schedules WHERE at <= ? RETURNING kind', now)
      .map((r) => r.kind as ScheduleKind);
  }

  /** Call when the alarm fired: the runtime cleared it. */
  fired(): void {
    this.armed = null;
  }

  /** Learns the alarm's current time (once, at wake). */
  async load(): Promise<void> {
    this.armed = await this.storage.getAlarm();
  }

  /** Points the alarm at the earliest schedule (or clears it). */
  arm(): void {
    const next = this.sql.one<{ at: number | null }>('SELECT min(at) AS at FROM schedules')?.at ?? null;
    if (next === this.armed) return;
    this.armed = next;
    // Storage writes are ordered and confirmed before any output leaves the object: no await needed.
    const write = next === null ? this.storage.deleteAlarm() : this.storage.setAlarm(next);
    write.catch((err: unknown) => {
      // Without the alarm the schedules wait in SQLite for the next event: say so, and try again soon.
      this.armed = undefined;
      log.error('alarm write failed; retrying', { ...describeError(err), next });
      this.retry ??= setTimeout(() => {
        this.retry = undefined;
        this.arm();
      }, RETRY_MS);
    });
  }

  /** Forgets everything (the object is being destroyed). */
  reset(): void {
    this.armed = undefined;
    clearTimeout(this.retry);
    this.retry = undefined;
  }
}
