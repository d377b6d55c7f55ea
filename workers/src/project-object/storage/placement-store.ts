/**
 * The runners the project's workloads are placed on, in a fleet (one row each): kept across evictions,
 * so a woken object goes back to the runner that may still hold its workspace or its published app
 * instead of placing it anew.
 */
import type { PlacementRecord, PlacementStore } from '../../sandbox/fleet/fleet-sandbox.ts';
import type { Sql } from './sql.ts';

/** The project's sandbox, or its published app. */
export type Workload = 'sandbox' | 'deployment';

export class SqlPlacementStore implements PlacementStore {
  private readonly sql: Sql;
  private readonly workload: Workload;

  constructor(sql: Sql, workload: Workload) {
    this.sql = sql;
    this.workload = workload;
  }

  get(): PlacementRecord | null {
    const row = this.sql.one<{ runner_id: string; url: string; placed_at: number }>(
      'SELECT runner_id, url, placed_at FROM placements WHERE workload = ?',
      this.workload,
    );
    return row ? { runnerId: row.runner_id, url: row.url, placedAt: row.placed_at } : null;
  }

  set(record: PlacementRecord): void {
    this.sql.run(
      `INSERT INTO placements (workload, runner_id, url, placed_at) VALUES (?, ?, ?, ?)
       ON CONFLICT (workload) DO UPDATE SET runner_id = excluded.runner_id, url = excluded.url,
       placed_at = excluded.placed_at`,
      this.workload,
      record.runnerId,
      record.url,
      record.placedAt,
    );
  }

  clear(): void {
    this.sql.run('DELETE FROM placements WHERE workload = ?', this.workload);
  }
}
