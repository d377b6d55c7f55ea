/**
 * A project object's storage, built together over one SQLite database: the stores, the event log, the
 * event sink that logs and broadcasts, and the journal the engine runs on. Used by the object itself
 * (the Durable Object's SQLite) and by the tests and benchmarks that run the engine without it
 * (`node:sqlite`), so they all wire it the same way.
 */
import type { Clock } from '../../core/ports.ts';
import type { EventBody } from '../../protocol.ts';
import { LiveSink } from '../sink.ts';
import { EventLog } from './events.ts';
import { FileStore } from './files.ts';
import { GitStore } from './git-store.ts';
import { SqlJournal } from './journal.ts';
import { LlmCallStore } from './llm-calls.ts';
import { ObjectMeta } from './meta.ts';
import { Outbox } from './outbox.ts';
import { SqlPlacementStore } from './placement-store.ts';
import { ScheduleStore } from './schedules.ts';
import { migrate } from './schema.ts';
import type { Sql } from './sql.ts';

export interface ProjectStorageOptions {
  clock: Clock;
  /** Sends logged frames to the viewers (once the transaction that logged them has committed). */
  broadcast?: (frames: string[]) => void;
  /** Told of every event as it is logged (inside the caller's transaction). */
  onLogged?: (event: EventBody) => void;
  /** Called when a transaction that queued Postgres writes has committed. */
  onOutbox?: () => void;
}

export interface ProjectStorage {
  /** The database itself, for tests' direct looks (a lint rule keeps feature code on the stores). */
  sql: Sql;
  meta: ObjectMeta;
  files: FileStore;
  /** The project's git repository (its history as commits). */
  git: GitStore;
  log: EventLog;
  sink: LiveSink;
  journal: SqlJournal;
  calls: LlmCallStore;
  outbox: Outbox;
  schedules: ScheduleStore;
  /** The runners the project's sandbox and its published app are placed on (a fleet of runners). */
  placement: { sandbox: SqlPlacementStore; deployment: SqlPlacementStore };
  /** Brings the schema up to date (before anything reads; the object does it at wake). */
  migrate(): void;
}

/**
 * Builds the storage over `sql`. Nothing is read or written until it is used: the object migrates
 * first, at wake (see schema.ts).
 */
export function openProjectStorage(sql: Sql, opts: ProjectStorageOptions): ProjectStorage {
  const { clock } = opts;
  const meta = new ObjectMeta(sql);
  const files = new FileStore(sql);
  const log = new EventLog(sql);
  const sink = new LiveSink(log, clock.now, opts.broadcast ?? (() => {}), opts.onLogged);
  const calls = new LlmCallStore(sql);
  const outbox = new Outbox(sql, clock);
  const journal = new SqlJournal({
    sql,
    files,
    meta,
    outbox,
    calls,
    clock,
    // One transaction per change, whose events reach viewers only once it has committed.
    atomic: (fn) => sink.batch(() => sql.tx(fn)),
    onOutbox: opts.onOutbox ?? (() => {}),
  });
  return {
    sql,
    meta,
    files,
    git: new GitStore(sql),
    log,
    sink,
    journal,
    calls,
    outbox,
    schedules: new ScheduleStore(sql),
    placement: {
      sandbox: new SqlPlacementStore(sql, 'sandbox'),
      deployment: new SqlPlacementStore(sql, 'deployment'),
    },
    migrate: () => {
      migrate(sql);
    },
  };
}
