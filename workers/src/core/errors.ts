/**
 * Signals the engine uses for control flow through step functions. A step that catches errors must
 * rethrow these (`isEngineSignal`), or a parked question, a budget stop or a cancellation would be lost.
 */
import type { LlmCompletion } from './ports.ts';

/** Thrown by `ctx.ask` when the answer is not there yet: the step parks and re-runs once answered. */
export class ParkSignal extends Error {
  readonly questionId: string;
  constructor(questionId: string) {
    super(`waiting for the answer to ${questionId}`);
    this.name = 'ParkSignal';
    this.questionId = questionId;
  }
}

/** Thrown before an LLM call that the project's budget no longer allows. */
export class BudgetExceeded extends Error {
  readonly costMicros: number;
  readonly budgetMicros: number;
  /** What the refused call had already spent (its first round), to be recorded; see `spentOf`. */
  spent?: LlmCompletion;
  constructor(costMicros: number, budgetMicros: number) {
    super(
      `The project's budget is spent: $${(costMicros / 1e6).toFixed(4)} of $${(budgetMicros / 1e6).toFixed(4)}.`,
    );
    this.name = 'BudgetExceeded';
    this.costMicros = costMicros;
    this.budgetMicros = budgetMicros;
  }
}

/**
 * Thrown before an LLM call that would send exactly what an earlier step of the same task sent (since the
 * guards were last reset): the same request would most likely get the same answer, so it is a loop, and
 * the run pauses before paying for it again.
 */
export class RepeatedPrompt extends Error {
  readonly agent: string;
  readonly earlier: { stepId: number; title: string };
  constructor(agent: string, earlier: { stepId: number; title: string }) {
    super(
      `The ${agent} would send the same request as in step ${earlier.stepId} ("${earlier.title}"), so it would most likely get the same answer again. Give a hint in the chat, skip, roll back, or Resume to let it try once more.`,
    );
    this.name = 'RepeatedPrompt';
    this.agent = agent;
    this.earlier = earlier;
  }
}

/** Thrown by the step context once the step was cancelled (stop, skip, rollback). */
export class StepCancelled extends Error {
  constructor() {
    super('the step was cancelled');
    this.name = 'StepCancelled';
  }
}

/**
 * A command failed because of the environment (the network, TLS trust, the registry, the disk, a tool
 * missing from the image, the sandbox), not the code: no change to the project fixes it. The engine
 * runs the step again later by itself, with a longer backoff than other throws and without counting it
 * as the step's failure; after `maxEnvironmentTries` the run pauses with the `environment` reason and
 * this message, and Resume tries again.
 */
export class EnvironmentFailure extends Error {
  /** Which part of the environment (`network`, `tls`, `registry`, `proxy`, `disk`, `tool`, `sandbox`). */
  readonly kind: string;
  /** `message`: what failed and what to do, for the user. */
  constructor(kind: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'EnvironmentFailure';
    this.kind = kind;
  }
}

/** True for the engine's own signals, which a step must never swallow. */
export function isEngineSignal(err: unknown): boolean {
  return (
    err instanceof ParkSignal ||
    err instanceof BudgetExceeded ||
    err instanceof RepeatedPrompt ||
    err instanceof StepCancelled ||
    err instanceof EnvironmentFailure
  );
}

/**
 * A checkpoint this version cannot read: a step's state or input of a shape it does not know and cannot
 * upgrade (written by a newer version, or damaged). The run fails at once with this reason, instead of
 * running a step on data it would misread or retrying what cannot succeed.
 */
export class UnreadableState extends Error {
  constructor(reason: string) {
    super(reason);
    this.name = 'UnreadableState';
  }
}
