/**
 * The agents' pipeline state: what each step hands to the next. It is stored as JSON after every step,
 * so it holds only what later steps need (no file contents: those live in the file store) and stays
 * small however big the project grows, apart from one short note per file.
 *
 * A stored state may be older than the code reading it (a project resumed after a deploy), so it carries
 * a `version` and is read back only through {@link readAgentsState}: checked against the schema of its
 * version and upgraded to the current one ({@link upgrade}), or refused with the reason.
 */
import { z } from 'zod';
import { DevStep } from '../../protocol.ts';
import { UnreadableState } from '../errors.ts';
import { DebugHistory } from './debug-attempts.ts';
import type { JsonObject } from '../json.ts';
import type { StepContext, StepResult, TaskRef } from '../pipeline.ts';
import type { AgentName, AgentRef, InputOf } from './steps.ts';
import { UserNote } from './user-notes.ts';

/** The version of the state this code writes. */
export const AGENTS_STATE_VERSION = 1;

export const TaskState = z.object({
  id: z.string(),
  title: z.string(),
  description: z.string(),
  acceptance: z.array(z.string()),
  epic: z.string().optional(),
});
export type TaskState = z.infer<typeof TaskState>;

/** A person's comment on a change they rejected (review before apply). */
export const ReviewNote = z.object({ path: z.string(), comment: z.string() });
export type ReviewNote = z.infer<typeof ReviewNote>;

/** The current task's plan, as the Developer (or the Troubleshooter) made it. */
export const WorkState = z.object({
  taskId: z.string(),
  steps: z.array(DevStep),
  relevantFiles: z.array(z.string()),
  testInstructions: z.string(),
  /** The person's review comments so far in this task: later files of the task heed them too. */
  reviews: z.array(ReviewNote).optional(),
  /**
   * Commands of this task the user moved on from while they still failed (the BugHunter's "Skip"): the
   * task ends `failed`, not done.
   */
  unresolved: z.array(z.string()).optional(),
  /** The task is tried again after it failed or was skipped: when it ends, the app is started again. */
  again: z.boolean().optional(),
  /**
   * The task's acceptance tests (paths), written by the TestWriter before its code: the coding steps may
   * not change them without the user's approval. Absent until they are written (and in older runs).
   */
  acceptanceTests: z.array(z.string()).optional(),
});
export type WorkState = z.infer<typeof WorkState>;

/** How a task ended (see `TaskOutcomeStatus`), and why when it is not done. */
export const TaskOutcome = z.object({
  status: z.enum(['completed', 'failed', 'skipped']),
  reason: z.string().optional(),
});
export type TaskOutcome = z.infer<typeof TaskOutcome>;

/** The specification as the SpecWriter made it, with the answers to its questions. */
const SpecState = z.object({
  name: z.string(),
  summary: z.string(),
  features: z.array(z.string()),
  complexity: z.enum(['simple', 'moderate', 'complex']),
  questions: z.array(z.object({ question: z.string(), options: z.array(z.string()), default: z.string() })),
  clarifications: z.array(z.object({ question: z.string(), answer: z.string() })),
});

export const AgentsState = z.object({
  version: z.literal(AGENTS_STATE_VERSION),
  spec: SpecState.nullable(),
  stack: z
    .object({
      id: z.string(),
      packages: z.array(z.string()),
      notes: z.string(),
      /** The project's conventions as the Architect stated them (absent in older runs: the stack's). */
      conventions: z.string().optional(),
    })
    .nullable(),
  tasks: z.array(TaskState),
  work: WorkState.nullable(),
  /** One line per file, written by whoever wrote the file: the project summary's file list. */
  fileNotes: z.record(z.string(), z.string()),
  /** Version of each file as last written to the sandbox (the Executor writes only what changed). */
  synced: z.record(z.string(), z.number()),
  /** The branch `synced` describes: after a rollback the workspace is written again in full. */
  syncBranch: z.number(),
  /**
   * The version of package.json whose dependencies the sandbox has installed (null: none yet, or a
   * workspace written afresh). A new version installs again before the next command.
   */
  installed: z.number().nullable(),
  /** LLM calls and estimated prompt tokens per task (`plan` before the first task). */
  stats: z.record(z.string(), z.object({ calls: z.number(), promptTokens: z.number() })),
  app: z.object({ ready: z.boolean() }).nullable(),
  /** Tasks started from the user's messages on the finished app (bug reports and change requests). */
  fixes: z.number(),
  /**
   * The debug loop's attempts in the current task (or after the tasks) and what became of them; absent
   * in states saved before it was kept (and until the first attempt).
   */
  debug: DebugHistory.optional(),
  /**
   * What the user said during the run, newest first (see user-notes.ts): every later call shows it.
   * Absent in states written before notes were kept, and until the user says something.
   */
  notes: z.array(UserNote).optional(),
  /**
   * How each ended task ended, by task id. Absent in states of runs from before outcomes were kept (their
   * tasks before the current one are taken as done); see `outcome.ts`.
   */
  outcomes: z.record(z.string(), TaskOutcome).optional(),
});
export type AgentsState = z.infer<typeof AgentsState>;

export function initialState(): AgentsState {
  return {
    version: AGENTS_STATE_VERSION,
    spec: null,
    stack: null,
    tasks: [],
    work: null,
    fileNotes: {},
    synced: {},
    syncBranch: -1,
    installed: null,
    stats: {},
    app: null,
    fixes: 0,
    outcomes: {},
  };
}

/**
 * A stored state in the current version's shape. The state before versions (no `version`) differs in
 * two places: `installed` could be absent (states from before dependencies were installed), and `app`
 * could carry a `previewUrl` (a link with a token, no longer kept).
 */
export function upgrade(stored: JsonObject): JsonObject {
  if (stored.version !== undefined) return stored;
  const app = stored.app as { ready?: JsonObject[string] } | null | undefined;
  return {
    ...stored,
    version: AGENTS_STATE_VERSION,
    installed: stored.installed ?? null,
    app: app ? { ready: app.ready ?? false } : null,
  };
}

/**
 * A stored state, upgraded and checked. What is checked is returned as stored (not the parsed copy): a
 * step run again sees exactly what it saw the first time, so its prompts, and the recorded calls they
 * find, stay the same.
 */
export function readAgentsState(stored: JsonObject): AgentsState {
  if (typeof stored.version === 'number' && stored.version > AGENTS_STATE_VERSION) {
    throw new UnreadableState(
      `the run's saved state is of version ${stored.version}, written by a newer version of Samokoder than this one (${AGENTS_STATE_VERSION})`,
    );
  }
  const current = upgrade(stored);
  const checked = AgentsState.safeParse(current);
  if (!checked.success) {
    throw new UnreadableState(
      `the run's saved state does not fit this version: ${z.prettifyError(checked.error)}`,
    );
  }
  return current as AgentsState;
}

/** The context of agent `A`'s step: the pipeline's state and that agent's input. */
export type AgentContext<A extends AgentName = AgentName> = StepContext<AgentsState, InputOf<A>>;

/** What an agent step returns: the next state, and the next step of the graph. */
export interface AgentResult extends Omit<StepResult<AgentsState>, 'next'> {
  next: AgentRef | null;
}

export type AgentStep<A extends AgentName> = (
  ctx: AgentContext<A>,
  state: AgentsState,
) => Promise<AgentResult>;

/** The task a step ref belongs to. */
export function taskRef(task: TaskState): TaskRef {
  return { id: task.id, title: task.title };
}

/** The `task` of a step's ref for `task` (null: a step outside the tasks). */
export function forTask(task: TaskState | null): { task: TaskRef | null } {
  return { task: task ? taskRef(task) : null };
}
