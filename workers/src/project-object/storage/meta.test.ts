import { describe, expect, it } from 'vitest';
import { nodeSql } from '../testing/node-sql.ts';
import { ObjectMeta } from './meta.ts';
import { migrate } from './schema.ts';

function meta() {
  const sql = nodeSql();
  migrate(sql);
  return { sql, meta: new ObjectMeta(sql) };
}

describe("the project object's meta values", () => {
  it('counts the LLM calls made, from none', () => {
    const { meta: m } = meta();
    expect(m.llmCallsMade()).toBe(0);
    m.countLlmCall();
    m.countLlmCall();
    expect(m.llmCallsMade()).toBe(2);
  });

  it('keeps the guards the project set, none by default', () => {
    const { meta: m } = meta();
    expect(m.guards()).toEqual({});
    m.setGuards({ maxStepsPerTask: 3 });
    expect(m.guards()).toEqual({ maxStepsPerTask: 3 });
  });

  it('reads back what the app was given, and nothing from a record it cannot read', () => {
    const { sql, meta: m } = meta();
    expect(m.appSync()).toBeNull();
    m.setAppSync({ branch: 1, rev: 7, state: 'failed' });
    expect(m.appSync()).toEqual({ branch: 1, rev: 7, state: 'failed' });
    sql.run('UPDATE meta SET value = \'{"branch":1,"rev":7,"state":"dancing"}\' WHERE key = \'app_sync\'');
    expect(m.appSync()).toBeNull();
  });
});
