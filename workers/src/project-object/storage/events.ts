/**
 * The project's event log: every event a viewer can see, with a monotonic `seq`. Bodies are stored as
 * the JSON a client receives (minus `seq` and `at`), so a replay sends stored text without re-encoding.
 */
import type { EventBody } from '../../protocol.ts';
import type { Sql } from './sql.ts';

/** A logged event, ready to send. */
export interface LoggedFrame {
  seq: number;
  frame: string;
}

/** Builds the wire frame of a stored event: `{"seq":..,"at":..,<body fields>}`. */
export function frameOf(seq: number, at: number, body: string): string {
  return `{"seq":${seq},"at":${at},${body.slice(1)}`;
}

export class EventLog {
  private readonly sql: Sql;

  constructor(sql: Sql) {
    this.sql = sql;
  }

  /**
   * Appends an event. With a key already in the log, nothing is appended and null is returned: a step
   * re-run after an interruption re-emits its events under the same keys.
   */
  append(event: EventBody, at: number, key?: string): LoggedFrame | null {
    const body = JSON.stringify(event);
    const row = key
      ? this.sql.one<{ seq: number }>(
          'INSERT INTO events (type, body, key, at) VALUES (?, ?, ?, ?) ON CONFLICT (key) DO NOTHING RETURNING seq',
          event.type,
          body,
          key,
          at,
        )
      : this.sql.one<{ seq: number }>(
          'INSERT INTO events (type, body, at) VALUES (?, ?, ?) RETURNING seq',
          event.type,
          body,
          at,
        );
    return row ? { seq: row.seq, frame: frameOf(row.seq, at, body) } : null;
  }

  /** Events after `after`, oldest first, at most `limit`. */
  since(after: number, limit: number): LoggedFrame[] {
    return this.sql
      .all<{ seq: number; at: number; body: string }>(
        'SELECT seq, at, body FROM events WHERE seq > ? ORDER BY seq LIMIT ?',
        after,
        limit,
      )
      .map((r) => ({ seq: r.seq, frame: frameOf(r.seq, r.at, r.body) }));
  }

  /**
   * The bodies of the latest `artifact` events, newest first, at most `limit`, as stored (JSON text of
   * an {@link EventBody}): where the preview finds how the app was last started.
   */
  latestArtifacts(limit: number): string[] {
    return this.sql
      .all<{ body: string }>(
        "SELECT body FROM events WHERE type = 'artifact' ORDER BY seq DESC LIMIT ?",
        limit,
      )
      .map((r) => r.body);
  }

  lastSeq(): number {
    return this.sql.one<{ seq: number | null }>('SELECT max(seq) AS seq FROM events')?.seq ?? 0;
  }
}
