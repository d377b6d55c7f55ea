import { describe, expect, it } from 'vitest';
import { nodeSql } from '../testing/node-sql.ts';
import { SCHEMA_VERSION, migrate } from './schema.ts';

const tables = (sql: ReturnType<typeof nodeSql>) =>
  sql
    .all<{ name: string }>("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
    .map((t) => t.name);

describe("the Durable Object's storage schema", () => {
  it('is created from empty at the current version, and a second migration changes nothing', () => {
    const sql = nodeSql();
    expect(migrate(sql)).toBe(SCHEMA_VERSION);
    expect(tables(sql)).toEqual(
      expect.arrayContaining([
        'steps',
        'events',
        'blobs',
        'file_versions',
        'questions',
        'llm_calls',
        'outbox',
      ]),
    );
    sql.run("INSERT INTO meta (key, value) VALUES ('kept', 'yes')");
    const before = tables(sql);
    expect(migrate(sql)).toBe(SCHEMA_VERSION);
    expect(tables(sql)).toEqual(before);
    expect(sql.one<{ value: string }>("SELECT value FROM meta WHERE key = 'kept'")?.value).toBe('yes');
  });

  it('refuses data written by newer code (a rolled-back deploy) and leaves it untouched', () => {
    const sql = nodeSql();
    migrate(sql);
    sql.run('UPDATE _schema SET version = ?', SCHEMA_VERSION + 1);
    expect(() => migrate(sql)).toThrow(/newer than this code/);
    expect(sql.one<{ version: number }>('SELECT version FROM _schema')?.version).toBe(SCHEMA_VERSION + 1);
  });
});
