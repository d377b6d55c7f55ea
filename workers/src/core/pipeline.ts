/**
 * The step-function interface: a pipeline is a set of pure async step functions over ports. The engine
 * runs one step at a time; a step reads the state left by the step before it, does its work through its
 * context, and returns the next state and the next step. Agents (SpecWriter ... TechnicalWriter) are step
 * functions of this shape.
 *
 * Determinism contract (why a resumed step is safe): a step may be run again from its beginning (after a
 * crash, an eviction, or a question being answered). Everything it gets from outside comes through the
 * context and is replayed identically: recorded LLM outputs, recorded answers, the files and state of its
 * checkpoint. So it must not keep module-level state, and it must not read the time or random numbers
 * except through `ctx.now()`.
 */
import type { ZodType } from 'zod';
import type { Artifact, EventBody, ProjectMode, ReviewVerdict } from '../protocol.ts';
import type { JsonObject, JsonValue } from './json.ts';
import type { ExecOutcome, ExecRequest, LlmMessage, LlmUsage, ModelWindow } from './ports.ts';

/** The project a run belongs to, as the user created it. */
export interface ProjectInput {
  projectId: string;
  name: string;
  description: string;
  mode: ProjectMode;
  /**
   * Review before apply: a code step shows the change it would write and waits for the person to
   * accept, edit or reject it (interactive mode only; autopilot never waits for it).
   */
  reviewChanges?: boolean;
  /**
   * The project started from an existing app (a zip, a repository) instead of a description: the
   * pipeline reads what is there rather than writing a specification from scratch.
   */
  imported?: boolean;
}

/** A unit of the plan: loop guards count per task, and the end of a task snapshots the file tree. */
export interface TaskRef {
  id: string;
  title: string;
}

/** How a task ended. Only `completed` is done: the others are shown as not done everywhere. */
export type TaskOutcomeStatus = 'completed' | 'failed' | 'skipped';

/** Which step runs next: the agent (a key of `Pipeline.steps`), what it is given, and its task. */
export interface StepRef {
  agent: string;
  title: string;
  input?: JsonValue;
  task?: TaskRef | null;
}

export interface FileInfo {
  path: string;
  version: number;
  size: number;
  /** A binary file: `FilesView.read` gives null for it, `readBinary` its base64 (absent: text). */
  binary?: boolean;
}

/**
 * The project's files as a step sees them: the branch's current tree plus the step's own writes. Writes
 * are buffered and become visible to others only when the step commits.
 */
export interface FilesView {
  /** A text file's content; null when there is no such file, or it is binary (never shown to a model). */
  read(path: string): Promise<string | null>;
  /** A binary file's content as base64, for the sandbox only (null: no such file, or a text one). */
  readBinary(path: string): Promise<string | null>;
  /** Every file of the tree; costs as much as the tree is big, so agents should read what they need. */
  list(): Promise<FileInfo[]>;
  write(path: string, content: string): void;
  delete(path: string): void;
}

export interface LlmCall<T> {
  model?: string;
  messages: LlmMessage[];
  /** Structured output: the recorded object is parsed with this schema on every (re)play. */
  schema?: ZodType<T>;
  /** Stream the text live to viewers (default true for text, false for structured output). */
  stream?: boolean;
}

export interface LlmAnswer<T> {
  text: string;
  object: T | undefined;
  usage: LlmUsage;
  /** Null when the model has no known price. */
  costMicros: number | null;
  /** True when the output came from the record of an earlier run of this step (no call was made). */
  replayed: boolean;
  /** Why the model stopped (`stop`, `length`…); absent where a test double leaves it out. */
  finishReason?: string;
}

/** LLM calls of a step, recorded by a deterministic key (the step id and the call's index in the step). */
export interface RecordedLlm {
  complete<T = unknown>(call: LlmCall<T>): Promise<LlmAnswer<T>>;
  /** The window of the model this step's calls go to; absent where the LLM layer does not say. */
  window?(): Promise<ModelWindow>;
}

export interface QuestionSpec {
  text: string;
  options?: string[];
  /** What autopilot answers; null when only the user can answer (a key to add): autopilot waits too. */
  default: string | null;
}

/** A change an agent would write to one file, for the person's review (see `StepContext.review`). */
export interface ProposedFile {
  path: string;
  /** The file as it is now (null: it does not exist yet). */
  before: string | null;
  after: string;
  /** The agent's one line on what the change does. */
  summary: string;
  /** How many times the person sent this file back already within the step (0 for a first proposal). */
  round: number;
}

/** A message the user sent over the live channel that no step has consumed yet. */
export interface UserMessage {
  id: string;
  text: string;
  kind: 'message' | 'change' | 'bug';
  at: number;
}

/** Everything a step gets: `S` is its pipeline's state, `I` its input. */
export interface StepContext<S extends object = JsonObject, I = JsonValue | undefined> {
  readonly stepId: number;
  readonly branch: number;
  readonly attempt: number;
  readonly agent: string;
  readonly project: ProjectInput;
  readonly state: Readonly<S>;
  readonly input: I;
  readonly task: TaskRef | null;
  readonly files: FilesView;
  readonly llm: RecordedLlm;
  /** Chat messages not consumed yet; they are consumed when this step commits. */
  readonly messages: readonly UserMessage[];
  /** Aborted when the step is cancelled (stop, skip, rollback). */
  readonly signal: AbortSignal;
  /** Runs a command in the sandbox; its output streams to viewers' terminals. */
  exec(request: ExecRequest): Promise<ExecOutcome>;
  /** An agent's message in the conversation. */
  say(text: string): void;
  /** A typed artifact for the UI (a specification, a plan...): `kind` names the schema of `data`. */
  artifact(artifact: Artifact): void;
  /** Any other event. */
  emit(event: EventBody): void;
  /**
   * Asks the user. Interactive mode: the step parks (the run waits) and is run again once the answer is
   * there, so `ask` then returns it. Autopilot: returns the default at once.
   */
  ask(question: QuestionSpec): Promise<string>;
  /**
   * Review before apply: when the project asks for it and the run is interactive, the step parks (like
   * `ask`) until the person accepts the proposed change, edits it or rejects it with a comment; otherwise
   * (the setting off, autopilot) it is accepted at once. Nothing is written by this call.
   */
  review(proposal: ProposedFile): Promise<ReviewVerdict>;
  now(): number;
}

/** What a step returns. */
export interface StepResult<S extends object = JsonObject> {
  state: S;
  /** The next step, or null when the pipeline is done. */
  next: StepRef | null;
  /**
   * The step ended its task, and how: `completed` (its commands pass), `failed` (one still fails and the
   * user moved on), `skipped`. The file tree is snapshotted (export, listing) either way.
   */
  taskDone?: TaskOutcomeStatus;
  /** Why the task ended `failed` or `skipped`, in words for the user. */
  taskReason?: string;
  /** A failure the step observed (a failing test...): the same signature repeated trips a loop guard. */
  failure?: { signature: string; message: string };
}

export type StepFn<S extends object = JsonObject> = (ctx: StepContext<S>) => Promise<StepResult<S>>;

/**
 * Limits of the loop guards; each trip pauses the run and says why. They count per task, and the steps
 * outside the tasks (the planning before them, starting the app after them) count as a scope of their
 * own, so a loop there is bounded too, also when its calls cost nothing (a local model).
 */
export interface GuardLimits {
  /** Steps one task may take before the run pauses. */
  maxTaskIterations: number;
  /** Steps in a stretch outside the tasks (the planning, starting the app) before the run pauses. */
  maxStepsOutsideTasks: number;
  /** The same failure signature this many times in a row within a task pauses the run. */
  maxRepeatedFailures: number;
  /** Attempts of a step that throws before the run fails. */
  maxStepAttempts: number;
  /**
   * Working time (the summed durations of its steps, not the time spent waiting for the person) one
   * task may take before the run pauses.
   */
  maxTaskWallMs: number;
  /** Tries of a step whose command fails because of the environment before the run pauses. */
  maxEnvironmentTries: number;
}

export const DEFAULT_GUARDS: GuardLimits = {
  maxTaskIterations: 40,
  maxStepsOutsideTasks: 40,
  maxRepeatedFailures: 3,
  maxStepAttempts: 3,
  // Well above what a task takes with a slow local model, well below a night of spinning.
  maxTaskWallMs: 45 * 60_000,
  maxEnvironmentTries: 4,
};

/** A pipeline definition. */
export interface Pipeline<S extends object = JsonObject> {
  readonly name: string;
  initialState(project: ProjectInput): S;
  /**
   * Reads a stored state back (the state a step committed, maybe by an earlier version of the pipeline):
   * checks it and upgrades an older shape, or throws `UnreadableState` with the reason. Without it, the
   * stored JSON is taken as the state.
   */
  readState?(stored: JsonObject): S;
  /**
   * A stored step's ref with its input checked against the step it names (and upgraded from an earlier
   * shape); throws `UnreadableState` when it does not fit.
   */
  readInput?(ref: StepRef): StepRef;
  first(state: S, project: ProjectInput): StepRef;
  readonly steps: Readonly<Record<string, StepFn<S>>>;
  /**
   * The step after skipping the task of `current` (or `current` itself when it is outside the tasks);
   * `finish` when skipping it ends the run (its last step); null when there is nothing to skip.
   */
  skipTask?(state: S, current: StepRef, project: ProjectInput): StepRef | 'finish' | null;
  /**
   * The step that tries task `taskId` again (one that ended failed or skipped) on a finished run; a
   * sentence saying why not when it cannot be.
   */
  retryTask?(state: S, taskId: string, project: ProjectInput): StepRef | { refused: string };
  /** The step that handles a chat message when the run has nothing else to do; null to keep it queued. */
  onMessage?(state: S, message: UserMessage, project: ProjectInput): StepRef | null;
  /** How many tasks of the plan in `state` ended without being done (failed or skipped); the listing shows it. */
  unfinishedTasks?(state: S): number;
  readonly guards?: Partial<GuardLimits>;
}

/**
 * Erases a pipeline's state type for the registry. Safe: the state a pipeline's functions receive is
 * only ever produced by the same pipeline's `initialState` and steps, read back through its `readState`.
 */
export function definePipeline<S extends object>(pipeline: Pipeline<S>): Pipeline {
  return pipeline as unknown as Pipeline;
}
