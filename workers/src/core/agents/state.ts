/**
 * The agents' pipeline state: what each step hands to the next. It is stored as JSON after every step,
 * so it holds only what later steps need (no file contents: those live in the file store) and stays
 * small however big the project grows, apart from one short note per file.
 */
import type { JsonObject } from '../json.ts';
import { toJson } from '../context.ts';
import type { StepContext, StepRef, StepResult } from '../pipeline.ts';
import type { DevStep, Spec } from './schemas.ts';

export interface TaskState {
  id: string;
  title: string;
  description: string;
  acceptance: string[];
}

/** A person's comment on a change they rejected (review before apply). */
export interface ReviewNote {
  path: string;
  comment: string;
}

/** The current task's plan, as the Developer (or the Troubleshooter) made it. */
export interface WorkState {
  taskId: string;
  steps: DevStep[];
  relevantFiles: string[];
  testInstructions: string;
  /** The person's review comments so far in this task: later files of the task heed them too. */
  reviews?: ReviewNote[];
}

export interface AgentsState {
  spec: (Spec & { clarifications: { question: string; answer: string }[] }) | null;
  stack: { id: string; packages: string[]; notes: string } | null;
  tasks: TaskState[];
  work: WorkState | null;
  /** One line per file, written by whoever wrote the file: the project summary's file list. */
  fileNotes: Record<string, string>;
  /** Version of each file as last written to the sandbox (the Executor writes only what changed). */
  synced: Record<string, number>;
  /** The branch `synced` describes: after a rollback the workspace is written again in full. */
  syncBranch: number;
  /**
   * The version of package.json whose dependencies the sandbox has installed (null: none yet, or a
   * workspace written afresh). A new version installs again before the next command.
   */
  installed?: number | null;
  /** LLM calls and estimated prompt tokens per task (`plan` before the first task). */
  stats: Record<string, { calls: number; promptTokens: number }>;
  app: { ready: boolean } | null;
  /** Troubleshooting tasks started from the user's reports. */
  fixes: number;
}

export function initialState(): AgentsState {
  return {
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
  };
}

/** What an agent step returns (typed state; the wrapper stores it as JSON). */
export interface AgentResult extends Omit<StepResult, 'state'> {
  state: AgentsState;
}

export type AgentStep = (ctx: StepContext, state: AgentsState) => Promise<AgentResult>;

/**
 * An agent as the engine's step function. The casts are the one place the JSON the engine stores meets
 * the typed state: the state an agent receives was produced by this pipeline's own steps.
 */
export function agentStep(fn: AgentStep) {
  return async (ctx: StepContext): Promise<StepResult> => {
    const result = await fn(ctx, ctx.state as unknown as AgentsState);
    return { ...result, state: toJson(result.state) as JsonObject };
  };
}

/** The task a step ref belongs to. */
export function taskRef(task: TaskState): { id: string; title: string } {
  return { id: task.id, title: task.title };
}

/** The ref of a step for the current task. */
export function stepOf(
  agent: string,
  title: string,
  task: TaskState | null,
  input?: StepRef['input'],
): StepRef {
  return { agent, title, task: task ? taskRef(task) : null, ...(input !== undefined ? { input } : {}) };
}
