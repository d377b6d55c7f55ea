/**
 * The live channel's messages (`GET /api/projects/:id/live`), defined once and checked on arrival on both
 * sides. Imported by the web package: this module imports nothing but zod and the artifacts' schemas
 * (`artifacts.ts`, zod only too).
 *
 * Server → client:
 * - logged events ({@link ServerEvent}): every one carries a monotonic `seq` and its time `at` (ms since
 *   the epoch). A client remembers the last `seq` it saw and sends `resume { after }` on (re)connect: the
 *   gap is replayed from the project's log, then live events follow, with no loss and no duplicate.
 * - frames that are not part of the log (no `seq`): `hello` on connect, `synced` when a replay has caught
 *   up, `error` for a frame the server refused (the socket stays usable), `pong`.
 * - `batch`: several logged events in one message (replays, a step's commit), only to a client that asked
 *   for batches (`resume { after, batch: true }`); see {@link framesOf}.
 *
 * Streamed LLM text arrives as `stream.start`, coalesced `stream.delta`s (a few a second, each with the
 * character `offset` it starts at) and `stream.end`. A `stream.start` for an id already seen means the
 * call is being made again (the first attempt was interrupted): the client drops what it had for that id.
 * Command output (`command.output`) is coalesced the same way.
 */
import { z } from 'zod';
import { readArtifact, type Artifact, type UnreadableArtifact } from './artifacts.ts';

export * from './artifacts.ts';
export * from './agent-roster.ts';

// ---------------------------------------------------------------------------------------------------
// Shared shapes

/** Lifecycle of a project's run; the same values as the project index's `status` in Postgres. */
export const RunStatus = z.enum(['idle', 'running', 'waiting', 'paused', 'stopped', 'failed', 'completed']);
export type RunStatus = z.infer<typeof RunStatus>;

/** Why the run is in its status: a user's action, a question, a loop guard, a failure. */
export const RunReasonCode = z.enum([
  'user',
  'question',
  'budget',
  'task_iterations',
  'repeated_failure',
  /** A call would send the same request as an earlier step of its task: a loop, stopped before paying. */
  'repeated_prompt',
  /** A task (or the steps outside the tasks) took longer than the guards allow. */
  'task_time',
  'step_failed',
  /** A command kept failing because of the environment (network, TLS, registry, disk, a tool, the sandbox). */
  'environment',
  'rollback',
  'completed',
]);
export type RunReasonCode = z.infer<typeof RunReasonCode>;

export const RunReason = z.object({ code: RunReasonCode, message: z.string() });
export type RunReason = z.infer<typeof RunReason>;

export const ProjectMode = z.enum(['autopilot', 'interactive']);
export type ProjectMode = z.infer<typeof ProjectMode>;

/**
 * Token and cost totals of a project; money in micro-dollars (integers, so sums are exact).
 * `costMicros` sums the calls whose price is known; `unpricedCalls` counts those whose price is not
 * (a model without a list price or one of the owner's own): the cost is then a floor, not the total,
 * and the budget cannot hold those calls (the loop guards still bound the run).
 */
export const Totals = z.object({
  costMicros: z.number().int(),
  // Absent from totals recorded before prices could be unknown.
  unpricedCalls: z.number().int().default(0),
  inputTokens: z.number().int(),
  outputTokens: z.number().int(),
  cachedTokens: z.number().int(),
  budgetMicros: z.number().int(),
});
export type Totals = z.infer<typeof Totals>;

export const FileOp = z.enum(['create', 'update', 'delete']);
export type FileOp = z.infer<typeof FileOp>;

export const FileChange = z.object({
  path: z.string(),
  version: z.number().int(),
  op: FileOp,
  size: z.number().int(),
});
export type FileChange = z.infer<typeof FileChange>;

/**
 * What one step's LLM calls used so far: its tokens and cost. `unpriced` counts calls whose model has no
 * known price: their cost is counted as 0, so a viewer says "price unknown" rather than "$0.00".
 */
export const StepUsage = z.object({
  stepId: z.number().int(),
  calls: z.number().int(),
  inputTokens: z.number().int(),
  outputTokens: z.number().int(),
  cachedTokens: z.number().int(),
  costMicros: z.number().int(),
  unpriced: z.number().int(),
});
export type StepUsage = z.infer<typeof StepUsage>;

/**
 * Why a step starts again: `answer`, it parked on a question (or a review) and runs on from its record
 * with the answer (not a retry); `retry`, its last run failed; `restart`, its last run was stopped or
 * interrupted (a stop, the budget, an evicted object) and it runs again from its record.
 */
export const RerunCause = z.enum(['answer', 'retry', 'restart']);
export type RerunCause = z.infer<typeof RerunCause>;

/** Largest text a client may send in one frame (answers, chat, a review's comment). */
export const MAX_CLIENT_TEXT = 20_000;

/** Largest file text a reviewer may send back edited. */
export const MAX_REVIEW_TEXT = 200_000;

/** The person's verdict on a proposed change (review before apply). */
export const ReviewVerdict = z.discriminatedUnion('decision', [
  z.strictObject({ decision: z.literal('accept') }),
  /** Write this text instead of the proposal. */
  z.strictObject({ decision: z.literal('edit'), content: z.string().max(MAX_REVIEW_TEXT) }),
  /** Do not write it: the agent tries again with the comment. */
  z.strictObject({
    decision: z.literal('reject'),
    comment: z.string().trim().min(1).max(MAX_CLIENT_TEXT),
  }),
]);
export type ReviewVerdict = z.infer<typeof ReviewVerdict>;

/** A line diff, as `core/diff.ts` computes it (for proposals the viewer shows before anything is written). */
export const LineDiff = z.object({
  added: z.number().int(),
  removed: z.number().int(),
  hunks: z.array(
    z.object({
      oldStart: z.number().int(),
      oldLines: z.number().int(),
      newStart: z.number().int(),
      newLines: z.number().int(),
      lines: z.array(z.object({ op: z.enum([' ', '-', '+']), text: z.string() })),
    }),
  ),
});

/** A change an agent would write, shown for review before it is written. */
export const ChangeProposal = z.object({
  path: z.string(),
  /** The file as it is (null: a new file). */
  before: z.string().nullable(),
  /** The file as the agent would write it. */
  after: z.string(),
  /** The agent's one line on what the change does. */
  summary: z.string(),
  diff: LineDiff,
  /** How many times the person sent this file back already within the step. */
  round: z.number().int(),
});
export type ChangeProposal = z.infer<typeof ChangeProposal>;

export const ChatKind = z.enum(['message', 'change', 'bug']);
export type ChatKind = z.infer<typeof ChatKind>;

/** An open question of the run, as the `hello` snapshot shows it. */
export const OpenQuestion = z.object({
  questionId: z.string(),
  stepId: z.number().int(),
  text: z.string(),
  options: z.array(z.string()).nullable(),
  default: z.string().nullable(),
});
export type OpenQuestion = z.infer<typeof OpenQuestion>;

/** What the project's app is doing: it follows the project's files (see agent/app-follower.ts). */
export const AppState = z.enum(['updating', 'running', 'failed', 'stopped']);
export type AppState = z.infer<typeof AppState>;

/** One thing the page check found wrong with the app's page. */
export const CheckProblem = z.object({
  kind: z.string(),
  message: z.string(),
  url: z.string().optional(),
});
export type CheckProblem = z.infer<typeof CheckProblem>;

// ---------------------------------------------------------------------------------------------------
// Logged events (the body; the log adds `seq` and `at`)

const StepIdentity = { stepId: z.number().int(), agent: z.string() };

/** The step an artifact came from. */
interface ArtifactSource {
  type: 'artifact';
  stepId: number;
  agent: string;
}

/**
 * A typed artifact of an agent (a specification, a plan...): a union on `kind` ({@link Artifact}). One
 * logged in an older shape is read as its current shape, or as an `unreadable` artifact that viewers
 * ignore: an old log never breaks the live channel.
 */
export type ArtifactEvent = ArtifactSource & (Artifact | UnreadableArtifact);
const ArtifactEvent = z
  .object({ type: z.literal('artifact'), ...StepIdentity, kind: z.string(), data: z.unknown() })
  .transform(({ type, stepId, agent, kind, data }): ArtifactEvent => ({
    type,
    stepId,
    agent,
    ...readArtifact(kind, data),
  }));

/** Every kind of event the log holds, without `seq` and `at`. */
export const EventBody = z.discriminatedUnion('type', [
  z.object({ type: z.literal('run.status'), status: RunStatus, reason: RunReason.nullable() }),
  z.object({
    type: z.literal('step.started'),
    ...StepIdentity,
    branch: z.number().int(),
    title: z.string(),
    task: z.string().nullable(),
    attempt: z.number().int(),
    /** Why the step starts again (absent on its first start, and in logs older than this field). */
    rerun: RerunCause.optional(),
  }),
  z.object({ type: z.literal('step.completed'), ...StepIdentity, durationMs: z.number() }),
  z.object({
    type: z.literal('step.failed'),
    ...StepIdentity,
    attempt: z.number().int(),
    error: z.string(),
    willRetry: z.boolean(),
  }),
  /** A step that will not complete: stopped, skipped, or left behind by a rollback. */
  z.object({ type: z.literal('step.aborted'), ...StepIdentity, reason: z.string() }),
  z.object({
    type: z.literal('message'),
    messageId: z.string(),
    role: z.enum(['agent', 'user', 'system']),
    agent: z.string().nullable(),
    stepId: z.number().int().nullable(),
    text: z.string(),
    kind: ChatKind.optional(),
  }),
  z.object({ type: z.literal('stream.start'), streamId: z.string(), ...StepIdentity }),
  z.object({
    type: z.literal('stream.delta'),
    streamId: z.string(),
    offset: z.number().int(),
    text: z.string(),
  }),
  z.object({ type: z.literal('stream.end'), streamId: z.string(), length: z.number().int() }),
  z.object({
    type: z.literal('files.changed'),
    stepId: z.number().int().nullable(),
    branch: z.number().int(),
    author: z.enum(['agent', 'user']),
    changes: z.array(FileChange),
  }),
  z.object({
    type: z.literal('question'),
    questionId: z.string(),
    stepId: z.number().int(),
    text: z.string(),
    options: z.array(z.string()).nullable(),
    default: z.string().nullable(),
    /** A review question: the change to accept, edit or reject (answered with a `review` frame). */
    review: ChangeProposal.optional(),
  }),
  z.object({
    type: z.literal('question.answered'),
    questionId: z.string(),
    /** The answer as a person reads it (for a review: "Accepted", "Rejected: ..."). */
    answer: z.string(),
    by: z.enum(['user', 'autopilot']),
    /** A review's verdict (without an edit's text, which the step's file change shows). */
    review: z.enum(['accept', 'edit', 'reject']).optional(),
  }),
  /** The project's totals after an LLM call; `step`: what that call's step has used so far. */
  z.object({ type: z.literal('usage'), totals: Totals, step: StepUsage.optional() }),
  z.object({
    type: z.literal('task'),
    taskId: z.string(),
    title: z.string(),
    /** `failed`: the task ended with a command of it still failing (the user moved on); never done. */
    status: z.enum(['started', 'completed', 'skipped', 'failed']),
    stepId: z.number().int(),
    /** Why a task ended failed or skipped, in words ("`npm test` still fails"). */
    reason: z.string().optional(),
  }),
  z.object({
    type: z.literal('branch.created'),
    branch: z.number().int(),
    parentBranch: z.number().int(),
    fromStepId: z.number().int(),
  }),
  z.object({
    type: z.literal('command.start'),
    commandId: z.string(),
    stepId: z.number().int(),
    command: z.string(),
  }),
  z.object({
    type: z.literal('command.output'),
    commandId: z.string(),
    stream: z.enum(['stdout', 'stderr']),
    offset: z.number().int(),
    data: z.string(),
  }),
  z.object({
    type: z.literal('command.exit'),
    commandId: z.string(),
    exitCode: z.number().int().nullable(),
    timedOut: z.boolean(),
    durationMs: z.number(),
  }),
  /**
   * The app's state changed: updating with changed files, running (again), failed to start, stopped.
   * `reload`: the app now serves newer files, a viewer reloads the preview.
   */
  z.object({ type: z.literal('app'), state: AppState, message: z.string(), reload: z.boolean() }),
  /** The platform loaded the app's page in a headless browser and judged what it saw. */
  z.object({
    type: z.literal('app.check'),
    status: z.enum(['passed', 'failed', 'skipped']),
    summary: z.string(),
    problems: z.array(CheckProblem),
  }),
  /**
   * Every sandbox runner is full: the project waits in line for one (`position` 1 is next), and null
   * once it has its sandbox and goes on.
   */
  z.object({
    type: z.literal('sandbox.queue'),
    position: z.number().int().min(1).nullable(),
    message: z.string(),
  }),
  ArtifactEvent,
]);
export type EventBody = z.infer<typeof EventBody>;
export type EventType = EventBody['type'];

/** A logged event as it reaches a client. */
export type ServerEvent = EventBody & { seq: number; at: number };

// ---------------------------------------------------------------------------------------------------
// Frames outside the log

/** What a client needs to draw the project before any event: the run's status and totals. */
export const RunSnapshot = z.object({
  status: RunStatus,
  reason: RunReason.nullable(),
  mode: ProjectMode,
  branch: z.number().int(),
  currentStep: z.object({ stepId: z.number().int(), agent: z.string(), title: z.string() }).nullable(),
  openQuestion: OpenQuestion.nullable(),
  totals: Totals,
});
export type RunSnapshot = z.infer<typeof RunSnapshot>;

export const HelloFrame = z.object({
  type: z.literal('hello'),
  projectId: z.string(),
  lastSeq: z.number().int(),
  run: RunSnapshot,
});
export const SyncedFrame = z.object({ type: z.literal('synced'), lastSeq: z.number().int() });
export const ErrorCode = z.enum([
  'bad_frame',
  'bad_request',
  'not_found',
  'conflict',
  'unavailable',
  'rate_limited',
  'internal',
]);
export const ErrorFrame = z.object({ type: z.literal('error'), code: ErrorCode, message: z.string() });
export const PongFrame = z.object({ type: z.literal('pong') });
/**
 * Several logged events in one WebSocket message, in `seq` order, for clients that asked for batches: a
 * replay (and a step's commit) then sends its events together. Each is handled as if it came alone.
 */
export const BatchFrame = z.object({
  type: z.literal('batch'),
  events: z.array(z.intersection(EventBody, z.object({ seq: z.number().int(), at: z.number() }))),
});
export type HelloFrame = z.infer<typeof HelloFrame>;
export type SyncedFrame = z.infer<typeof SyncedFrame>;
export type ErrorFrame = z.infer<typeof ErrorFrame>;

/** Anything the server sends, once batches are unpacked. */
export type ServerFrame = ServerEvent | HelloFrame | SyncedFrame | ErrorFrame | z.infer<typeof PongFrame>;

/** A WebSocket message from the server: a frame, or a batch of events. */
export type ServerMessage = ServerFrame | { type: 'batch'; events: ServerEvent[] };

/** The frames a server message carries (a batch unpacked, in order). */
export function framesOf(message: ServerMessage): ServerFrame[] {
  return message.type === 'batch' ? message.events : [message];
}

const LoggedEvent = z.intersection(EventBody, z.object({ seq: z.number().int(), at: z.number() }));

/** Parses a server frame (clients check what they receive too). */
export const ServerFrameSchema = z.union([LoggedEvent, HelloFrame, SyncedFrame, ErrorFrame, PongFrame]);

/** Parses a server message of a client that asked for batches: a frame or a batch. */
export const ServerMessageSchema = z.union([ServerFrameSchema, BatchFrame]);

// ---------------------------------------------------------------------------------------------------
// Client → server

export const ControlAction = z.enum(['start', 'pause', 'resume', 'stop', 'skip']);
export type ControlAction = z.infer<typeof ControlAction>;

export const ClientMessage = z.discriminatedUnion('type', [
  /**
   * Replay every event after `after` (0: from the beginning), then stream live. With `batch`, events
   * may come several per message ({@link BatchFrame}): a long replay is then many times faster.
   */
  z.strictObject({
    type: z.literal('resume'),
    after: z.number().int().min(0),
    batch: z.boolean().optional(),
  }),
  z.strictObject({
    type: z.literal('answer'),
    questionId: z.string().min(1).max(200),
    answer: z.string().max(MAX_CLIENT_TEXT),
  }),
  /** A change request or a bug report from the user (plain `message` otherwise). */
  z.strictObject({
    type: z.literal('chat'),
    text: z.string().trim().min(1).max(MAX_CLIENT_TEXT),
    kind: ChatKind.default('message'),
  }),
  /** The verdict on a proposed change (a review question). */
  z.strictObject({
    type: z.literal('review'),
    questionId: z.string().min(1).max(200),
    verdict: ReviewVerdict,
  }),
  z.strictObject({ type: z.literal('control'), action: ControlAction }),
  /** Try a failed or skipped task of the plan again (on a finished run): it is planned anew. */
  z.strictObject({ type: z.literal('retry'), taskId: z.string().min(1).max(200) }),
  /** Go back to the state right after step `stepId` on a new branch; nothing is destroyed. */
  z.strictObject({ type: z.literal('rollback'), stepId: z.number().int().min(1) }),
  z.strictObject({ type: z.literal('ping') }),
]);
export type ClientMessage = z.infer<typeof ClientMessage>;
export type ClientMessageInput = z.input<typeof ClientMessage>;

/** The exact text of a keep-alive ping; the server answers it without waking the Durable Object. */
export const PING_FRAME = '{"type":"ping"}';
export const PONG_FRAME = '{"type":"pong"}';
