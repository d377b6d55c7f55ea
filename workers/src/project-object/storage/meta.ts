/**
 * The project object's own small values, one row of `meta` each (a JSON value under a key). Every key
 * has its accessors here, so no caller spells a key or a value's shape.
 */
import { AppState, type ProjectMode, type RunReason, type RunStatus, type Totals } from '../../protocol.ts';
import type { ProjectInput } from '../../core/pipeline.ts';
import type { ProjectId } from '../../ids.ts';
import type { Sql } from './sql.ts';

/** The project as the Worker describes it when it tells its object the project's facts. */
export interface ProjectInfo extends ProjectInput {
  /** Canonical (ids.ts): runner tokens, ledger rows and the Postgres sync are keyed by it. */
  projectId: ProjectId;
  ownerId: string;
  budgetMicros: number;
  /** The pipeline to run (`agents`, or `scripted` for tests). */
  pipeline: string;
  /** Model per agent (`provider:model`): the owner's Settings with the project's own choice over them. */
  models?: Record<string, string>;
}

/** The run's own record (the journal's; see journal.ts). */
export interface RunMeta {
  status: RunStatus;
  reason: RunReason | null;
  mode: ProjectMode;
  branch: number;
  guardEpoch: number;
  totals: Totals;
  /** Tasks of the run's plan that ended without being done (absent in runs from before it was kept). */
  unfinishedTasks?: number;
}

/**
 * What the project's running app was last given: the branch and the file rev its files are at, and the
 * state it was left in. The app follower (../app-follower.ts) reads it to send only what changed since,
 * and to say a state only when it changes.
 */
export interface AppSync {
  branch: number;
  rev: number;
  state: AppState;
}

/** Where an imported project's files came from (see `FilesApi.importFiles`). */
export interface ImportRecord {
  source: 'zip' | 'repository';
  /** The archive's file name or the repository's URL. */
  from: string;
  files: number;
}

type Key = 'project' | 'run' | 'guards' | 'llm_calls_made' | 'app_sync' | 'environment_tries' | 'import';

export class ObjectMeta {
  private readonly sql: Sql;

  constructor(sql: Sql) {
    this.sql = sql;
  }

  private read(key: Key): unknown {
    const row = this.sql.one<{ value: string }>('SELECT value FROM meta WHERE key = ?', key);
    return row ? (JSON.parse(row.value) as unknown) : null;
  }

  private write(key: Key, value: unknown): void {
    this.sql.run(
      'INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value',
      key,
      JSON.stringify(value),
    );
  }

  /** The project's facts, once the Worker told them (`imported` when its files were imported). */
  project(): ProjectInfo | null {
    const info = this.read('project') as ProjectInfo | null;
    return info && this.imported() ? { ...info, imported: true } : info;
  }

  /** Where the project's files were imported from; null for a project made from a description. */
  imported(): ImportRecord | null {
    return this.read('import') as ImportRecord | null;
  }

  setImported(record: ImportRecord): void {
    this.write('import', record);
  }

  setProject(project: ProjectInfo): void {
    this.write('project', project);
  }

  /** The run's record as stored (records from before unknown prices lack `totals.unpricedCalls`). */
  run(): RunMeta | null {
    return this.read('run') as RunMeta | null;
  }

  setRun(run: RunMeta): void {
    this.write('run', run);
  }

  /** The loop guards' limits the project set (none: the pipeline's defaults). */
  guards(): Record<string, number> {
    return (this.read('guards') as Record<string, number> | null) ?? {};
  }

  setGuards(guards: Record<string, number>): void {
    this.write('guards', guards);
  }

  /** Counts one LLM call actually made (a replayed call is not). */
  countLlmCall(): void {
    this.sql.run(
      `INSERT INTO meta (key, value) VALUES ('llm_calls_made', '1')
       ON CONFLICT (key) DO UPDATE SET value = CAST(CAST(value AS INTEGER) + 1 AS TEXT)`,
    );
  }

  /** LLM calls actually made over the object's life. */
  llmCallsMade(): number {
    return Number(this.read('llm_calls_made') ?? 0);
  }

  /** What the running app was last given; null before the app was started (or when unreadable). */
  appSync(): AppSync | null {
    const value = this.read('app_sync') as Partial<AppSync> | null;
    if (!value) return null;
    const state = AppState.safeParse(value.state);
    if (typeof value.branch !== 'number' || typeof value.rev !== 'number' || !state.success) return null;
    return { branch: value.branch, rev: value.rev, state: state.data };
  }

  setAppSync(sync: AppSync): void {
    this.write('app_sync', sync);
  }

  /** The step that last failed because of the environment, and how many times in a row. */
  environmentTries(): { stepId: number; tries: number } | null {
    const value = this.read('environment_tries') as { stepId?: unknown; tries?: unknown } | null;
    if (typeof value?.stepId !== 'number' || typeof value.tries !== 'number') return null;
    return { stepId: value.stepId, tries: value.tries };
  }

  setEnvironmentTries(value: { stepId: number; tries: number }): void {
    this.write('environment_tries', value);
  }

  clearEnvironmentTries(): void {
    this.sql.run("DELETE FROM meta WHERE key = 'environment_tries'");
  }
}
