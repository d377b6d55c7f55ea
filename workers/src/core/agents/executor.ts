/**
 * Executor: runs a command of the plan in the sandbox (with a timeout; its output streams to the
 * terminal), a human check, a re-run after a fix, or the app itself at the end. A failing command
 * starts the debug loop: the BugHunter gets its output, and the failure's signature lets the loop
 * guards notice the same failure repeating.
 *
 * Before a command, the workspace gets the files that changed since the last write (by version); a
 * sandbox that was recreated, or a rollback to another branch, makes it write every file.
 */
import { stackById } from '../catalog/catalog.ts';
import { toJson } from '../context.ts';
import type { StepContext } from '../pipeline.ts';
import type { ExecOutcome, SandboxPort } from '../ports.ts';
import { SandboxReset } from './errors.ts';
import { afterWorkStep, currentTask, failureSignature } from './flow.ts';
import { SYNC_MARKER, type AppPort } from './ports.ts';
import { stepOf, type AgentResult, type AgentsState, type AgentStep } from './state.ts';

export interface ExecutorPorts {
  sandbox: Pick<SandboxPort, 'writeFiles'>;
  app: AppPort;
}

/** What the BugHunter is given, and hands back to the Executor to run again. */
export interface FailureInput {
  command: string;
  timeoutSeconds: number;
  /** The plan step that failed, or null when starting the app failed. */
  index: number | null;
  exitCode: string;
  output: string;
  attempt: number;
  /** What earlier fixes of this failure tried. */
  previous: string[];
}

type ExecutorInput =
  { index: number } | { rerun: FailureInput } | { start: true; attempt?: number; previous?: string[] };

const DEFAULT_TIMEOUT_S = 120;
/** Output handed to the BugHunter (the tail, where test runners print their summary). */
const FAILURE_OUTPUT_CHARS = 6_000;

async function writeAll(
  ctx: StepContext,
  ports: ExecutorPorts,
  state: AgentsState,
  full: boolean,
): Promise<AgentsState> {
  const files = (await ctx.files.list()).filter((f) => f.path !== SYNC_MARKER);
  const stale = full || state.syncBranch !== ctx.branch;
  const changed = stale ? files : files.filter((f) => state.synced[f.path] !== f.version);
  const contents = await Promise.all(
    changed.map(async (f) => ({ path: f.path, content: (await ctx.files.read(f.path)) ?? '' })),
  );
  if (stale)
    contents.push({
      path: SYNC_MARKER,
      content: `${JSON.stringify({ branch: ctx.branch, files: files.length })}\n`,
    });
  if (contents.length > 0) await ports.sandbox.writeFiles(contents);
  return {
    ...state,
    synced: Object.fromEntries(files.map((f) => [f.path, f.version])),
    syncBranch: ctx.branch,
  };
}

/** Brings the workspace up to date; a recreated sandbox gets everything. */
async function sync(ctx: StepContext, ports: ExecutorPorts, state: AgentsState): Promise<AgentsState> {
  try {
    return await writeAll(ctx, ports, state, false);
  } catch (err) {
    if (!(err instanceof SandboxReset)) throw err;
    return writeAll(ctx, ports, state, true);
  }
}

async function run(
  ctx: StepContext,
  ports: ExecutorPorts,
  state: AgentsState,
  command: string,
  timeoutSeconds: number,
): Promise<{ outcome: ExecOutcome; state: AgentsState }> {
  let synced = await sync(ctx, ports, state);
  try {
    return { outcome: await ctx.exec({ command, timeoutMs: timeoutSeconds * 1000 }), state: synced };
  } catch (err) {
    if (!(err instanceof SandboxReset)) throw err;
    // The sandbox went away between the write and the command: write everything, run once more.
    synced = await writeAll(ctx, ports, synced, true);
    return { outcome: await ctx.exec({ command, timeoutMs: timeoutSeconds * 1000 }), state: synced };
  }
}

function failed(ctx: StepContext, state: AgentsState, failure: FailureInput): AgentResult {
  const task = state.work ? currentTask(state).task : null;
  ctx.say(`\`${failure.command}\` failed (${failure.exitCode}). Looking for the cause.`);
  return {
    state,
    next: stepOf('BugHunter', `Debug ${failure.command}`, task, toJson(failure)),
    failure: {
      signature: failureSignature(failure.command, failure.output),
      message: failure.output.slice(-500),
    },
  };
}

function exitText(outcome: ExecOutcome): string {
  return outcome.timedOut ? 'timed out' : `exit code ${outcome.exitCode ?? 'none'}`;
}

async function startApp(
  ctx: StepContext,
  ports: ExecutorPorts,
  state: AgentsState,
  input: { attempt?: number; previous?: string[] },
): Promise<AgentResult> {
  const stack = state.stack ? stackById(state.stack.id) : null;
  if (!stack) return { state, next: { agent: 'TechnicalWriter', title: 'Write the README' } };
  let synced = await sync(ctx, ports, state);
  const start = () => ports.app.start({ command: stack.start, port: stack.previewPort }, ctx.signal);
  let started;
  try {
    started = await start();
  } catch (err) {
    if (!(err instanceof SandboxReset)) throw err;
    synced = await writeAll(ctx, ports, synced, true);
    started = await start();
  }
  if (!started.ready) {
    return failed(ctx, synced, {
      command: stack.start,
      timeoutSeconds: DEFAULT_TIMEOUT_S,
      index: null,
      exitCode: `no answer on port ${stack.previewPort}`,
      output: started.logs.slice(-FAILURE_OUTPUT_CHARS),
      attempt: (input.attempt ?? 0) + 1,
      previous: input.previous ?? [],
    });
  }
  ctx.artifact('preview', { url: started.previewUrl, port: stack.previewPort, command: stack.start });
  // The address carries a preview token: it lives in the preview artifact, not in the conversation.
  ctx.say(`The app is running (\`${stack.start}\`, port ${stack.previewPort}): see it in the Preview tab.`);
  return {
    state: { ...synced, app: { ready: true, previewUrl: started.previewUrl } },
    next: { agent: 'TechnicalWriter', title: 'Write the README' },
  };
}

export function executor(ports: ExecutorPorts): AgentStep {
  return async (ctx, state) => {
    const input = ctx.input as ExecutorInput;
    if ('start' in input) return startApp(ctx, ports, state, input);
    if ('rerun' in input) {
      const f = input.rerun;
      const { outcome, state: synced } = await run(ctx, ports, state, f.command, f.timeoutSeconds);
      if (outcome.exitCode === 0 && !outcome.timedOut) {
        ctx.say(`\`${f.command}\` passes now.`);
        return f.index === null
          ? { state: synced, next: { agent: 'Executor', title: 'Start the app', input: { start: true } } }
          : afterWorkStep(ctx, synced, f.index);
      }
      return failed(ctx, synced, {
        ...f,
        exitCode: exitText(outcome),
        output: outcome.output.slice(-FAILURE_OUTPUT_CHARS),
        attempt: f.attempt + 1,
      });
    }
    const step = state.work?.steps[input.index];
    if (!step || step.type === 'code')
      throw new Error(`step ${input.index + 1} of the plan is not a command or a check`);
    if (step.type === 'human') {
      await ctx.ask({ text: `Please check: ${step.instructions}`, options: ['Done'], default: 'Done' });
      return afterWorkStep(ctx, state, input.index);
    }
    const timeoutSeconds = step.timeoutSeconds ?? DEFAULT_TIMEOUT_S;
    const { outcome, state: synced } = await run(ctx, ports, state, step.command, timeoutSeconds);
    if (outcome.exitCode === 0 && !outcome.timedOut) return afterWorkStep(ctx, synced, input.index);
    return failed(ctx, synced, {
      command: step.command,
      timeoutSeconds,
      index: input.index,
      exitCode: exitText(outcome),
      output: outcome.output.slice(-FAILURE_OUTPUT_CHARS),
      attempt: 1,
      previous: [],
    });
  };
}
