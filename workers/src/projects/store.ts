import { schema, type Database, type SnapshotFile } from '@samokoder/db';
import { and, desc, eq, sql } from 'drizzle-orm';
import type { ProjectId } from '../ids.ts';
import type { ProjectCursor } from './cursor.ts';

const { projects, projectSnapshots, users } = schema;

export type ProjectMode = (typeof schema.projectModes)[number];
export type ProjectStatus = (typeof schema.projectStatuses)[number];

/** A project as the API shows it. Money in integer micro-dollars. */
export interface ProjectView {
  id: string;
  name: string;
  description: string;
  mode: ProjectMode;
  pipeline: string;
  models: Record<string, string>;
  reviewChanges: boolean;
  status: ProjectStatus;
  budgetMicros: number;
  costMicros: number;
  /** Calls whose price was not known: `costMicros` leaves them out. */
  unpricedCalls: number;
  /** Tasks of the plan that ended failed or skipped: not done, even in a completed run. */
  unfinishedTasks: number;
  inputTokens: number;
  outputTokens: number;
  cachedTokens: number;
  createdAt: string;
  updatedAt: string;
  lastActivityAt: string;
}

const viewColumns = {
  id: projects.id,
  name: projects.name,
  description: projects.description,
  mode: projects.mode,
  pipeline: projects.pipeline,
  models: projects.models,
  reviewChanges: projects.reviewChanges,
  status: projects.status,
  budgetMicros: projects.budgetMicros,
  costMicros: projects.costMicros,
  unpricedCalls: projects.unpricedCalls,
  unfinishedTasks: projects.unfinishedTasks,
  inputTokens: projects.inputTokens,
  outputTokens: projects.outputTokens,
  cachedTokens: projects.cachedTokens,
  createdAt: projects.createdAt,
  updatedAt: projects.updatedAt,
  lastActivityAt: projects.lastActivityAt,
};

type ViewRow = { [K in keyof typeof viewColumns]: (typeof projects.$inferSelect)[K] };

function toView(row: ViewRow): ProjectView {
  return {
    ...row,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
    lastActivityAt: row.lastActivityAt.toISOString(),
  };
}

/** The activity time to the microsecond, as the list cursor needs it. */
const activityText = sql<string>`to_char(${projects.lastActivityAt} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`;

const owned = (ownerId: string, id: ProjectId) => and(eq(projects.id, id), eq(projects.ownerId, ownerId));

export interface NewProject {
  name: string;
  description: string;
  mode: ProjectMode;
  /** The budget asked for; undefined: the owner's default budget (their settings), else `fallbackBudgetMicros`. */
  budgetMicros?: number | undefined;
  pipeline: string;
  models: Record<string, string>;
  reviewChanges: boolean;
}

/**
 * Creates the project in one round trip: a budget left out is read from the owner's settings inside the
 * same statement, so creating a project never waits for a settings read first.
 */
export async function createProject(
  db: Database,
  ownerId: string,
  { budgetMicros, ...input }: NewProject,
  fallbackBudgetMicros: number,
): Promise<ProjectView> {
  const ownersDefault = sql<number>`coalesce((select (${users.settings} ->> 'defaultBudgetMicros')::bigint from ${users} where ${users.id} = ${ownerId}), ${fallbackBudgetMicros})`;
  const [row] = await db
    .insert(projects)
    .values({ ownerId, ...input, budgetMicros: budgetMicros ?? ownersDefault })
    .returning(viewColumns);
  return toView(row!);
}

/** One page of the owner's projects, most recently active first. */
export async function listProjects(
  db: Database,
  ownerId: string,
  page: { limit: number; after: ProjectCursor | null },
): Promise<{ items: ProjectView[]; next: ProjectCursor | null }> {
  const rows = await db
    .select({ ...viewColumns, activity: activityText })
    .from(projects)
    .where(
      and(
        eq(projects.ownerId, ownerId),
        page.after
          ? sql`(${projects.lastActivityAt}, ${projects.id}) < (${page.after.activity}::timestamptz, ${page.after.id}::uuid)`
          : undefined,
      ),
    )
    .orderBy(desc(projects.lastActivityAt), desc(projects.id))
    // One more than asked: whether it exists says if there is a next page.
    .limit(page.limit + 1);
  const items = rows.slice(0, page.limit);
  const last = items.at(-1);
  return {
    items: items.map(({ activity: _, ...row }) => toView(row)),
    next: rows.length > page.limit && last ? { activity: last.activity, id: last.id } : null,
  };
}

export async function getProject(db: Database, ownerId: string, id: ProjectId): Promise<ProjectView | null> {
  const [row] = await db.select(viewColumns).from(projects).where(owned(ownerId, id)).limit(1);
  return row ? toView(row) : null;
}

/** What the owner may change about a project after creating it. */
export interface ProjectChanges {
  name?: string;
  reviewChanges?: boolean;
}

/** Renames a project and/or changes its settings; null when it is not the owner's. */
export async function updateProject(
  db: Database,
  ownerId: string,
  id: ProjectId,
  changes: ProjectChanges,
): Promise<ProjectView | null> {
  const [row] = await db
    .update(projects)
    .set({ ...changes, updatedAt: sql`now()` })
    .where(owned(ownerId, id))
    .returning(viewColumns);
  return row ? toView(row) : null;
}

/** Delete the project row (its snapshots go with it; its usage stays in the ledger, unlinked). */
export async function deleteProject(db: Database, ownerId: string, id: ProjectId): Promise<boolean> {
  const deleted = await db.delete(projects).where(owned(ownerId, id)).returning({ id: projects.id });
  return deleted.length > 0;
}

export interface LatestSnapshot {
  projectName: string;
  snapshot: { label: string; createdAt: Date; files: SnapshotFile[] } | null;
}

/** The owner's project with its latest snapshot (null when it has none); null when no such project. */
export async function latestSnapshot(
  db: Database,
  ownerId: string,
  id: ProjectId,
): Promise<LatestSnapshot | null> {
  const [row] = await db
    .select({
      projectName: projects.name,
      label: projectSnapshots.label,
      createdAt: projectSnapshots.createdAt,
      files: projectSnapshots.files,
    })
    .from(projects)
    .leftJoin(projectSnapshots, eq(projectSnapshots.projectId, projects.id))
    .where(owned(ownerId, id))
    .orderBy(desc(projectSnapshots.createdAt))
    .limit(1);
  if (!row) return null;
  return {
    projectName: row.projectName,
    snapshot:
      row.files && row.createdAt
        ? { label: row.label ?? '', createdAt: row.createdAt, files: row.files }
        : null,
  };
}
