/**
 * The engine's storage port: the step log, recorded LLM calls, questions, files and chat messages of one
 * project. The Durable Object implements it over its SQLite; every method is synchronous except file
 * staging (hashing), so a group of calls inside `atomic` commits as one transaction.
 */
import type {
  ChangeProposal,
  FileChange,
  ProjectMode,
  RerunCause,
  RunReason,
  RunStatus,
  StepUsage,
  Totals,
} from '../protocol.ts';
import type { JsonObject } from './json.ts';
import type { FileInfo, ProjectInput, StepRef, UserMessage } from './pipeline.ts';
import type { LlmCompletion } from './ports.ts';

export interface RunRecord {
  status: RunStatus;
  reason: RunReason | null;
  mode: ProjectMode;
  branch: number;
  totals: Totals;
  /** Loop guards count steps after this id (a user's resume gives the run a fresh allowance). */
  guardEpoch: number;
  /** Tasks of the plan that ended failed or skipped, as of the last committed step (the listing shows it). */
  unfinishedTasks: number;
  project: ProjectInput;
}

export type StepStatus = 'pending' | 'running' | 'waiting' | 'done' | 'failed' | 'aborted';

export interface StepRecord {
  id: number;
  branch: number;
  parentId: number | null;
  ref: StepRef;
  status: StepStatus;
  /** Times the step has been started (a crash or a parked question makes it start again). */
  attempt: number;
  /** Times it threw. */
  failures: number;
  /** Why its next start is a start again (set when a run of it ends without committing). */
  rerun: RerunCause | null;
  startedAt: number | null;
}

export interface RecordedCall {
  fingerprint: string;
  completion: LlmCompletion;
}

/**
 * A call slot (`s<step>:c<n>`: the n-th call of a step) as the journal has it: the recorded call a
 * replay uses and its key, or (`recorded` null) the key the slot's next call is recorded under.
 */
export interface CallSlot {
  key: string;
  recorded: RecordedCall | null;
}

export interface QuestionRecord {
  id: string;
  stepId: number;
  text: string;
  options: string[] | null;
  default: string | null;
  answer: string | null;
  by: 'user' | 'autopilot' | null;
  /** A review question: the change it shows (its answer is a JSON `ReviewVerdict`). */
  review: ChangeProposal | null;
}

/** A file write of a step (content null: delete). */
export interface FileWrite {
  path: string;
  content: string | null;
  /** `content` is base64 of a binary file (an imported image...): kept, never shown to a model. */
  binary?: boolean;
  /** The file's executable bit (git's mode 100755); absent: the file keeps the bit it has. */
  executable?: boolean;
}

/** A write with its content hash computed, ready to be applied inside a transaction. */
export interface StagedWrite extends FileWrite {
  hash: string | null;
  size: number;
}

export interface CommitInput {
  stepId: number;
  state: JsonObject;
  next: StepRef | null;
  failure: { signature: string; message: string } | null;
  endedAt: number;
}

/**
 * What the loop guards count of a task since the guard epoch, on the current branch. The steps outside
 * the tasks count as one scope per stretch of them: those after the latest step of a task (the planning
 * before the first task, starting the app after the last).
 */
export interface TaskHistory {
  /** Steps of the task (finished or failed). */
  steps: number;
  /** Failure signatures of its most recent finished steps, newest first (null: no failure). */
  recentFailures: (string | null)[];
  /** The summed durations of its finished steps (working time, not time spent waiting). */
  workingMs: number;
}

/** A step that made an LLM call (the one `Journal.earlierCall` found). */
export interface EarlierCall {
  stepId: number;
  title: string;
}

export interface Journal {
  /** Runs `fn` as one transaction: all of its writes (and the events it emits) or none. */
  atomic<T>(fn: () => T): T;

  run(): RunRecord;
  /** Sets the run's status; the caller emits the matching `run.status` event in the same transaction. */
  setStatus(status: RunStatus, reason: RunReason | null): void;
  setBranch(branch: number): void;
  setUnfinishedTasks(count: number): void;
  /** Restarts the loop guards' counting after the latest step (and the count of environment tries). */
  resetGuards(): void;

  /** The unfinished (pending, running or waiting) step of the current branch. */
  activeStep(): StepRecord | null;
  step(id: number): StepRecord | null;
  /** The state a step starts from: its parent's result, or the pipeline's initial state (null). */
  stateBefore(step: StepRecord): JsonObject | null;
  stateAfter(stepId: number): JsonObject | null;
  /** The step a continuation of the current branch follows: its latest done step, or its fork step. */
  headStepId(): number | null;
  /** The step that `stepId` named as its successor when it committed. */
  nextOf(stepId: number): StepRef | null;
  createStep(branch: number, parentId: number | null, ref: StepRef): StepRecord;
  beginStep(stepId: number, now: number): StepRecord;
  /** Sets a step's status; `rerun` says why it will start again, when that is known. */
  setStepStatus(stepId: number, status: StepStatus, rerun?: RerunCause): void;
  recordFailure(stepId: number, error: string): void;
  /** How many times in a row `stepId` failed because of the environment (0 for any other step). */
  environmentTries(stepId: number): number;
  setEnvironmentTries(stepId: number, tries: number): void;
  /** Clears a step's failure count: a user's resume gives a failed step a full allowance of attempts. */
  resetFailures(stepId: number): void;
  commitStep(input: CommitInput): void;
  /** What the guards count of a task (null: the steps outside the tasks); see {@link TaskHistory}. */
  taskHistory(taskId: string | null, limit: number): TaskHistory;
  /**
   * An earlier step of the same task as `stepId` (the same scope as {@link TaskHistory}) that made a call
   * with this fingerprint: a request sent again by a later step is a loop. Null when there is none.
   */
  earlierCall(fingerprint: string, stepId: number, taskId: string | null): EarlierCall | null;

  /** The call a slot replays (its latest try, unless retired), or the key of its next call. */
  callSlot(slot: string): CallSlot;
  /**
   * Stops replaying the call recorded under `key`: its slot's next call asks the model again, under a
   * key of its own. The retired call stays in the totals and the usage ledger (it was paid for).
   */
  retireCall(key: string): void;
  /**
   * A fresh try of a step: retires the calls it made since its latest answered question (the calls of
   * the attempts that failed; the earlier ones led to that question and its answer, and stay).
   */
  retireCalls(stepId: number): void;
  /** Records a call and adds its usage to the totals; returns the new totals. */
  recordCall(key: string, stepId: number, agent: string, call: RecordedCall): Totals;
  /** What a step's recorded calls used (an indexed sum over that step's calls only). */
  stepUsage(stepId: number): StepUsage;

  question(id: string): QuestionRecord | null;
  openQuestion(): QuestionRecord | null;
  putQuestion(question: QuestionRecord): void;
  answerQuestion(id: string, answer: string, by: 'user' | 'autopilot'): void;

  /** A file of the current branch's tree. */
  readFile(path: string): string | null;
  /** A binary file of the current branch's tree, as base64 (null: no such file, or a text file). */
  readBinary(path: string): string | null;
  listFiles(): FileInfo[];
  stageWrites(writes: FileWrite[]): Promise<StagedWrite[]>;
  /** Applies staged writes to the current branch (new versions); returns what changed. */
  applyWrites(writes: StagedWrite[], stepId: number | null, author: 'agent' | 'user'): FileChange[];

  pendingMessages(): UserMessage[];
  addMessage(message: UserMessage): void;
  consumeMessages(ids: string[], stepId: number): void;
  /**
   * Makes the messages that steps after `stepId` consumed pending again: a rollback to `stepId` undoes
   * the agents' work, not what the user said, so the next step hears it again.
   */
  requeueMessages(stepId: number): void;

  /**
   * Starts a branch from the state right after `stepId` (its files and state): returns the new branch.
   * Nothing of the old branch is touched.
   */
  createBranch(fromStepId: number): number;

  /** Queues the project's status and totals for Postgres; a snapshot too when `snapshotOf` is set. */
  syncProject(snapshotOf?: { stepId: number; label: string }): void;
}

/**
 * Whether an open question waits for the person: in interactive mode it does; in autopilot only when it
 * has no default (a key to add). A review waits only while the project asks for reviews, and never in
 * autopilot.
 */
export function waitsForPerson(question: QuestionRecord, run: RunRecord): boolean {
  if (question.review) return run.mode === 'interactive' && run.project.reviewChanges === true;
  return run.mode === 'interactive' || question.default === null;
}
