/**
 * The little of SQLite the storage needs, as a port: the Durable Object's `ctx.storage.sql` in
 * production, `node:sqlite` in the Node unit tests. Same SQL dialect on both.
 */

export type SqlValue = string | number | null;
export type SqlRow = Record<string, SqlValue>;

export interface Sql {
  /** Runs one statement and returns its rows. */
  all<T extends SqlRow = SqlRow>(query: string, ...params: SqlValue[]): T[];
  /** The first row, if any. */
  one<T extends SqlRow = SqlRow>(query: string, ...params: SqlValue[]): T | undefined;
  /** Runs one statement for its effect. */
  run(query: string, ...params: SqlValue[]): void;
  /** Runs `fn` in a transaction (nested calls join the outer one). */
  tx<T>(fn: () => T): T;
}

/** The Durable Object's SQLite (synchronous; writes are durable before any output leaves the object). */
export function durableObjectSql(storage: DurableObjectStorage): Sql {
  const sql = storage.sql;
  let depth = 0;
  return {
    all: <T extends SqlRow>(query: string, ...params: SqlValue[]) => sql.exec<T>(query, ...params).toArray(),
    one: <T extends SqlRow>(query: string, ...params: SqlValue[]) => {
      const rows = sql.exec<T>(query, ...params).toArray();
      return rows[0];
    },
    run: (query: string, ...params: SqlValue[]) => {
      sql.exec(query, ...params);
    },
    tx: <T>(fn: () => T): T => {
      if (depth > 0) return fn();
      depth++;
      try {
        return storage.transactionSync(fn);
      } finally {
        depth--;
      }
    },
  };
}
