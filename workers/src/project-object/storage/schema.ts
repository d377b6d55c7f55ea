/**
 * The Durable Object's SQLite schema, versioned. Migrations run in order at wake, inside
 * `blockConcurrencyWhile`, before any event is handled (so no code ever sees an old schema).
 * Never edit a released migration: add the next one.
 */
import type { Sql } from './sql.ts';

const MIGRATIONS: readonly string[] = [
  // 1: the step engine, the event log, files, questions, LLM calls, messages, schedules, the outbox.
  `
  CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
  CREATE TABLE branches (
    id INTEGER PRIMARY KEY, parent INTEGER, fork_step INTEGER, fork_rev INTEGER, created_at INTEGER NOT NULL
  );
  CREATE TABLE steps (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    branch INTEGER NOT NULL,
    parent_id INTEGER,
    agent TEXT NOT NULL,
    title TEXT NOT NULL,
    input TEXT,
    task_id TEXT,
    task_title TEXT,
    status TEXT NOT NULL,
    attempt INTEGER NOT NULL DEFAULT 0,
    failures INTEGER NOT NULL DEFAULT 0,
    last_error TEXT,
    state_after TEXT,
    next TEXT,
    failure_sig TEXT,
    rev_after INTEGER,
    created_at INTEGER NOT NULL,
    started_at INTEGER,
    ended_at INTEGER
  );
  CREATE INDEX steps_branch_status ON steps (branch, status, id);
  CREATE INDEX steps_branch_task ON steps (branch, task_id, id);
  CREATE TABLE events (
    seq INTEGER PRIMARY KEY AUTOINCREMENT, type TEXT NOT NULL, body TEXT NOT NULL, key TEXT UNIQUE,
    at INTEGER NOT NULL
  );
  CREATE TABLE blobs (hash TEXT PRIMARY KEY, content TEXT NOT NULL, size INTEGER NOT NULL) WITHOUT ROWID;
  CREATE TABLE file_versions (
    rev INTEGER PRIMARY KEY AUTOINCREMENT,
    branch INTEGER NOT NULL,
    path TEXT NOT NULL,
    version INTEGER NOT NULL,
    hash TEXT,
    size INTEGER NOT NULL,
    step_id INTEGER,
    author TEXT NOT NULL,
    at INTEGER NOT NULL
  );
  CREATE INDEX file_versions_path ON file_versions (path, branch, rev);
  CREATE INDEX file_versions_branch ON file_versions (branch, rev);
  CREATE INDEX file_versions_step ON file_versions (step_id);
  CREATE TABLE files_head (
    branch INTEGER NOT NULL, path TEXT NOT NULL, rev INTEGER NOT NULL, version INTEGER NOT NULL, hash TEXT,
    size INTEGER NOT NULL, PRIMARY KEY (branch, path)
  ) WITHOUT ROWID;
  CREATE TABLE questions (
    id TEXT PRIMARY KEY, step_id INTEGER NOT NULL, text TEXT NOT NULL, options TEXT, default_answer TEXT,
    answer TEXT, answered_by TEXT, created_at INTEGER NOT NULL, answered_at INTEGER
  );
  CREATE INDEX questions_step ON questions (step_id);
  CREATE TABLE llm_calls (
    key TEXT PRIMARY KEY, step_id INTEGER NOT NULL, agent TEXT NOT NULL, fingerprint TEXT NOT NULL,
    completion TEXT NOT NULL, provider TEXT NOT NULL, model TEXT NOT NULL, input_tokens INTEGER NOT NULL,
    output_tokens INTEGER NOT NULL, cached_tokens INTEGER NOT NULL, cost_micros INTEGER NOT NULL,
    latency_ms INTEGER NOT NULL, created_at INTEGER NOT NULL
  );
  CREATE TABLE inbox (
    id TEXT PRIMARY KEY, text TEXT NOT NULL, kind TEXT NOT NULL, at INTEGER NOT NULL, consumed_by INTEGER
  );
  CREATE INDEX inbox_pending ON inbox (consumed_by, at);
  CREATE TABLE schedules (kind TEXT PRIMARY KEY, at INTEGER NOT NULL);
  CREATE TABLE outbox (
    id INTEGER PRIMARY KEY AUTOINCREMENT, key TEXT NOT NULL UNIQUE, kind TEXT NOT NULL, payload TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0, next_at INTEGER NOT NULL
  );
  `,
  // 2: why a step starts again (an answer is not a retry), each call's price being known, per-step
  // usage by an index, and the change a review question shows.
  `
  ALTER TABLE steps ADD COLUMN rerun TEXT;
  ALTER TABLE llm_calls ADD COLUMN price_known INTEGER NOT NULL DEFAULT 1;
  CREATE INDEX llm_calls_step ON llm_calls (step_id);
  ALTER TABLE questions ADD COLUMN review TEXT;
  `,
  // 3: binary files (an imported project's images, fonts...): their content is base64, flagged so it is
  // written to the sandbox and exported as bytes and never shown to a model.
  `
  ALTER TABLE blobs ADD COLUMN binary INTEGER NOT NULL DEFAULT 0;
  `,
  // 4: the project's git history (workers/src/git/history.ts). Trees and commits are kept as objects
  // (base64 bodies); a file's git blob id maps to its existing \`blobs\` row, so contents are not stored
  // twice. \`git_heads\` is each branch's head: its commit, root tree and how far (file rev, step) it
  // covers; \`git_commits\` finds the commit of a step; \`git_refs\` holds refs that are not branches.
  `
  CREATE TABLE git_objects (id TEXT PRIMARY KEY, type TEXT NOT NULL, body TEXT NOT NULL) WITHOUT ROWID;
  CREATE TABLE git_blobs (hash TEXT PRIMARY KEY, id TEXT NOT NULL UNIQUE) WITHOUT ROWID;
  CREATE TABLE git_commits (
    id TEXT PRIMARY KEY, branch INTEGER NOT NULL, step_id INTEGER, rev INTEGER NOT NULL
  ) WITHOUT ROWID;
  CREATE INDEX git_commits_step ON git_commits (step_id);
  CREATE TABLE git_heads (
    branch INTEGER PRIMARY KEY, commit_id TEXT, tree_id TEXT NOT NULL, rev INTEGER NOT NULL,
    step_id INTEGER NOT NULL
  );
  CREATE TABLE git_refs (name TEXT PRIMARY KEY, target TEXT NOT NULL) WITHOUT ROWID;
  `,
  // 5: a pull from a remote is a user's step whose commit has the remote's tip as its second parent
  // (a merge commit): \`git_merges\` names that parent for the history writer.
  `
  CREATE TABLE git_merges (step_id INTEGER PRIMARY KEY, parent TEXT NOT NULL);
  `,
  // 6: a file's executable bit (git's mode 100755: a \`bin/\` script, \`gradlew\`), kept beside each
  // version and the head, so it survives imports, the history, pulls and pushes.
  `
  ALTER TABLE file_versions ADD COLUMN executable INTEGER NOT NULL DEFAULT 0;
  ALTER TABLE files_head ADD COLUMN executable INTEGER NOT NULL DEFAULT 0;
  `,
  // 7: in a fleet of runners, the runner each of the project's workloads is placed on: its sandbox
  // (\`sandbox\`) and its published app (\`deployment\`) (placement-store.ts).
  `
  CREATE TABLE placements (
    workload TEXT PRIMARY KEY, runner_id TEXT NOT NULL, url TEXT NOT NULL, placed_at INTEGER NOT NULL
  ) WITHOUT ROWID;
  `,
];

/** The schema version this code expects. */
export const SCHEMA_VERSION = MIGRATIONS.length;

function statements(script: string): string[] {
  return script
    .split(';')
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
}

/** Brings the schema to {@link SCHEMA_VERSION}; each migration commits with its version bump. */
export function migrate(sql: Sql): number {
  sql.run(
    'CREATE TABLE IF NOT EXISTS _schema (id INTEGER PRIMARY KEY CHECK (id = 1), version INTEGER NOT NULL)',
  );
  const row = sql.one<{ version: number }>('SELECT version FROM _schema WHERE id = 1');
  const from = row?.version ?? 0;
  if (from > SCHEMA_VERSION) {
    // Code older than the data (a rollback of a deploy): refuse rather than corrupt.
    throw new Error(`storage schema ${from} is newer than this code (${SCHEMA_VERSION})`);
  }
  for (let version = from + 1; version <= SCHEMA_VERSION; version++) {
    sql.tx(() => {
      for (const statement of statements(MIGRATIONS[version - 1]!)) sql.run(statement);
      sql.run(
        'INSERT INTO _schema (id, version) VALUES (1, ?) ON CONFLICT (id) DO UPDATE SET version = excluded.version',
        version,
      );
    });
  }
  return SCHEMA_VERSION;
}
