/**
 * The live state of a project's run, built from the events of its live channel: the steps, the
 * conversation (with streamed text), the open question, the plan, the files, the commands and the
 * totals. `apply` is the only way in; the workspace's panels read the fields.
 */
import type {
  Artifact,
  ArtifactEvent,
  ChangeProposal,
  FileChange,
  HelloFrame,
  OpenQuestion,
  RunReason,
  RunStatus,
  ServerEvent,
  StepUsage,
  Totals,
} from '@samokoder/workers/protocol';
import { nextAppView, type AppView } from './app.ts';
import { readPlan, type PlanEpic } from './plan.ts';
import type { BranchFork } from './step-history.ts';
import { TerminalFeed } from './terminal-feed.ts';

/** The latest artifact of each kind, with the step that made it. */
export type LatestArtifacts = {
  [K in Artifact['kind']]?: Extract<ArtifactEvent, { kind: K }>;
};

export type StepStatus = 'running' | 'retrying' | 'completed' | 'failed' | 'aborted';

export interface StepView {
  stepId: number;
  agent: string;
  title: string;
  task: string | null;
  branch: number;
  attempt: number;
  /** Times it failed and was tried again: only these make "attempt N" (an answer is not a retry). */
  retries: number;
  /** It parked on a question (or a review) and went on once answered. */
  waited: boolean;
  status: StepStatus;
  /** When its current run began; with `workedMs`, the time it has worked (waiting for a person is not). */
  startedAt: number;
  /** Time worked in its earlier runs (before it parked or failed). */
  workedMs: number;
  /** False while it waits for an answer: its clock does not run. */
  working: boolean;
  durationMs: number | null;
  /** Why it failed or was aborted. */
  note: string | null;
  /** Files it changed. */
  changes: FileChange[];
  /** What its LLM calls used so far (null: none yet). */
  usage: StepUsage | null;
}

export type ConversationItem =
  | {
      kind: 'message';
      id: string;
      role: 'agent' | 'user' | 'system';
      agent: string | null;
      text: string;
      chatKind: 'message' | 'change' | 'bug' | undefined;
      at: number;
    }
  | { kind: 'stream'; id: string; agent: string; text: string; done: boolean; at: number }
  | {
      kind: 'question';
      id: string;
      text: string;
      options: string[] | null;
      default: string | null;
      answer: string | null;
      by: 'user' | 'autopilot' | null;
      /** A review question: the change to accept, edit or reject; and the verdict once given. */
      review: ChangeProposal | null;
      verdict: 'accept' | 'edit' | 'reject' | null;
      at: number;
    }
  | { kind: 'status'; id: string; status: RunStatus; reason: RunReason | null; at: number };

export interface TaskView {
  taskId: string;
  title: string;
  /** Only `completed` is done: `failed` (a command still fails) and `skipped` are not. */
  status: 'pending' | 'started' | 'completed' | 'skipped' | 'failed';
  /** Why a failed or skipped task is not done (null otherwise). */
  reason: string | null;
}

export interface CommandView {
  commandId: string;
  stepId: number;
  command: string;
  running: boolean;
  exitCode: number | null;
  timedOut: boolean;
  durationMs: number | null;
}

export interface FileEntry {
  path: string;
  version: number;
  size: number;
}

const ZERO_TOTALS: Totals = {
  costMicros: 0,
  unpricedCalls: 0,
  inputTokens: 0,
  outputTokens: 0,
  cachedTokens: 0,
  budgetMicros: 0,
};

/** Statuses worth a line in the conversation (the badge shows the others). */
const NOTED: ReadonlySet<RunStatus> = new Set(['paused', 'stopped', 'failed', 'completed']);

export class ProjectLiveState {
  status = $state<RunStatus>('idle');
  reason = $state<RunReason | null>(null);
  mode = $state<'autopilot' | 'interactive'>('interactive');
  branch = $state(0);
  totals = $state<Totals>(ZERO_TOTALS);
  steps = $state<StepView[]>([]);
  conversation = $state<ConversationItem[]>([]);
  openQuestion = $state<OpenQuestion | null>(null);
  tasks = $state<TaskView[]>([]);
  epics = $state<PlanEpic[]>([]);
  /** The project's app (null until the agents first start it). */
  app = $state<AppView | null>(null);
  /** While every sandbox runner is full: the project's place in line and what to say ("2nd in line"). */
  sandboxQueue = $state<{ position: number; message: string } | null>(null);
  /** Artifacts by kind, the latest of each (a specification, a plan...). */
  artifacts = $state<LatestArtifacts>({});
  commands = $state<CommandView[]>([]);
  files = $state<Record<string, FileEntry>>({});
  /** How each branch was forked (rollbacks): what the step history folds by. */
  forks = $state<Record<number, BranchFork>>({});
  /** Bumped when the files change in a way that needs the tree fetched again (a rollback). */
  treeEpoch = $state(0);
  /** True once the first replay has caught up: before that, what is shown is incomplete. */
  synced = $state(false);
  /** Events applied; the sequence number of the latest. */
  lastSeq = $state(0);
  readonly terminal = new TerminalFeed();

  // Positions in the arrays above, for O(1) updates; bookkeeping that nothing renders, so not reactive.
  /* eslint-disable svelte/prefer-svelte-reactivity */
  #stepIndex = new Map<number, number>();
  #itemIndex = new Map<string, number>();
  #commandIndex = new Map<string, number>();
  /* eslint-enable svelte/prefer-svelte-reactivity */

  hello(frame: HelloFrame): void {
    const run = frame.run;
    this.status = run.status;
    this.reason = run.reason;
    this.mode = run.mode;
    this.branch = run.branch;
    this.totals = run.totals;
    this.openQuestion = run.openQuestion;
  }

  /** Forget everything (the project's log started over). */
  reset(): void {
    this.steps = [];
    this.conversation = [];
    this.openQuestion = null;
    this.tasks = [];
    this.epics = [];
    this.artifacts = {};
    this.app = null;
    this.sandboxQueue = null;
    this.commands = [];
    this.files = {};
    this.forks = {};
    this.lastSeq = 0;
    this.synced = false;
    this.#stepIndex.clear();
    this.#itemIndex.clear();
    this.#commandIndex.clear();
    this.terminal.clear();
    this.treeEpoch++;
  }

  /** The tree as the files API has it (after a rollback the events alone do not say what is left). */
  replaceFiles(files: FileEntry[]): void {
    this.files = Object.fromEntries(files.map((f) => [f.path, f]));
  }

  apply(event: ServerEvent): void {
    this.lastSeq = event.seq;
    switch (event.type) {
      case 'run.status':
        this.status = event.status;
        this.reason = event.reason;
        if (NOTED.has(event.status) || event.reason?.code === 'budget') {
          this.#push({
            kind: 'status',
            id: `status:${event.seq}`,
            status: event.status,
            reason: event.reason,
            at: event.at,
          });
        }
        break;
      case 'step.started': {
        // A step started again is the same step: what it did and used so far stays with it.
        const before = this.#step(event.stepId);
        const step: StepView = {
          stepId: event.stepId,
          agent: event.agent,
          title: event.title,
          task: event.task,
          branch: event.branch,
          attempt: event.attempt,
          retries: before?.retries ?? 0,
          waited: (before?.waited ?? false) || event.rerun === 'answer',
          status: 'running',
          startedAt: event.at,
          workedMs: before
            ? before.workedMs + (before.working ? Math.max(0, event.at - before.startedAt) : 0)
            : 0,
          working: true,
          durationMs: null,
          note: null,
          changes: before?.changes ?? [],
          usage: before?.usage ?? null,
        };
        // Logs older than `rerun` only have the attempt: a start after the first was a retry there.
        if (before && event.rerun === undefined && event.attempt > 1) step.retries = before.retries + 1;
        const index = this.#stepIndex.get(event.stepId);
        if (index === undefined) {
          this.#stepIndex.set(event.stepId, this.steps.length);
          this.steps.push(step);
        } else {
          this.steps[index] = step;
        }
        this.branch = event.branch;
        break;
      }
      case 'step.completed': {
        const step = this.#step(event.stepId);
        this.#updateStep(event.stepId, {
          status: 'completed',
          durationMs: (step?.workedMs ?? 0) + event.durationMs,
          working: false,
        });
        break;
      }
      case 'step.failed': {
        const step = this.#step(event.stepId);
        if (!step) break;
        this.#stopClock(step, event.at);
        Object.assign(step, {
          status: event.willRetry ? 'retrying' : 'failed',
          note: event.error,
          attempt: event.attempt,
        });
        // The retry comes as a start of its own (with `rerun`), except in older logs.
        if (event.willRetry) step.retries += 1;
        break;
      }
      case 'step.aborted': {
        const step = this.#step(event.stepId);
        if (!step) break;
        this.#stopClock(step, event.at);
        Object.assign(step, { status: 'aborted', note: event.reason, durationMs: step.workedMs });
        break;
      }
      case 'message':
        this.#push({
          kind: 'message',
          id: event.messageId,
          role: event.role,
          agent: event.agent,
          text: event.text,
          chatKind: event.kind,
          at: event.at,
        });
        break;
      case 'stream.start': {
        // A start for a known stream means the call is being made again: its text starts over.
        const index = this.#itemIndex.get(event.streamId);
        const item = {
          kind: 'stream',
          id: event.streamId,
          agent: event.agent,
          text: '',
          done: false,
          at: event.at,
        } as const;
        if (index === undefined) this.#push(item);
        else this.conversation[index] = item;
        break;
      }
      case 'stream.delta': {
        const item = this.#item(event.streamId);
        if (item?.kind !== 'stream') break;
        // The delta says where it starts: text already shown is never repeated.
        item.text = item.text.slice(0, Math.min(event.offset, item.text.length)) + event.text;
        break;
      }
      case 'stream.end': {
        const item = this.#item(event.streamId);
        if (item?.kind === 'stream') item.done = true;
        break;
      }
      case 'files.changed':
        for (const change of event.changes) {
          if (change.op === 'delete') delete this.files[change.path];
          else this.files[change.path] = { path: change.path, version: change.version, size: change.size };
        }
        if (event.stepId !== null) {
          const step = this.#step(event.stepId);
          if (step) step.changes = mergeChanges(step.changes, event.changes);
        }
        break;
      case 'question': {
        // The step waits for an answer: its clock stops until it starts again.
        const asking = this.#step(event.stepId);
        if (asking) this.#stopClock(asking, event.at);
        this.openQuestion = {
          questionId: event.questionId,
          stepId: event.stepId,
          text: event.text,
          options: event.options,
          default: event.default,
        };
        this.#push({
          kind: 'question',
          id: event.questionId,
          text: event.text,
          options: event.options,
          default: event.default,
          answer: null,
          by: null,
          review: event.review ?? null,
          verdict: null,
          at: event.at,
        });
        break;
      }
      case 'question.answered': {
        if (this.openQuestion?.questionId === event.questionId) this.openQuestion = null;
        const item = this.#item(event.questionId);
        if (item?.kind === 'question') {
          item.answer = event.answer;
          item.by = event.by;
          item.verdict = event.review ?? null;
        }
        break;
      }
      case 'usage':
        this.totals = event.totals;
        if (event.step) this.#updateStep(event.step.stepId, { usage: event.step });
        break;
      case 'task': {
        const status = event.status;
        const reason = event.reason ?? null;
        const existing = this.tasks.find((t) => t.taskId === event.taskId);
        // A task announced again may have a new title (the model's summary of a user's request).
        if (existing) Object.assign(existing, { status, reason, title: event.title });
        else this.tasks.push({ taskId: event.taskId, title: event.title, status, reason });
        // The step that ended a task without it being done says so in the steps too.
        const ended = status === 'failed' ? this.#step(event.stepId) : undefined;
        if (ended) ended.note = `The task "${event.title}" is not done${reason ? `: ${reason}` : ''}.`;
        break;
      }
      case 'branch.created':
        this.branch = event.branch;
        this.forks[event.branch] = { parent: event.parentBranch, fromStepId: event.fromStepId };
        this.terminal.note(`— rolled back to step ${event.fromStepId} (branch ${event.branch}) —`);
        this.treeEpoch++;
        break;
      case 'command.start':
        this.#commandIndex.set(event.commandId, this.commands.length);
        this.commands.push({
          commandId: event.commandId,
          stepId: event.stepId,
          command: event.command,
          running: true,
          exitCode: null,
          timedOut: false,
          durationMs: null,
        });
        this.terminal.commandStarted(event.commandId, event.command);
        break;
      case 'command.output':
        this.terminal.output(event.commandId, event.offset, event.data, event.stream);
        break;
      case 'command.exit': {
        const index = this.#commandIndex.get(event.commandId);
        const command = index === undefined ? undefined : this.commands[index];
        if (command) {
          command.running = false;
          command.exitCode = event.exitCode;
          command.timedOut = event.timedOut;
          command.durationMs = event.durationMs;
        }
        this.terminal.exited(event.exitCode, event.timedOut, event.durationMs);
        break;
      }
      case 'artifact':
        // One this version cannot read (an unknown kind, a shape it never had) is ignored.
        if (event.kind === 'unreadable') break;
        this.artifacts = { ...this.artifacts, [event.kind]: event };
        if (event.kind === 'plan') this.epics = readPlan(event.data);
        if (event.kind === 'preview') this.app = nextAppView(this.app, event);
        break;
      case 'app':
      case 'app.check':
        this.app = nextAppView(this.app, event);
        break;
      case 'sandbox.queue':
        this.sandboxQueue =
          event.position === null ? null : { position: event.position, message: event.message };
        break;
    }
  }

  /** The step in progress, if any. */
  get runningStep(): StepView | undefined {
    for (let i = this.steps.length - 1; i >= 0; i--) {
      const step = this.steps[i];
      if (step?.status === 'running' || step?.status === 'retrying') return step;
    }
    return undefined;
  }

  #step(stepId: number): StepView | undefined {
    const index = this.#stepIndex.get(stepId);
    return index === undefined ? undefined : this.steps[index];
  }

  #updateStep(stepId: number, patch: Partial<StepView>): void {
    const step = this.#step(stepId);
    if (step) Object.assign(step, patch);
  }

  /** The step's run ends at `at` (it parked, failed or was stopped): its time so far is kept. */
  #stopClock(step: StepView, at: number): void {
    if (!step.working) return;
    step.workedMs += Math.max(0, at - step.startedAt);
    step.working = false;
  }

  #item(id: string): ConversationItem | undefined {
    const index = this.#itemIndex.get(id);
    return index === undefined ? undefined : this.conversation[index];
  }

  #push(item: ConversationItem): void {
    this.#itemIndex.set(item.id, this.conversation.length);
    this.conversation.push(item);
  }
}

/** A step's changed files: the latest version of each path. */
function mergeChanges(previous: FileChange[], next: FileChange[]): FileChange[] {
  const byPath = Object.fromEntries(previous.map((c) => [c.path, c]));
  for (const change of next) byPath[change.path] = change;
  return Object.values(byPath);
}
