/**
 * The table of the fleet's watch of published apps (sandbox/fleet/published-apps-watch.ts), in that
 * object's own SQLite: which runner each published app is on. Kept here with the other storage modules,
 * where the Worker's SQL lives.
 */
import type { Sql } from './sql.ts';

export class PublishedAppsStore {
  private readonly sql: Sql;

  constructor(sql: Sql) {
    this.sql = sql;
    sql.run('CREATE TABLE IF NOT EXISTS apps (project_id TEXT PRIMARY KEY, runner_id TEXT NOT NULL)');
    sql.run('CREATE INDEX IF NOT EXISTS apps_by_runner ON apps (runner_id)');
  }

  /** The project's app is on `runnerId` now. */
  track(projectId: string, runnerId: string): void {
    this.sql.run(
      `INSERT INTO apps (project_id, runner_id) VALUES (?, ?)
       ON CONFLICT (project_id) DO UPDATE SET runner_id = excluded.runner_id`,
      projectId,
      runnerId,
    );
  }

  /** The project has no published app to watch; with `runnerId`, only if it is still recorded there. */
  untrack(projectId: string, runnerId?: string): void {
    if (runnerId === undefined) this.sql.run('DELETE FROM apps WHERE project_id = ?', projectId);
    else this.sql.run('DELETE FROM apps WHERE project_id = ? AND runner_id = ?', projectId, runnerId);
  }

  /** The runners that hold at least one app. */
  runners(): string[] {
    return this.sql
      .all<{ runner_id: string }>('SELECT DISTINCT runner_id FROM apps ORDER BY 1')
      .map((r) => r.runner_id);
  }

  /** The runners holding apps that are not among `up` (the runners the directory lists now). */
  lostRunners(up: ReadonlySet<string>): string[] {
    return this.runners().filter((id) => !up.has(id));
  }

  /** The projects whose app is on `runnerId`. */
  projectsOn(runnerId: string): string[] {
    return this.sql
      .all<{ project_id: string }>('SELECT project_id FROM apps WHERE runner_id = ? ORDER BY 1', runnerId)
      .map((r) => r.project_id);
  }

  /** Every app, by project. */
  all(): { projectId: string; runnerId: string }[] {
    return this.sql
      .all<{ project_id: string; runner_id: string }>('SELECT project_id, runner_id FROM apps ORDER BY 1')
      .map((r) => ({ projectId: r.project_id, runnerId: r.runner_id }));
  }
}
