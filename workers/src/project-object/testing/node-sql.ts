/**
 * The storage's SQL port over `node:sqlite`, for unit tests in Node: the same SQL as the Durable
 * Object's SQLite, without workerd.
 */
import { DatabaseSync, type StatementSync } from 'node:sqlite';
import type { Sql, SqlRow, SqlValue } from '../storage/sql.ts';

/** A fresh in-memory database (or `db`) behind the storage's SQL port. */
export function nodeSql(db: DatabaseSync = new DatabaseSync(':memory:')): Sql & { db: DatabaseSync } {
  const statements = new Map<string, StatementSync>();
  const prepare = (query: string): StatementSync => {
    let stmt = statements.get(query);
    if (!stmt) {
      stmt = db.prepare(query);
      statements.set(query, stmt);
    }
    return stmt;
  };
  let depth = 0;
  return {
    db,
    all: <T extends SqlRow>(query: string, ...params: SqlValue[]) => prepare(query).all(...params) as T[],
    one: <T extends SqlRow>(query: string, ...params: SqlValue[]) =>
      prepare(query).get(...params) as T | undefined,
    run: (query: string, ...params: SqlValue[]) => {
      prepare(query).run(...params);
    },
    tx: <T>(fn: () => T): T => {
      if (depth > 0) return fn();
      depth++;
      db.exec('BEGIN');
      try {
        const result = fn();
        db.exec('COMMIT');
        return result;
      } catch (err) {
        db.exec('ROLLBACK');
        throw err;
      } finally {
        depth--;
      }
    },
  };
}
