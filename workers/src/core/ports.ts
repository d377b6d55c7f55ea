/**
 * The ports of the core: everything the pipeline needs from the outside world comes in through these
 * interfaces (time, ids, the LLM, the sandbox, the event sink). Adapters live in `agent/` (the Durable
 * Object), in `llm/` and `sandbox/`, and in tests.
 */
import type { ZodType } from 'zod';
import type { EventBody } from '../protocol.ts';
import type { JsonValue } from './json.ts';

/** Wall-clock time in milliseconds since the epoch. */
export interface Clock {
  now(): number;
}

/** Unique ids for things that need no determinism (chat messages). */
export interface Ids {
  next(prefix: string): string;
}

export interface LlmMessage {
  role: 'system' | 'user' | 'assistant';
  content: string;
}

export interface LlmUsage {
  inputTokens: number;
  outputTokens: number;
  cachedTokens: number;
}

/** One LLM call as the port receives it. */
export interface LlmRequest {
  /** The agent making the call: the adapter picks its model and key from it. */
  agent: string;
  /** An explicit model; otherwise the agent's configured one. */
  model?: string;
  messages: LlmMessage[];
  /** Structured output: the adapter asks for this schema and returns the parsed object. */
  schema?: ZodType;
  signal: AbortSignal;
  /** Streamed text as it arrives (not called for structured outputs unless the provider streams them). */
  onDelta?: (text: string) => void;
  /**
   * What the project may still spend: a second provider call within this one (the re-ask of an invalid
   * structured output) is refused with `BudgetExceeded` once the first has spent it.
   */
  budgetLeftMicros?: number;
}

/**
 * A call that failed after the provider billed for it (an output still invalid after the re-ask, a
 * re-ask the budget refused): the error carries what was spent, so it is recorded and counted.
 */
export function spentOf(err: unknown): LlmCompletion | null {
  const spent = (err as { spent?: unknown } | null)?.spent;
  return spent && typeof spent === 'object' ? (spent as LlmCompletion) : null;
}

/** What an LLM call produced: recorded as JSON, so a resumed step reuses it instead of paying again. */
export interface LlmCompletion {
  text: string;
  /** The structured output, when a schema was asked for. */
  object?: JsonValue;
  usage: LlmUsage;
  /** Micro-dollars; null when the model's price is not known (a cost that is unknown, not zero). */
  costMicros: number | null;
  /** Where the price came from; absent when it is unknown (and on records older than prices). */
  pricedBy?: 'list' | 'custom';
  finishReason: string;
  provider: string;
  model: string;
  latencyMs: number;
}

/** The context window of the model an agent's calls go to, and the room its answers get. */
export interface ModelWindow {
  /** Prompt and answer together, in tokens. */
  contextTokens: number;
  /** The most a call's answer may take (the call's output cap). */
  outputTokens: number;
}

/** The LLM layer: `complete` makes one (paid) call. */
export interface LlmPort {
  complete(request: LlmRequest): Promise<LlmCompletion>;
  /** The window of the model `agent`'s calls go to (absent: the agents assume a large one). */
  window?(agent: string): Promise<ModelWindow>;
}

export interface ExecRequest {
  command: string;
  cwd?: string;
  timeoutMs?: number;
  env?: Record<string, string>;
  /** The command needs the network (installing dependencies): the sandbox gets the egress policy. */
  network?: 'egress';
}

export interface ExecOutcome {
  exitCode: number | null;
  timedOut: boolean;
  durationMs: number;
  /** stdout and stderr as they were interleaved; of a long output its head and tail (`output-window.ts`). */
  output: string;
  /** The sandbox's memory limit killed a process while the command ran (absent: it did not, or unknown). */
  oomKilled?: boolean;
}

export interface SandboxFile {
  path: string;
  content: string;
  /** `content` is base64 of a binary file. */
  binary?: boolean;
  /** Written with mode 0755 (a script, `gradlew`); absent: 0644. */
  executable?: boolean;
}

/**
 * The project's sandbox. It is disposable: its workspace is rebuilt from the project's files at any time,
 * so commands are not recorded (a resumed step runs them again).
 */
export interface SandboxPort {
  /** Writes files into the workspace (the engine's file tree is the source of truth). */
  writeFiles(files: SandboxFile[]): Promise<void>;
  /** Runs a command; output chunks are reported as they happen. */
  exec(
    request: ExecRequest,
    onOutput: (stream: 'stdout' | 'stderr', data: string) => void,
    signal: AbortSignal,
  ): Promise<ExecOutcome>;
}

/**
 * Where events go. `emit` appends to the project's log; with a `key`, an event already logged under the
 * same key is not logged again (a step re-run after a crash re-emits exactly what it emitted before).
 * Streams and command output are coalesced by the adapter before they reach the log.
 */
export interface EventSink {
  emit(event: EventBody, key?: string): void;
  streamStart(streamId: string, stepId: number, agent: string): void;
  streamAppend(streamId: string, text: string): void;
  streamEnd(streamId: string): void;
  commandOutput(commandId: string, stream: 'stdout' | 'stderr', data: string): void;
  /** Flushes a command's coalesced output (before its `command.exit`). */
  commandFlush(commandId: string): void;
}
