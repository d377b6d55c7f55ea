/**
 * The context a step function runs with. Every id it hands out (LLM call keys, question ids, event keys)
 * is derived from the step id and a counter within the step, so a step run again from its beginning
 * meets its earlier calls, answers and events under the same ids: recorded outputs are reused, answers
 * are found, and already-logged events are not logged twice.
 */
import { ReviewVerdict, type ChangeProposal, type EventBody } from '../protocol.ts';
import { diffText } from './diff.ts';
import { BudgetExceeded, ParkSignal, RepeatedPrompt, StepCancelled } from './errors.ts';
import { fingerprint } from './fingerprint.ts';
import type { JsonObject, JsonValue } from './json.ts';
import type { Journal, RunRecord, StepRecord } from './journal.ts';
import { normalizePath } from './paths.ts';
import type {
  FileInfo,
  FilesView,
  LlmAnswer,
  LlmCall,
  ProposedFile,
  QuestionSpec,
  RecordedLlm,
  StepContext,
  UserMessage,
} from './pipeline.ts';
import type {
  Clock,
  EventSink,
  ExecOutcome,
  ExecRequest,
  LlmCompletion,
  LlmPort,
  SandboxPort,
} from './ports.ts';
import { spentOf } from './ports.ts';

/** The ports a step context is built from. */
export interface ContextPorts {
  journal: Journal;
  sink: EventSink;
  clock: Clock;
  llm: LlmPort;
  sandbox: SandboxPort;
}

/** The mutable part of one execution of a step: its buffered writes and counters. */
export class StepScope {
  /** Buffered writes (null: delete), applied when the step commits. */
  readonly writes = new Map<string, string | null>();
  readonly messages: UserMessage[];
  readonly step: StepRecord;
  readonly signal: AbortSignal;
  private readonly ports: ContextPorts;
  private readonly run: RunRecord;
  private readonly state: JsonObject;
  private calls = 0;
  /** The key of the latest call whose answer the step got (replayed or new). */
  private answered: string | null = null;
  /** The latest error the LLM port threw (the provider failed, not an answer). */
  private llmError: unknown = undefined;
  private questions = 0;
  private events = 0;
  private commands = 0;

  constructor(ports: ContextPorts, step: StepRecord, run: RunRecord, state: JsonObject, signal: AbortSignal) {
    this.ports = ports;
    this.step = step;
    this.run = run;
    this.state = state;
    this.signal = signal;
    this.messages = ports.journal.pendingMessages();
  }

  /**
   * The recorded call whose answer the step was handling when it threw `err`: null when the throw came
   * from the LLM port itself (the provider failed; the earlier answers are good) or no call was answered.
   */
  callBehind(err: unknown): string | null {
    return err === this.llmError ? null : this.answered;
  }

  /** Builds the step's context. */
  context(): StepContext {
    const { step } = this;
    return {
      stepId: step.id,
      branch: step.branch,
      attempt: step.attempt,
      agent: step.ref.agent,
      project: this.run.project,
      state: this.state,
      input: step.ref.input,
      task: step.ref.task ?? null,
      files: this.files(),
      llm: this.llm(),
      messages: this.messages,
      signal: this.signal,
      exec: (request) => this.exec(request),
      say: (text) => this.emit(this.message(text)),
      artifact: (artifact) =>
        this.emit({ type: 'artifact', stepId: step.id, agent: step.ref.agent, ...artifact }),
      emit: (event) => this.emit(event),
      ask: (question) => this.ask(question),
      review: (proposal) => this.review(proposal),
      now: () => this.ports.clock.now(),
    };
  }

  private checkCancelled(): void {
    if (this.signal.aborted) throw new StepCancelled();
  }

  private message(text: string): EventBody {
    return {
      type: 'message',
      messageId: `s${this.step.id}:e${this.events + 1}`,
      role: 'agent',
      agent: this.step.ref.agent,
      stepId: this.step.id,
      text,
    };
  }

  private emit(event: EventBody): void {
    this.checkCancelled();
    this.events += 1;
    this.ports.sink.emit(event, `s${this.step.id}:e${this.events}`);
  }

  private files(): FilesView {
    const { journal } = this.ports;
    const writes = this.writes;
    const checked = (path: string): string => {
      const normal = normalizePath(path);
      if (!normal) throw new Error(`not an acceptable file path: ${JSON.stringify(path.slice(0, 200))}`);
      return normal;
    };
    return {
      read: async (path) => {
        const normal = checked(path);
        return writes.has(normal) ? (writes.get(normal) ?? null) : journal.readFile(normal);
      },
      readBinary: async (path) => {
        const normal = checked(path);
        // A step writes text only: a file it wrote is no longer the binary one.
        return writes.has(normal) ? null : journal.readBinary(normal);
      },
      list: async () => {
        const byPath = new Map<string, FileInfo>(journal.listFiles().map((f) => [f.path, f]));
        for (const [path, content] of writes) {
          if (content === null) byPath.delete(path);
          else
            byPath.set(path, { path, version: (byPath.get(path)?.version ?? 0) + 1, size: content.length });
        }
        return [...byPath.values()].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
      },
      write: (path, content) => {
        this.checkCancelled();
        writes.set(checked(path), content);
      },
      delete: (path) => {
        this.checkCancelled();
        writes.set(checked(path), null);
      },
    };
  }

  private llm(): RecordedLlm {
    const { llm } = this.ports;
    const agent = this.step.ref.agent;
    return {
      complete: (call) => this.complete(call),
      ...(llm.window ? { window: () => llm.window!(agent) } : {}),
    };
  }

  private async complete<T>(call: LlmCall<T>): Promise<LlmAnswer<T>> {
    this.checkCancelled();
    const { journal, sink, llm } = this.ports;
    this.calls += 1;
    const slot = `s${this.step.id}:c${this.calls}`;
    const agent = this.step.ref.agent;
    const print = fingerprint(
      JSON.stringify({ agent, model: call.model ?? null, messages: call.messages, schema: !!call.schema }),
    );
    const { recorded, key: recordedKey } = journal.callSlot(slot);
    let key = recordedKey;
    if (recorded && recorded.fingerprint === print) {
      this.answered = key;
      return answer(recorded.completion, call, true);
    }
    if (recorded) {
      // The prompt changed since: the old answer is not replayed, and stays recorded (it was paid for).
      journal.retireCall(key);
      key = journal.callSlot(slot).key;
    }
    // The same request from a later step of the task would most likely get the same answer: a loop.
    // (The same step run again replays its own calls above; a resume resets the guards, so it lets the
    // call through once.)
    const earlier = journal.earlierCall(print, this.step.id, this.step.ref.task?.id ?? null);
    if (earlier) throw new RepeatedPrompt(agent, earlier);

    const { totals } = journal.run();
    if (totals.costMicros >= totals.budgetMicros)
      throw new BudgetExceeded(totals.costMicros, totals.budgetMicros);
    const stream = call.stream ?? !call.schema;
    // The stream id is the call key: a call made again after an interruption restarts the same stream.
    if (stream) sink.streamStart(key, this.step.id, agent);
    let completion: LlmCompletion;
    try {
      completion = await llm.complete({
        agent,
        ...(call.model ? { model: call.model } : {}),
        messages: call.messages,
        ...(call.schema ? { schema: call.schema } : {}),
        signal: this.signal,
        ...(stream ? { onDelta: (text: string) => sink.streamAppend(key, text) } : {}),
        budgetLeftMicros: totals.budgetMicros - totals.costMicros,
      });
    } catch (err) {
      this.llmError = err;
      const spent = spentOf(err);
      if (spent) {
        // Billed but not usable: counted and in the usage ledger, under a key no replay ever reads.
        journal.atomic(() => {
          const totalsAfter = journal.recordCall(`${key}:lost${this.step.attempt}`, this.step.id, agent, {
            fingerprint: 'lost',
            completion: spent,
          });
          sink.emit({ type: 'usage', totals: totalsAfter, step: journal.stepUsage(this.step.id) });
          journal.syncProject();
        });
      }
      throw err;
    }
    // Recorded even when the step was cancelled meanwhile: the call was paid for.
    journal.atomic(() => {
      if (stream) sink.streamEnd(key);
      const totalsAfter = journal.recordCall(key, this.step.id, agent, { fingerprint: print, completion });
      sink.emit({ type: 'usage', totals: totalsAfter, step: journal.stepUsage(this.step.id) });
      journal.syncProject();
    });
    this.answered = key;
    this.checkCancelled();
    return answer(completion, call, false);
  }

  private async ask(question: QuestionSpec): Promise<string> {
    this.checkCancelled();
    const { journal, sink } = this.ports;
    this.questions += 1;
    let id = `s${this.step.id}:q${this.questions}`;
    let existing = journal.question(id);
    // Answered, but asked otherwise now (the model was asked again before it, after a message or a
    // fresh try): a new question, which the answer to the old one must not meet.
    for (let n = 2; existing?.answer != null && existing.text !== question.text; n++) {
      id = `s${this.step.id}:q${this.questions}:${n}`;
      existing = journal.question(id);
    }
    if (existing?.answer != null) return existing.answer;
    // What autopilot answers, if it may: a question without a default waits for the user in any mode.
    const autopilot = journal.run().mode === 'autopilot' ? question.default : null;
    journal.atomic(() => {
      if (!existing) {
        journal.putQuestion({
          id,
          stepId: this.step.id,
          text: question.text,
          options: question.options ?? null,
          default: question.default,
          answer: null,
          by: null,
          review: null,
        });
      }
      sink.emit(
        {
          type: 'question',
          questionId: id,
          stepId: this.step.id,
          text: question.text,
          options: question.options ?? null,
          default: question.default,
        },
        `${id}:asked`,
      );
      if (autopilot !== null) {
        journal.answerQuestion(id, autopilot, 'autopilot');
        sink.emit(
          { type: 'question.answered', questionId: id, answer: autopilot, by: 'autopilot' },
          `${id}:answered`,
        );
      }
    });
    if (autopilot !== null) return autopilot;
    throw new ParkSignal(id);
  }

  /**
   * Review before apply, on the question machinery: the proposal is a question whose answer is a verdict
   * (JSON), so it parks, is answered, is found again on the re-run, and counts in the question ids like
   * any `ask` (the ids stay the same whether or not the person is asked).
   */
  private async review(proposal: ProposedFile): Promise<ReviewVerdict> {
    this.checkCancelled();
    const { journal, sink } = this.ports;
    this.questions += 1;
    const id = `s${this.step.id}:q${this.questions}`;
    const existing = journal.question(id);
    if (existing?.answer != null) return verdictOf(existing.answer);
    const run = journal.run();
    if (run.project.reviewChanges !== true || run.mode !== 'interactive') {
      // Not asked (or no longer: autopilot, or reviews turned off while it waited): accepted as proposed.
      if (existing) {
        journal.atomic(() => {
          journal.answerQuestion(id, ACCEPT, 'autopilot');
          sink.emit(
            {
              type: 'question.answered',
              questionId: id,
              answer: 'Accepted',
              by: 'autopilot',
              review: 'accept',
            },
            `${id}:answered`,
          );
        });
      }
      return { decision: 'accept' };
    }
    const diff = diffText(proposal.before ?? '', proposal.after);
    const review: ChangeProposal = {
      ...proposal,
      diff: { added: diff.added, removed: diff.removed, hunks: diff.hunks },
    };
    const text =
      proposal.before === null
        ? `Review the new file ${proposal.path}`
        : `Review the change to ${proposal.path}`;
    journal.atomic(() => {
      if (!existing) {
        journal.putQuestion({
          id,
          stepId: this.step.id,
          text,
          options: null,
          default: ACCEPT,
          answer: null,
          by: null,
          review,
        });
      }
      sink.emit(
        {
          type: 'question',
          questionId: id,
          stepId: this.step.id,
          text,
          options: null,
          default: ACCEPT,
          review,
        },
        `${id}:asked`,
      );
    });
    throw new ParkSignal(id);
  }

  private async exec(request: ExecRequest): Promise<ExecOutcome> {
    this.checkCancelled();
    const { sink, sandbox } = this.ports;
    this.commands += 1;
    // Commands are not recorded (the sandbox is disposable): each attempt is a fresh terminal session.
    const commandId = `s${this.step.id}:x${this.commands}:a${this.step.attempt}`;
    sink.emit({ type: 'command.start', commandId, stepId: this.step.id, command: request.command });
    let outcome: ExecOutcome;
    try {
      outcome = await sandbox.exec(
        request,
        (stream, data) => sink.commandOutput(commandId, stream, data),
        this.signal,
      );
    } finally {
      sink.commandFlush(commandId);
    }
    sink.emit({
      type: 'command.exit',
      commandId,
      exitCode: outcome.exitCode,
      timedOut: outcome.timedOut,
      durationMs: outcome.durationMs,
    });
    this.checkCancelled();
    return outcome;
  }
}

/** A review question's answer when the change is accepted as proposed (its default). */
export const ACCEPT = JSON.stringify({ decision: 'accept' } satisfies ReviewVerdict);

/** The verdict a review question's answer records; words that are not one go back to the agent. */
export function verdictOf(answer: string): ReviewVerdict {
  try {
    const parsed = ReviewVerdict.safeParse(JSON.parse(answer));
    if (parsed.success) return parsed.data;
  } catch {
    // Not JSON: the person's own words.
  }
  return { decision: 'reject', comment: answer };
}

function answer<T>(completion: LlmCompletion, call: LlmCall<T>, replayed: boolean): LlmAnswer<T> {
  const object =
    call.schema && completion.object !== undefined ? call.schema.parse(completion.object) : undefined;
  return {
    text: completion.text,
    object,
    usage: completion.usage,
    costMicros: replayed ? 0 : completion.costMicros,
    replayed,
    finishReason: completion.finishReason,
  };
}

/** Keeps a JSON value JSON (drops `undefined`, functions): what a step returns is stored as JSON. */
export function toJson(value: unknown): JsonValue {
  return JSON.parse(JSON.stringify(value ?? null)) as JsonValue;
}
