/**
 * The Postgres outbox: writes queued in SQLite, in the transaction of the change that caused them, for
 * the Postgres sync (../pg-sync.ts) to make later. One entry per key: queueing a key again replaces its
 * payload. This module keeps the table; when and how entries are written is the sync's policy.
 */
import type { Clock } from '../../core/ports.ts';
import type { Sql } from './sql.ts';

/** A queued write. `payload` is the JSON it was queued with. */
export interface OutboxEntry {
  [key: string]: string | number | null;
  id: number;
  key: string;
  kind: string;
  payload: string;
  attempts: number;
}

export class Outbox {
  private readonly sql: Sql;
  private readonly clock: Clock;

  constructor(sql: Sql, clock: Clock) {
    this.sql = sql;
    this.clock = clock;
  }

  /**
   * Queues a write, due now. An entry already queued under `key` takes the new payload; one that has
   * failed before keeps its retry time (its backoff is not reset by new work).
   */
  enqueue(key: string, kind: string, payload: unknown): void {
    this.sql.run(
      `INSERT INTO outbox (key, kind, payload, next_at) VALUES (?, ?, ?, ?)
       ON CONFLICT (key) DO UPDATE SET payload = excluded.payload,
         next_at = CASE WHEN outbox.attempts > 0 THEN outbox.next_at ELSE excluded.next_at END`,
      key,
      kind,
      JSON.stringify(payload),
      this.clock.now(),
    );
  }

  /** The entries due at `asOf`, oldest first, at most `limit`. */
  due(asOf: number, limit: number): OutboxEntry[] {
    return this.sql.all<OutboxEntry>(
      'SELECT id, key, kind, payload, attempts FROM outbox WHERE next_at <= ? ORDER BY id LIMIT ?',
      asOf,
      limit,
    );
  }

  /** An entry was written: it leaves the queue, unless it was queued again since it was read. */
  written(entry: OutboxEntry): void {
    this.sql.run('DELETE FROM outbox WHERE id = ? AND payload = ?', entry.id, entry.payload);
  }

  /** Removes an entry whatever its payload (a write that can never be made). */
  drop(entry: OutboxEntry): void {
    this.sql.run('DELETE FROM outbox WHERE id = ?', entry.id);
  }

  /** An attempt failed: records it, and when to try again. */
  retryLater(entry: OutboxEntry, attempts: number, at: number): void {
    this.sql.run('UPDATE outbox SET attempts = ?, next_at = ? WHERE id = ?', attempts, at, entry.id);
  }

  /** Entries waiting, due or not. */
  pending(): number {
    return this.sql.one<{ n: number }>('SELECT count(*) AS n FROM outbox')?.n ?? 0;
  }

  /** Entries due at `asOf`. */
  pendingAt(asOf: number): number {
    return this.sql.one<{ n: number }>('SELECT count(*) AS n FROM outbox WHERE next_at <= ?', asOf)?.n ?? 0;
  }

  /** When the next entry is due (null: nothing is queued). */
  nextDue(): number | null {
    return this.sql.one<{ at: number | null }>('SELECT min(next_at) AS at FROM outbox')?.at ?? null;
  }
}
