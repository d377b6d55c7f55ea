import { sql } from 'drizzle-orm';
import {
  bigint,
  boolean,
  check,
  index,
  integer,
  jsonb,
  pgTable,
  text,
  timestamp,
  uuid,
} from 'drizzle-orm/pg-core';
import { users } from './accounts.ts';

export const projectModes = ['autopilot', 'interactive'] as const;
export const projectStatuses = [
  'idle',
  'running',
  'waiting',
  'paused',
  'stopped',
  'failed',
  'completed',
] as const;

/**
 * The project index. The generation itself lives in the project's Durable Object; this row is what
 * crosses projects (listing, ownership, totals).
 */
export const projects = pgTable(
  'projects',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    ownerId: uuid('owner_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    name: text('name').notNull(),
    description: text('description').notNull(),
    mode: text('mode', { enum: projectModes }).notNull(),
    // The name of the pipeline that runs the project (`agents`, the product's); the Worker accepts only
    // the names it can run, and tests add their own.
    pipeline: text('pipeline').notNull().default('agents'),
    /** Model per agent for this project (`provider:model`), over its owner's choice in Settings. */
    models: jsonb('models')
      .$type<Record<string, string>>()
      .notNull()
      .default(sql`'{}'::jsonb`),
    /**
     * Review before apply: each code step's change waits for the owner to accept, edit or reject it
     * before it is written (interactive runs only; autopilot never waits for it).
     */
    reviewChanges: boolean('review_changes').notNull().default(false),
    status: text('status', { enum: projectStatuses }).notNull().default('idle'),
    /** Budget and cost in micro-dollars: integers, so sums are exact. */
    budgetMicros: bigint('budget_micros', { mode: 'number' }).notNull(),
    costMicros: bigint('cost_micros', { mode: 'number' }).notNull().default(0),
    /** Calls whose price was not known: `costMicros` leaves them out (it is a floor when this is above 0). */
    unpricedCalls: integer('unpriced_calls').notNull().default(0),
    /** Tasks of the run's plan that ended failed or skipped (not done): a completed run may have some. */
    unfinishedTasks: integer('unfinished_tasks').notNull().default(0),
    inputTokens: bigint('input_tokens', { mode: 'number' }).notNull().default(0),
    outputTokens: bigint('output_tokens', { mode: 'number' }).notNull().default(0),
    cachedTokens: bigint('cached_tokens', { mode: 'number' }).notNull().default(0),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
    lastActivityAt: timestamp('last_activity_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    // Both sort keys descending: the listing pages with `(last_activity_at, id) < (cursor)` ordered
    // by both descending, which this index serves as one forward range scan.
    index('projects_owner_activity_id_idx').on(t.ownerId, t.lastActivityAt.desc(), t.id.desc()),
    check('projects_budget_nonnegative', sql`${t.budgetMicros} >= 0`),
    check('projects_mode_known', sql`${t.mode} in ('autopilot', 'interactive')`),
    check('projects_pipeline_known', sql`${t.pipeline} in ('agents', 'scripted')`),
    check(
      'projects_status_known',
      sql`${t.status} in ('idle', 'running', 'waiting', 'paused', 'stopped', 'failed', 'completed')`,
    ),
  ],
);

export interface SnapshotFile {
  path: string;
  /** UTF-8 text, or base64 when `binary` is set. */
  content: string;
  binary?: boolean;
}

/** The file tree of a project at a task boundary: what export and listings read. */
export const projectSnapshots = pgTable(
  'project_snapshots',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    projectId: uuid('project_id')
      .notNull()
      .references(() => projects.id, { onDelete: 'cascade' }),
    /** The DO step that ended the task this snapshot closes. */
    stepId: integer('step_id').notNull(),
    branch: integer('branch').notNull().default(0),
    label: text('label').notNull(),
    fileCount: integer('file_count').notNull(),
    totalBytes: bigint('total_bytes', { mode: 'number' }).notNull(),
    files: jsonb('files').$type<SnapshotFile[]>().notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('project_snapshots_project_idx').on(t.projectId, t.createdAt.desc())],
);
