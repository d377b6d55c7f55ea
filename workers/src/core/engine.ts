/**
 * The step engine: runs the pipeline one step at a time over its ports.
 *
 * Checkpointing (why a crash loses nothing and repeats nothing): a step's row is marked running before
 * its function is called; its file writes are buffered; its result (state, files, next step, events) is
 * committed in one transaction. A step interrupted before that commit has no visible effect except the
 * events it logged under deterministic keys, and it is run again from its beginning: its recorded LLM
 * outputs and answers are replayed and its events are not logged twice. A committed step is never run
 * again.
 */
import type { EventBody, RunReason } from '../protocol.ts';
import { StepScope, toJson, type ContextPorts } from './context.ts';
import {
  BudgetExceeded,
  EnvironmentFailure,
  isEngineSignal,
  ParkSignal,
  RepeatedPrompt,
  UnreadableState,
} from './errors.ts';
import type { JsonObject } from './json.ts';
import { waitsForPerson, type RunRecord, type StepRecord } from './journal.ts';
import {
  DEFAULT_GUARDS,
  type GuardLimits,
  type Pipeline,
  type StepRef,
  type StepResult,
} from './pipeline.ts';
import type { Ids } from './ports.ts';

/** Everything the engine works with. */
export interface EngineDeps extends ContextPorts {
  ids: Ids;
  pipeline: Pipeline;
}

/** What the driver (the Durable Object's scheduler) should do after `runNext`. */
export type StepOutcome =
  { kind: 'continue' } | { kind: 'idle' } | { kind: 'retry'; delayMs: number } | { kind: 'busy' };

const IDLE: StepOutcome = { kind: 'idle' };
const MAX_ERROR_CHARS = 500;

/** Runs steps and knows which one is in flight, so controls can cancel it. */
export class Engine {
  readonly deps: EngineDeps;
  readonly guards: GuardLimits;
  private inFlight: { stepId: number; controller: AbortController } | null = null;

  constructor(deps: EngineDeps, guards?: Partial<GuardLimits>) {
    this.deps = deps;
    this.guards = { ...DEFAULT_GUARDS, ...deps.pipeline.guards, ...guards };
  }

  /** The id of the step being executed by this instance, if any. */
  get runningStepId(): number | null {
    return this.inFlight?.stepId ?? null;
  }

  /** Cancels the step in flight (its result will be discarded). */
  cancelInFlight(): void {
    this.inFlight?.controller.abort();
  }

  /** Emits an event in the current transaction. */
  emit(event: EventBody, key?: string): void {
    this.deps.sink.emit(event, key);
  }

  /** Sets the run's status and says so, in one transaction. */
  setStatus(status: Parameters<EngineDeps['journal']['setStatus']>[0], reason: RunReason | null): void {
    const { journal } = this.deps;
    journal.atomic(() => {
      journal.setStatus(status, reason);
      this.emit({ type: 'run.status', status, reason });
      journal.syncProject();
    });
  }

  /** Runs the next step of the run, if the run is running and has one. */
  async runNext(): Promise<StepOutcome> {
    const { journal, pipeline } = this.deps;
    if (this.inFlight) return { kind: 'busy' };
    const run = journal.run();
    if (run.status !== 'running') return IDLE;
    let step = journal.activeStep();
    // A step still marked running was interrupted (an evicted or crashed object): it restarts.
    const interrupted = step?.status === 'running';
    if (!step) {
      this.setStatus('completed', { code: 'completed', message: 'The pipeline has no step left.' });
      return IDLE;
    }
    if (step.status === 'waiting') {
      const open = journal.openQuestion();
      // In autopilot the step runs again and its question takes the default, if it has one.
      if (open && open.stepId === step.id && waitsForPerson(open, run)) {
        this.setStatus('waiting', { code: 'question', message: open.text });
        return IDLE;
      }
      journal.setStepStatus(step.id, 'pending');
    }
    if (step.status === 'failed') journal.setStepStatus(step.id, 'pending');
    const fn = pipeline.steps[step.ref.agent];
    if (!fn) {
      this.setStatus('failed', {
        code: 'step_failed',
        message: `The pipeline "${pipeline.name}" has no agent "${step.ref.agent}".`,
      });
      return IDLE;
    }
    if (this.iterationGuardTrips(step)) return IDLE;
    let before: JsonObject;
    let ref: StepRef;
    try {
      ({ state: before, ref } = this.readCheckpoint(step, run));
    } catch (err) {
      if (!(err instanceof UnreadableState)) throw err;
      this.failUnreadable(step, err);
      return IDLE;
    }

    step = journal.atomic(() => {
      const begun = journal.beginStep(step!.id, this.deps.clock.now());
      const rerun = begun.attempt > 1 ? (interrupted ? 'restart' : (begun.rerun ?? 'retry')) : undefined;
      this.emit(
        {
          type: 'step.started',
          stepId: begun.id,
          agent: begun.ref.agent,
          branch: begun.branch,
          title: begun.ref.title,
          task: begun.ref.task?.id ?? null,
          attempt: begun.attempt,
          ...(rerun ? { rerun } : {}),
        },
        `step:${begun.id}:a${begun.attempt}`,
      );
      return begun;
    });
    const controller = new AbortController();
    this.inFlight = { stepId: step.id, controller };
    try {
      const scope = new StepScope(this.deps, { ...step, ref }, run, before, controller.signal);
      let result: StepResult;
      try {
        result = await fn(scope.context());
      } catch (err) {
        this.retireFailedAnswer(scope, err, controller.signal);
        return this.onThrow(step, err, controller.signal);
      }
      if (controller.signal.aborted) return IDLE;
      return await this.commit(step, scope, result, controller.signal);
    } finally {
      this.inFlight = null;
    }
  }

  /**
   * The state a step starts from, and a check of its input: the one place where what the journal stored
   * becomes what a step sees. The pipeline checks both and upgrades a state of an earlier shape; what it
   * cannot read throws `UnreadableState`.
   */
  readCheckpoint(step: StepRecord, run: RunRecord): { state: JsonObject; ref: StepRef } {
    const { pipeline, journal } = this.deps;
    const ref = pipeline.readInput ? pipeline.readInput(step.ref) : step.ref;
    return { state: this.readState(journal.stateBefore(step), run), ref };
  }

  /** A stored state read back through the pipeline (null: the state before the first step). */
  readState(stored: JsonObject | null, run: RunRecord): JsonObject {
    const { pipeline } = this.deps;
    if (stored === null) return pipeline.initialState(run.project);
    return pipeline.readState ? pipeline.readState(stored) : stored;
  }

  /** Records how many tasks of the plan in `state` ended without being done (in the caller's transaction). */
  countUnfinished(state: JsonObject): void {
    const { pipeline, journal } = this.deps;
    if (pipeline.unfinishedTasks) journal.setUnfinishedTasks(pipeline.unfinishedTasks(state));
  }

  /**
   * Fails the run at once on a checkpoint it cannot read, saying why: retrying cannot help, and the user
   * can still roll back to an earlier step or look at the project. `step`: the step that cannot start
   * (null: the run cannot continue after its last step).
   */
  failUnreadable(step: StepRecord | null, err: UnreadableState): void {
    const { journal } = this.deps;
    const what = step ? `The step "${step.ref.title}" cannot run` : 'The run cannot continue';
    const message = `${what}: ${err.message}`.slice(0, MAX_ERROR_CHARS);
    journal.atomic(() => {
      if (step) this.recordStepFailure(step, message, false);
      this.failRun(message);
    });
  }

  /** A step's failure: recorded, told to viewers, and the step set to run again or not. */
  private recordStepFailure(step: StepRecord, message: string, willRetry: boolean): void {
    const { journal } = this.deps;
    journal.recordFailure(step.id, message);
    journal.setStepStatus(step.id, willRetry ? 'pending' : 'failed', 'retry');
    this.emitStepFailed(step, message, willRetry);
  }

  /** Tells viewers a step failed, and whether it will run again. */
  private emitStepFailed(step: StepRecord, message: string, willRetry: boolean): void {
    this.emit({
      type: 'step.failed',
      stepId: step.id,
      agent: step.ref.agent,
      attempt: step.attempt,
      error: message,
      willRetry,
    });
  }

  /** The run fails, saying why (inside the caller's transaction). */
  private failRun(message: string): void {
    const { journal } = this.deps;
    journal.setStatus('failed', { code: 'step_failed', message });
    this.emit({ type: 'run.status', status: 'failed', reason: journal.run().reason });
    journal.syncProject();
  }

  /**
   * The guards checked before a step first starts: the steps its task took, and their working time. A
   * step outside the tasks counts with the steps around it (starting the app and debugging it, for one).
   */
  private iterationGuardTrips(step: StepRecord): boolean {
    if (step.attempt > 0) return false;
    const task = step.ref.task ?? null;
    const history = this.deps.journal.taskHistory(task?.id ?? null, 1);
    const scope = scopeName(step);
    const limit = task ? this.guards.maxTaskIterations : this.guards.maxStepsOutsideTasks;
    if (history.steps >= limit) {
      this.setStatus('paused', {
        code: 'task_iterations',
        message: `${capitalized(scope)} took ${history.steps} steps without finishing (limit ${limit}). Resume to allow more, give a hint in the chat, skip, or roll back.`,
      });
      return true;
    }
    if (history.workingMs >= this.guards.maxTaskWallMs) {
      this.setStatus('paused', {
        code: 'task_time',
        message: `${capitalized(scope)} has been working for ${minutes(history.workingMs)} without finishing (limit ${minutes(this.guards.maxTaskWallMs)}). Resume to allow more, give a hint in the chat, skip, or roll back.`,
      });
      return true;
    }
    return false;
  }

  private async commit(
    step: StepRecord,
    scope: StepScope,
    result: StepResult,
    signal: AbortSignal,
  ): Promise<StepOutcome> {
    const { journal, clock } = this.deps;
    const staged = await journal.stageWrites([...scope.writes].map(([path, content]) => ({ path, content })));
    if (signal.aborted) return IDLE;
    const task = step.ref.task ?? null;
    const next = result.next;
    const endedAt = clock.now();
    journal.atomic(() => {
      const changes = journal.applyWrites(staged, step.id, 'agent');
      if (changes.length > 0) {
        this.emit({ type: 'files.changed', stepId: step.id, branch: step.branch, author: 'agent', changes });
      }
      journal.consumeMessages(
        scope.messages.map((m) => m.id),
        step.id,
      );
      journal.commitStep({
        stepId: step.id,
        state: toJson(result.state) as JsonObject,
        next: next ? (toJson(next) as unknown as typeof next) : null,
        failure: result.failure ?? null,
        endedAt,
      });
      this.countUnfinished(result.state);
      this.emit({
        type: 'step.completed',
        stepId: step.id,
        agent: step.ref.agent,
        durationMs: Math.max(0, endedAt - (step.startedAt ?? endedAt)),
      });
      if (task && result.taskDone) {
        this.emit({
          type: 'task',
          taskId: task.id,
          title: task.title,
          status: result.taskDone,
          stepId: step.id,
          ...(result.taskReason ? { reason: result.taskReason } : {}),
        });
        // A snapshot's label says when the task it closes is not done.
        const label =
          result.taskDone === 'completed' ? task.title : `${task.title} (${result.taskDone}, not done)`;
        journal.syncProject({ stepId: step.id, label });
      }
      if (next) {
        const created = journal.createStep(step.branch, step.id, next);
        // A task whose title changed is announced again: a user's request starts with a neutral title
        // until the model has summed it up.
        if (next.task && (next.task.id !== task?.id || next.task.title !== task.title)) {
          this.emit({
            type: 'task',
            taskId: next.task.id,
            title: next.task.title,
            status: 'started',
            stepId: created.id,
          });
        }
      } else {
        journal.setStatus('completed', { code: 'completed', message: 'The pipeline finished.' });
        this.emit({
          type: 'run.status',
          status: 'completed',
          reason: { code: 'completed', message: 'The pipeline finished.' },
        });
        // The finished app is a boundary too: what came after the last task (the README) is in it.
        journal.syncProject({ stepId: step.id, label: task?.title ?? 'The finished app' });
      }
    });
    if (result.failure && this.failureGuardTrips(step)) return IDLE;
    return { kind: 'continue' };
  }

  private failureGuardTrips(step: StepRecord): boolean {
    const limit = this.guards.maxRepeatedFailures;
    const recent = this.deps.journal.taskHistory(step.ref.task?.id ?? null, limit).recentFailures;
    if (recent.length < limit || recent.some((sig) => sig === null || sig !== recent[0])) return false;
    this.setStatus('paused', {
      code: 'repeated_failure',
      message: `The same failure happened ${limit} times in a row in ${scopeName(step)}: ${recent[0]}. Resume to try again, give a hint in the chat, skip, or roll back.`,
    });
    return true;
  }

  /**
   * A step that threw while handling a model's answer (one it could not use, or that broke it) would
   * throw the same way if that answer were replayed: the retry, and a user's resume, ask the model
   * again. A throw of the LLM port itself (the provider failed) keeps the earlier answers, which are
   * good; so do the engine's own signals.
   */
  private retireFailedAnswer(scope: StepScope, err: unknown, signal: AbortSignal): void {
    if (signal.aborted || isEngineSignal(err)) return;
    const key = scope.callBehind(err);
    if (key) this.deps.journal.retireCall(key);
  }

  private onThrow(step: StepRecord, err: unknown, signal: AbortSignal): StepOutcome {
    const { journal } = this.deps;
    if (err instanceof ParkSignal) {
      journal.atomic(() => {
        journal.setStepStatus(step.id, 'waiting', 'answer');
        const status = journal.run().status;
        if (status === 'running') {
          const question = journal.question(err.questionId);
          journal.setStatus('waiting', {
            code: 'question',
            message: question?.text ?? 'A question is open.',
          });
          this.emit({ type: 'run.status', status: 'waiting', reason: journal.run().reason });
          journal.syncProject();
        }
      });
      return IDLE;
    }
    if (signal.aborted) return IDLE;
    if (err instanceof EnvironmentFailure) return this.onEnvironmentFailure(step, err);
    if (err instanceof BudgetExceeded || err instanceof RepeatedPrompt) {
      const code = err instanceof BudgetExceeded ? 'budget' : 'repeated_prompt';
      journal.atomic(() => {
        journal.setStepStatus(step.id, 'pending', 'restart');
        journal.setStatus('paused', { code, message: err.message });
        this.emit({ type: 'run.status', status: 'paused', reason: journal.run().reason });
        journal.syncProject();
      });
      return IDLE;
    }
    const message = (err instanceof Error ? err.message : String(err)).slice(0, MAX_ERROR_CHARS);
    const failures = step.failures + 1;
    const willRetry = failures < this.guards.maxStepAttempts;
    journal.atomic(() => {
      this.recordStepFailure(step, message, willRetry);
      if (!willRetry) {
        this.failRun(
          `The step "${step.ref.title}" failed ${failures} times: ${message}${/[.!?]$/.test(message) ? '' : '.'} Resume to try it afresh (say in the chat what to do differently), or roll back.`,
        );
      }
    });
    return willRetry ? { kind: 'retry', delayMs: Math.min(30_000, 500 * 2 ** (failures - 1)) } : IDLE;
  }

  /**
   * A command failed because of the environment: no change to the project fixes it, so no agent is
   * asked. The step runs again by itself, later than after other throws (a registry or a network takes
   * a while to come back), and is not counted as a failure of its own (it would fail the run after
   * `maxStepAttempts`). After `maxEnvironmentTries` in a row the run pauses with the reason, what failed
   * and what to do; the count starts afresh, so Resume gives it as many tries again.
   */
  private onEnvironmentFailure(step: StepRecord, err: EnvironmentFailure): StepOutcome {
    const { journal } = this.deps;
    const tries = journal.environmentTries(step.id) + 1;
    const willRetry = tries < this.guards.maxEnvironmentTries;
    const message = err.message.slice(0, 2 * MAX_ERROR_CHARS);
    journal.atomic(() => {
      // Said by the platform, once a round: the step's own messages are keyed for its re-runs to repeat.
      if (tries === 1) {
        const messageId = `s${step.id}:env:a${step.attempt}`;
        const text = `${message} No change to the project can fix this, so no agent is asked: the platform tries again by itself, and pauses the run if it keeps failing.`;
        this.emit(
          { type: 'message', messageId, role: 'system', agent: step.ref.agent, stepId: step.id, text },
          messageId,
        );
      }
      journal.setEnvironmentTries(step.id, willRetry ? tries : 0);
      journal.setStepStatus(step.id, 'pending', 'retry');
      this.emitStepFailed(step, message, willRetry);
      if (!willRetry) {
        const times = tries === 1 ? 'once' : `${tries} times`;
        journal.setStatus('paused', {
          code: 'environment',
          message: `${message} The platform tried ${times}; Resume to try again.`,
        });
        this.emit({ type: 'run.status', status: 'paused', reason: journal.run().reason });
        journal.syncProject();
      }
    });
    return willRetry ? { kind: 'retry', delayMs: environmentBackoffMs(tries) } : IDLE;
  }
}

/** The wait before the next try of a step that failed because of the environment: 10 s, 30 s, 90 s, 2 min. */
export function environmentBackoffMs(tries: number): number {
  return Math.min(120_000, 10_000 * 3 ** (tries - 1));
}

/** What a step's guards count over, in words: its task, or the steps outside the tasks it is one of. */
function scopeName(step: StepRecord): string {
  const task = step.ref.task;
  return task ? `the task "${task.title}"` : `the steps outside the plan's tasks (now "${step.ref.title}")`;
}

function capitalized(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

function minutes(ms: number): string {
  const m = ms / 60_000;
  return m >= 1 ? `${Math.round(m)} min` : `${Math.round(ms / 1000)} s`;
}
