/**
 * What the project's running app was last given: the branch and the file rev its files are at, and the
 * state it was left in (a row of `meta`). The app follower (../app-follower.ts) reads it to send only
 * what changed since, and to say a state only when it changes.
 */
import { AppState } from '../../protocol.ts';
import type { Sql } from './sql.ts';

export interface AppSync {
  branch: number;
  rev: number;
  state: AppState;
}

const KEY = 'app_sync';

export function readAppSync(sql: Sql): AppSync | null {
  const row = sql.one<{ value: string }>('SELECT value FROM meta WHERE key = ?', KEY);
  if (!row) return null;
  const value = JSON.parse(row.value) as Partial<AppSync>;
  const state = AppState.safeParse(value.state);
  if (typeof value.branch !== 'number' || typeof value.rev !== 'number' || !state.success) return null;
  return { branch: value.branch, rev: value.rev, state: state.data };
}

export function writeAppSync(sql: Sql, sync: AppSync): void {
  sql.run(
    'INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value',
    KEY,
    JSON.stringify(sync),
  );
}
