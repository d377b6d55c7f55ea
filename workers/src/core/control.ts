/**
 * What a user can do to a run: start, pause, resume, stop, skip a task, roll back, answer a question,
 * chat. Each is a small transaction over the journal; the result says whether the driver should run
 * steps now (`pump`).
 */
import type { ChatKind, ControlAction, ReviewVerdict } from '../protocol.ts';
import type { Engine } from './engine.ts';
import { refusal, type Refusal } from './refusal.ts';
import { waitsForPerson, type StepRecord } from './journal.ts';
import { UnreadableState } from './errors.ts';
import type { JsonObject } from './json.ts';
import type { StepRef, UserMessage } from './pipeline.ts';

/** The outcome of a control: on success, whether steps should be run now. */
export type ControlResult = { ok: true; pump: boolean } | Refusal;

const done = (pump: boolean): ControlResult => ({ ok: true, pump });
const refuse = refusal;

/** The user's controls over one project's run. */
export class RunControls {
  private readonly engine: Engine;

  constructor(engine: Engine) {
    this.engine = engine;
  }

  private get deps() {
    return this.engine.deps;
  }

  /** Dispatches a `control` message. */
  control(action: ControlAction): ControlResult {
    switch (action) {
      case 'start':
        return this.start();
      case 'pause':
        return this.pause();
      case 'resume':
        return this.resume();
      case 'stop':
        return this.stop();
      case 'skip':
        return this.skip();
    }
  }

  /** Starts the pipeline from its first step; on a started run, the same as resume. */
  start(): ControlResult {
    const { journal, pipeline } = this.deps;
    const run = journal.run();
    if (run.status !== 'idle') return this.resume();
    if (journal.activeStep() || journal.headStepId() !== null) return this.resume();
    const state = pipeline.initialState(run.project);
    const first = pipeline.first(state, run.project);
    journal.atomic(() => {
      this.createStep(run.branch, null, first);
      this.continueRunning('Started.');
    });
    return done(true);
  }

  /** Pauses after the step in flight commits; an open question stays open. */
  pause(): ControlResult {
    const { status } = this.deps.journal.run();
    if (status !== 'running' && status !== 'waiting') return refuse('conflict', `The run is ${status}.`);
    this.engine.setStatus('paused', { code: 'user', message: 'Paused by the user.' });
    return done(false);
  }

  /**
   * Continues a paused, stopped or failed run, with a fresh allowance for the loop guards. A failed step
   * gets a fresh try: a full allowance of attempts, and the calls of its failed attempts are not replayed
   * (they gave the answers that failed it), so the model is asked again.
   */
  resume(): ControlResult {
    const { journal } = this.deps;
    const run = journal.run();
    if (run.status === 'running' || run.status === 'waiting') return done(true);
    if (run.status === 'idle') return refuse('conflict', 'The run has not started.');
    if (run.status === 'completed')
      return refuse('conflict', 'The run is complete; send a message to continue.');
    const { totals } = run;
    if (totals.costMicros >= totals.budgetMicros) {
      return refuse('conflict', "The project's budget is spent; raise the budget to continue.");
    }
    const active = journal.activeStep();
    if (!active) return refuse('conflict', 'There is no step to run.');
    const open = journal.openQuestion();
    const waiting = open !== null && open.stepId === active.id && waitsForPerson(open, run);
    journal.atomic(() => {
      if (active.status === 'failed') {
        journal.setStepStatus(active.id, 'pending');
        journal.resetFailures(active.id);
        journal.retireCalls(active.id);
      }
      journal.resetGuards();
      const status = waiting ? 'waiting' : 'running';
      journal.setStatus(
        status,
        waiting ? { code: 'question', message: open.text } : { code: 'user', message: 'Resumed.' },
      );
      this.engine.emit({ type: 'run.status', status, reason: journal.run().reason });
      journal.syncProject();
    });
    return done(!waiting);
  }

  /** Stops now: the step in flight is cancelled (it will run again from its beginning on resume). */
  stop(): ControlResult {
    const { journal } = this.deps;
    const { status } = journal.run();
    if (status === 'idle' || status === 'stopped' || status === 'completed') {
      return refuse('conflict', `The run is ${status}.`);
    }
    this.engine.cancelInFlight();
    journal.atomic(() => {
      const active = journal.activeStep();
      if (active && active.status === 'running') {
        journal.setStepStatus(active.id, 'pending', 'restart');
        this.aborted(active, 'stopped');
      }
      journal.setStatus('stopped', { code: 'user', message: 'Stopped by the user.' });
      this.engine.emit({ type: 'run.status', status: 'stopped', reason: journal.run().reason });
      journal.syncProject();
    });
    return done(false);
  }

  /**
   * Abandons the current task (or the step outside the plan, such as the app's start) and continues
   * where the pipeline says a skip leads. The skipped task is not done and is said so; a question the
   * step asked is closed. A paused or failed run continues too (skipping is the way out the loop guards
   * and a failed step offer), unless its budget is spent; a stopped run stays stopped until resumed.
   */
  skip(): ControlResult {
    const { journal, pipeline, ids } = this.deps;
    const run = journal.run();
    const active = journal.activeStep();
    const nothing =
      'There is nothing to skip now: Skip moves past a task, the start of the app or the README.';
    if (!active || !pipeline.skipTask) return refuse('conflict', nothing);
    const task = active.ref.task ?? null;
    let state: JsonObject;
    try {
      state = this.engine.readState(journal.stateBefore(active), run);
    } catch (err) {
      if (!(err instanceof UnreadableState)) throw err;
      this.engine.failUnreadable(active, err);
      return refuse('conflict', err.message);
    }
    const next = pipeline.skipTask(state, active.ref, run.project);
    if (!next) return refuse('conflict', nothing);
    const open = journal.openQuestion();
    const budgetSpent = run.totals.costMicros >= run.totals.budgetMicros;
    const continues =
      run.status === 'waiting' || ((run.status === 'paused' || run.status === 'failed') && !budgetSpent);
    this.engine.cancelInFlight();
    journal.atomic(() => {
      if (open && open.stepId === active.id) {
        journal.answerQuestion(open.id, 'Skip', 'user');
        this.engine.emit(
          { type: 'question.answered', questionId: open.id, answer: 'Skipped', by: 'user' },
          `${open.id}:answered`,
        );
      }
      journal.setStepStatus(active.id, 'aborted');
      this.aborted(active, 'skipped');
      if (task) {
        this.engine.emit({
          type: 'task',
          taskId: task.id,
          title: task.title,
          status: 'skipped',
          stepId: active.id,
          reason: 'skipped by the user',
        });
      }
      this.engine.emit({
        type: 'message',
        messageId: ids.next('msg'),
        role: 'system',
        agent: null,
        stepId: active.id,
        text: task
          ? `Skipped: the task "${task.title}" is not done.${pipeline.retryTask ? ' You can try it again from the plan once the run has finished.' : ''}`
          : next === 'finish'
            ? `Skipped "${active.ref.title}": the run finishes without it.`
            : `Skipped "${active.ref.title}": it did not finish. Moving on to "${next.title}".`,
      });
      if (next === 'finish') {
        const reason = { code: 'completed' as const, message: `Finished without "${active.ref.title}".` };
        journal.setStatus('completed', reason);
        this.engine.emit({ type: 'run.status', status: 'completed', reason });
        journal.syncProject(
          active.parentId === null ? undefined : { stepId: active.parentId, label: 'The finished app' },
        );
        return;
      }
      this.createStep(active.branch, active.parentId, next, next.task?.id !== task?.id);
      if (continues) this.continueRunning('Skipped; moving on.');
    });
    return done(journal.run().status === 'running');
  }

  /**
   * Goes back to the state right after `stepId` on a new branch and pauses there (the user may look,
   * edit files, then resume). The old branch and its history stay as they were.
   */
  rollback(stepId: number): ControlResult {
    const { journal } = this.deps;
    const target = journal.step(stepId);
    if (!target) return refuse('not_found', `There is no step ${stepId}.`);
    if (target.status !== 'done')
      return refuse('conflict', `Step ${stepId} did not complete; roll back to a completed step.`);
    this.engine.cancelInFlight();
    journal.atomic(() => {
      const active = journal.activeStep();
      if (active) {
        journal.setStepStatus(active.id, 'aborted');
        this.aborted(active, 'rolled back');
      }
      const branch = journal.createBranch(stepId);
      journal.setBranch(branch);
      this.countUnfinishedAfter(stepId);
      journal.requeueMessages(stepId);
      this.engine.emit({ type: 'branch.created', branch, parentBranch: target.branch, fromStepId: stepId });
      const next = journal.nextOf(stepId);
      if (next) journal.createStep(branch, stepId, next);
      journal.resetGuards();
      const status = next ? 'paused' : 'completed';
      journal.setStatus(status, {
        code: 'rollback',
        message: `Rolled back to step ${stepId} ("${target.ref.title}") on branch ${branch}.`,
      });
      this.engine.emit({ type: 'run.status', status, reason: journal.run().reason });
      journal.syncProject();
    });
    return done(false);
  }

  /**
   * After a change of the project's settings (its mode, review before apply): a run waiting on a question
   * nobody needs to answer any more (autopilot takes its default; a review that is no longer asked for is
   * accepted) continues on its own.
   */
  settingsChanged(): ControlResult {
    const { journal } = this.deps;
    const run = journal.run();
    const open = journal.openQuestion();
    if (run.status !== 'waiting' || !open || waitsForPerson(open, run)) return done(false);
    this.engine.setStatus('running', {
      code: 'user',
      message: open.review ? 'The change is accepted as proposed.' : 'Autopilot answers the open question.',
    });
    return done(true);
  }

  /** Records the answer to an open question; the parked step runs again and finds it. */
  answer(questionId: string, answer: string): ControlResult {
    const question = this.deps.journal.question(questionId);
    if (question?.review) {
      return refuse(
        'bad_request',
        'This question is a review: accept, edit or reject the change.',
        'questionId',
      );
    }
    return this.record(questionId, { stored: answer, shown: answer });
  }

  /** The person's verdict on a proposed change; the parked step runs again and acts on it. */
  review(questionId: string, verdict: ReviewVerdict): ControlResult {
    const question = this.deps.journal.question(questionId);
    if (question && !question.review)
      return refuse('bad_request', 'This question is not a review.', 'questionId');
    const shown =
      verdict.decision === 'accept'
        ? 'Accepted'
        : verdict.decision === 'edit'
          ? 'Accepted with your edits'
          : `Rejected: ${verdict.comment}`;
    return this.record(questionId, { stored: JSON.stringify(verdict), shown, review: verdict.decision });
  }

  private record(
    questionId: string,
    answer: { stored: string; shown: string; review?: ReviewVerdict['decision'] },
  ): ControlResult {
    const { journal } = this.deps;
    const question = journal.question(questionId);
    if (!question) return refuse('not_found', 'There is no such question.');
    if (question.answer !== null) return refuse('conflict', 'The question is already answered.');
    let pump = false;
    journal.atomic(() => {
      journal.answerQuestion(questionId, answer.stored, 'user');
      this.engine.emit(
        {
          type: 'question.answered',
          questionId,
          answer: answer.shown,
          by: 'user',
          ...(answer.review ? { review: answer.review } : {}),
        },
        `${questionId}:answered`,
      );
      const step = journal.step(question.stepId);
      if (step?.status === 'waiting') journal.setStepStatus(step.id, 'pending');
      if (journal.run().status === 'waiting') {
        journal.setStatus('running', { code: 'user', message: 'Answered.' });
        this.engine.emit({ type: 'run.status', status: 'running', reason: journal.run().reason });
        journal.syncProject();
        pump = true;
      }
    });
    return done(pump);
  }

  /**
   * A user's message. It is queued for the next step (agents see it in `ctx.messages`); when the run has
   * finished, the pipeline may start a step for it (a change request, a bug report).
   */
  chat(text: string, kind: ChatKind): ControlResult {
    const { journal, pipeline, ids, clock } = this.deps;
    const message: UserMessage = { id: ids.next('msg'), text, kind, at: clock.now() };
    let pump = false;
    journal.atomic(() => {
      journal.addMessage(message);
      this.engine.emit({
        type: 'message',
        messageId: message.id,
        role: 'user',
        agent: null,
        stepId: null,
        text,
        kind,
      });
      const run = journal.run();
      const head = journal.headStepId();
      if (run.status !== 'completed' || head === null || !pipeline.onMessage || journal.activeStep()) return;
      const next = this.nextForMessage(head, message);
      if (!next) return;
      this.createStep(run.branch, head, next);
      this.continueRunning('Continuing with your message.');
      pump = true;
    });
    return done(pump);
  }

  /**
   * Tries a task that ended failed or skipped again, once the run has nothing else to do: the pipeline
   * plans it anew and carries it out, then finishes the app again.
   */
  retry(taskId: string): ControlResult {
    const { journal, pipeline } = this.deps;
    const run = journal.run();
    const head = journal.headStepId();
    if (!pipeline.retryTask) return refuse('conflict', 'This run cannot try a task again.');
    if (run.status !== 'completed' || head === null || journal.activeStep()) {
      return refuse('conflict', 'A task can be tried again once the run has finished.');
    }
    let next: StepRef | { refused: string };
    try {
      next = pipeline.retryTask(this.engine.readState(journal.stateAfter(head), run), taskId, run.project);
    } catch (err) {
      if (!(err instanceof UnreadableState)) throw err;
      this.engine.failUnreadable(null, err);
      return refuse('conflict', err.message);
    }
    if ('refused' in next) return refuse('conflict', next.refused, 'taskId');
    const ref = next;
    journal.atomic(() => {
      this.createStep(run.branch, head, ref);
      this.continueRunning('Trying the task again.');
    });
    return done(true);
  }

  /** The step the pipeline starts for a message on a finished run (null: none, or its state is unreadable). */
  private nextForMessage(head: number, message: UserMessage): StepRef | null {
    const { journal, pipeline } = this.deps;
    const run = journal.run();
    const stored = journal.stateAfter(head);
    if (!stored || !pipeline.onMessage) return null;
    try {
      return pipeline.onMessage(this.engine.readState(stored, run), message, run.project);
    } catch (err) {
      if (!(err instanceof UnreadableState)) throw err;
      this.engine.failUnreadable(null, err);
      return null;
    }
  }

  /**
   * Creates the step `ref` (in the caller's transaction) and, when `announce` and it belongs to a task,
   * says that the task started.
   */
  private createStep(branch: number, parentId: number | null, ref: StepRef, announce = true): void {
    const created = this.deps.journal.createStep(branch, parentId, ref);
    if (announce && ref.task) {
      this.engine.emit({
        type: 'task',
        taskId: ref.task.id,
        title: ref.task.title,
        status: 'started',
        stepId: created.id,
      });
    }
  }

  /** The run goes on, with a fresh allowance for the loop guards, saying why (in the caller's transaction). */
  private continueRunning(message: string): void {
    const { journal } = this.deps;
    journal.resetGuards();
    journal.setStatus('running', { code: 'user', message });
    this.engine.emit({ type: 'run.status', status: 'running', reason: journal.run().reason });
    journal.syncProject();
  }

  /** The plan's unfinished tasks as of step `stepId` (a rollback's target); unreadable: left as it was. */
  private countUnfinishedAfter(stepId: number): void {
    const { journal } = this.deps;
    const stored = journal.stateAfter(stepId);
    if (!stored) return;
    try {
      this.engine.countUnfinished(this.engine.readState(stored, journal.run()));
    } catch (err) {
      // The step that runs next meets the unreadable state and says so.
      if (!(err instanceof UnreadableState)) throw err;
    }
  }

  private aborted(step: StepRecord, reason: string): void {
    this.engine.emit({ type: 'step.aborted', stepId: step.id, agent: step.ref.agent, reason });
  }
}
