/**
 * Executor: runs a command of the plan in the sandbox (with a timeout; its output streams to the
 * terminal), a human check, a re-run after a fix, or the app itself at the end. A failing command is
 * classified first (failure-kind.ts): one the environment caused (the network, TLS, the registry, the
 * disk, a missing tool, the sandbox) is thrown as an `EnvironmentFailure` saying what to do, which the
 * engine tells the user, retries and then pauses on; no agent is asked. A code failure starts the debug
 * loop: the BugHunter gets its output, and the failure's signature lets the loop guards notice the same
 * failure repeating.
 *
 * Before a command, the workspace gets the files that changed since the last write (by version); a
 * sandbox that was recreated, or a rollback to another branch, makes it write every file.
 */
import { stackById } from '../catalog/catalog.ts';
import type { FileInfo } from '../pipeline.ts';
import { EnvironmentFailure, isEngineSignal } from '../errors.ts';
import type { ExecOutcome, SandboxFile, SandboxPort } from '../ports.ts';
import { SandboxReset } from './errors.ts';
import { failureExcerpt } from './failure-excerpt.ts';
import { classifyFailure, environmentMessage } from './failure-kind.ts';
import {
  afterWorkStep,
  currentTask,
  endTask,
  failureSignature,
  pageCheckRef,
  readmeRef,
  startAppRef,
  workStepRef,
} from './flow.ts';
import { SYNC_MARKER, type AppPort } from './app-port.ts';
import { forTask, type AgentContext, type AgentResult, type AgentsState, type AgentStep } from './state.ts';
import type { ExecutorInput, FailureInput } from './steps.ts';

export interface ExecutorPorts {
  sandbox: Pick<SandboxPort, 'writeFiles'>;
  app: AppPort;
}

const DEFAULT_TIMEOUT_S = 120;
/** Output handed to the BugHunter: whole up to this, else its relevant excerpt (`failure-excerpt.ts`). */
const FAILURE_OUTPUT_CHARS = 6_000;
/** Problems of a page check shown in the UI. */
const MAX_CHECK_PROBLEMS = 20;

async function writeAll(
  ctx: AgentContext,
  ports: ExecutorPorts,
  state: AgentsState,
  full: boolean,
): Promise<AgentsState> {
  const files = (await ctx.files.list()).filter((f) => f.path !== SYNC_MARKER);
  const stale = full || state.syncBranch !== ctx.branch;
  const changed = stale ? files : files.filter((f) => state.synced[f.path] !== f.version);
  const contents: SandboxFile[] = await Promise.all(
    changed.map(async (f) =>
      f.binary
        ? { path: f.path, content: (await ctx.files.readBinary(f.path)) ?? '', binary: true }
        : { path: f.path, content: (await ctx.files.read(f.path)) ?? '' },
    ),
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
    // A workspace written afresh has no installed dependencies.
    ...(stale ? { installed: null } : {}),
  };
}

/** The command that installs dependencies when the stack has none of its own. */
const NPM_INSTALL = 'npm install --no-audit --no-fund';
const INSTALL_TIMEOUT_S = 300;

/**
 * How the project installs its dependencies: the install command when package.json declares any (else
 * null), and the package.json version that holds them.
 */
async function declaredInstall(
  ctx: AgentContext,
  state: AgentsState,
  listed?: FileInfo | null,
): Promise<{ command: string | null; version: number | null }> {
  const manifest =
    listed === undefined ? (await ctx.files.list()).find((f) => f.path === 'package.json') : listed;
  if (!manifest) return { command: null, version: null };
  let declared: { dependencies?: object; devDependencies?: object };
  try {
    declared = JSON.parse((await ctx.files.read('package.json')) ?? '{}') as typeof declared;
  } catch {
    // A broken manifest fails the command that reads it, with the error the agents can fix.
    return { command: null, version: null };
  }
  const count = Object.keys({ ...declared.dependencies, ...declared.devDependencies }).length;
  const stack = state.stack ? stackById(state.stack.id) : null;
  return { command: count > 0 ? (stack?.install ?? NPM_INSTALL) : null, version: manifest.version };
}

/** What must be installed before the next command: nothing when package.json did not change since. */
async function pendingInstall(
  ctx: AgentContext,
  state: AgentsState,
): Promise<{ command: string | null; version: number | null }> {
  const manifest = (await ctx.files.list()).find((f) => f.path === 'package.json') ?? null;
  if (manifest && state.installed === manifest.version) return { command: null, version: manifest.version };
  return declaredInstall(ctx, state, manifest);
}

/**
 * The workspace brought up to date and its dependencies installed for `command` (a failed install is
 * returned as the outcome of its own command, for the debug loop).
 */
async function prepare(
  ctx: AgentContext,
  ports: ExecutorPorts,
  state: AgentsState,
  command: string,
): Promise<{ state: AgentsState; failedInstall?: { command: string; outcome: ExecOutcome } }> {
  const synced = await sync(ctx, ports, state);
  const install = await pendingInstall(ctx, synced);
  // The command is the install itself (run again after a fix): it runs as the command.
  if (install.command === command) return { state: synced };
  if (install.command) {
    const outcome = await ctx.exec({
      command: install.command,
      timeoutMs: INSTALL_TIMEOUT_S * 1000,
      network: 'egress',
    });
    if (outcome.exitCode !== 0 || outcome.timedOut)
      return { state: synced, failedInstall: { command: install.command, outcome } };
  }
  return { state: { ...synced, installed: install.version } };
}

/** Whether `command` installs dependencies (it needs the network). */
function isInstall(state: AgentsState, command: string): boolean {
  const stack = state.stack ? stackById(state.stack.id) : null;
  return command === NPM_INSTALL || command === stack?.install;
}

/**
 * Does `work` in the sandbox; when the sandbox went away (or was made anew for the network) midway,
 * writes the whole workspace into the new one and does it once more.
 */
async function surviveReset<T>(
  ctx: AgentContext,
  ports: ExecutorPorts,
  state: AgentsState,
  work: (state: AgentsState) => Promise<T>,
): Promise<T> {
  try {
    try {
      return await work(state);
    } catch (err) {
      if (!(err instanceof SandboxReset)) throw err;
      return await work(await writeAll(ctx, ports, state, true));
    }
  } catch (err) {
    throw sandboxFault(err);
  }
}

/**
 * An error the sandbox threw (its runner down, refusing, a stream cut): the platform's failure, not the
 * project's, so it is an environment failure the engine retries and pauses on. Signals pass through.
 */
function sandboxFault(err: unknown): unknown {
  if (isEngineSignal(err)) return err;
  const reason = (err instanceof Error ? err.message : String(err)).slice(0, 200);
  return new EnvironmentFailure(
    'sandbox',
    `The sandbox failed, not the project (${reason}). It is usually temporary; if it keeps happening, tell the operator.`,
    { cause: err },
  );
}

/** Brings the workspace up to date; a recreated sandbox gets everything. */
async function sync(ctx: AgentContext, ports: ExecutorPorts, state: AgentsState): Promise<AgentsState> {
  try {
    return await writeAll(ctx, ports, state, false);
  } catch (err) {
    if (!(err instanceof SandboxReset)) throw err;
    return writeAll(ctx, ports, state, true);
  }
}

/** Runs `command` (after `prepare`); what ran last is returned: the install, when that failed. */
async function run(
  ctx: AgentContext,
  ports: ExecutorPorts,
  state: AgentsState,
  command: string,
  timeoutSeconds: number,
): Promise<{ outcome: ExecOutcome; state: AgentsState; command: string; timeoutSeconds: number }> {
  return surviveReset(ctx, ports, state, async (current) => {
    const ready = await prepare(ctx, ports, current, command);
    if (ready.failedInstall) {
      return { ...ready.failedInstall, state: ready.state, timeoutSeconds: INSTALL_TIMEOUT_S };
    }
    const installing = isInstall(ready.state, command);
    const outcome = await ctx.exec({
      command,
      timeoutMs: timeoutSeconds * 1000,
      ...(installing ? { network: 'egress' as const } : {}),
    });
    let after = ready.state;
    if (installing && outcome.exitCode === 0 && !outcome.timedOut) {
      after = { ...after, installed: (await pendingInstall(ctx, after)).version };
    }
    return { outcome, state: after, command, timeoutSeconds };
  });
}

/**
 * Throws an `EnvironmentFailure` when the environment, not the code, made `command` fail (the engine
 * tells the user, retries and pauses; no agent is asked); returns for a failure of the code.
 */
function throwIfEnvironment(
  state: AgentsState,
  command: string,
  ended: Pick<ExecOutcome, 'output' | 'timedOut' | 'oomKilled'>,
): void {
  const network = isInstall(state, command);
  const kind = classifyFailure({ command, network, ...ended });
  if (kind.kind === 'environment')
    throw new EnvironmentFailure(kind.cause, environmentMessage(command, kind));
}

function failed(ctx: AgentContext, state: AgentsState, failure: FailureInput): AgentResult {
  const task = state.work ? currentTask(state).task : null;
  ctx.say(`\`${failure.command}\` failed (${failure.ended}). Looking for the cause.`);
  return {
    state,
    next: { agent: 'BugHunter', title: `Debug ${failure.command}`, ...forTask(task), input: failure },
    failure: {
      signature: failureSignature(failure.command, failure.output),
      message: failure.output.slice(-500),
    },
  };
}

function exitText(outcome: ExecOutcome): string {
  return outcome.timedOut ? 'timed out' : `exit code ${outcome.exitCode ?? 'none'}`;
}

/**
 * Starts the app (installing first when needed) and checks its page: at the end of the run, or at the end
 * of a web app's task (`input.task`: the task is done when the check passes). A start that fails, or a
 * web page whose check fails, goes to the debug loop, which comes back here after a fix.
 */
async function startApp(
  ctx: AgentContext,
  ports: ExecutorPorts,
  state: AgentsState,
  input: { task?: true; attempt?: number; previous?: string[] },
): Promise<AgentResult> {
  const stack = state.stack ? stackById(state.stack.id) : null;
  if (!stack) return { state, next: readmeRef() };
  const taskCheck = input.task === true ? { taskCheck: true } : {};
  const ready = await surviveReset(ctx, ports, state, async (current) => {
    const prepared = await prepare(ctx, ports, current, stack.start);
    if (prepared.failedInstall) {
      return { kind: 'install failed' as const, state: prepared.state, ...prepared.failedInstall };
    }
    const started = await ports.app.start({ command: stack.start, port: stack.previewPort }, ctx.signal);
    return { kind: 'started' as const, state: prepared.state, started };
  });
  const synced = ready.state;
  if (ready.kind === 'install failed') {
    const { command, outcome } = ready;
    throwIfEnvironment(synced, command, outcome);
    return failed(ctx, synced, {
      command,
      timeoutSeconds: INSTALL_TIMEOUT_S,
      index: null,
      ...taskCheck,
      ended: exitText(outcome),
      output: failureExcerpt(outcome.output, FAILURE_OUTPUT_CHARS),
      attempt: 1,
      previous: [],
    });
  }
  const { started } = ready;
  if (!started.ready) {
    throwIfEnvironment(synced, stack.start, { output: started.logs, timedOut: false });
    return failed(ctx, synced, {
      command: stack.start,
      timeoutSeconds: DEFAULT_TIMEOUT_S,
      index: null,
      ...taskCheck,
      ended: `no answer on port ${stack.previewPort}`,
      output: failureExcerpt(started.logs, FAILURE_OUTPUT_CHARS),
      attempt: (input.attempt ?? 0) + 1,
      previous: input.previous ?? [],
    });
  }
  // What reopening the preview later needs: how to start the app, and to install it in a new sandbox.
  // No link here: a link carries a token and expires; the UI asks for a fresh one (POST .../preview).
  const { command: install } = await declaredInstall(ctx, synced);
  ctx.artifact({
    kind: 'preview',
    data: {
      port: stack.previewPort,
      command: stack.start,
      install,
      watches: stack.watches,
    },
  });
  const running = { ...synced, app: { ready: true } };
  // The platform looks at what the user will see: a web app whose page is broken is not done.
  const check = await ports.app.check(stack.previewPort, ctx.signal);
  ctx.emit({
    type: 'app.check',
    status: check.status,
    summary: check.summary,
    problems: check.problems.slice(0, MAX_CHECK_PROBLEMS),
  });
  if (check.status === 'failed' && stack.web) {
    return failed(ctx, running, {
      command: stack.start,
      timeoutSeconds: DEFAULT_TIMEOUT_S,
      index: null,
      ...taskCheck,
      ended: 'the app started, but its page check failed',
      output: failureExcerpt(check.evidence, FAILURE_OUTPUT_CHARS),
      attempt: (input.attempt ?? 0) + 1,
      previous: input.previous ?? [],
    });
  }
  const checked = check.status === 'failed' ? ` Its page check found problems: ${check.summary}` : '';
  ctx.say(
    `The app is running (\`${stack.start}\`, port ${stack.previewPort}): see it in the Preview tab.${checked}`,
  );
  if (input.task) return endTask(ctx, running, true);
  return { state: running, next: readmeRef() };
}

const CHECKED = 'Done';
const SKIP_CHECK = 'Skip';

/**
 * A check only a person can make. Interactive: the run asks and waits for the answer. Autopilot (or a
 * run switched to it while it waited): nobody is there to check, so the check is skipped, and the
 * conversation says so with what to check by hand, never passing it off as done.
 */
async function humanCheck(
  ctx: AgentContext,
  state: AgentsState,
  index: number,
  instructions: string,
): Promise<AgentResult> {
  const answer = await ctx.ask({
    text: `Please check by hand, then answer "${CHECKED}" (or "${SKIP_CHECK}" to leave it for later):\n${instructions}`,
    options: [CHECKED, SKIP_CHECK],
    default: SKIP_CHECK,
  });
  const said = answer.trim();
  if (said === SKIP_CHECK) {
    ctx.say(
      `Skipped a check by hand (no one checked it): ${instructions}\nCheck it yourself when you try the app.`,
    );
  } else if (said !== CHECKED) {
    ctx.say(`Your answer to the check "${instructions}": ${said}`);
  }
  return afterWorkStep(ctx, state, index);
}

export function executor(ports: ExecutorPorts): AgentStep<'Executor'> {
  return async (ctx, state) => {
    const input: ExecutorInput = ctx.input;
    if ('start' in input) return startApp(ctx, ports, state, input);
    if ('rerun' in input) {
      const f = input.rerun;
      const ran = await run(ctx, ports, state, f.command, f.timeoutSeconds);
      const { outcome, state: synced } = ran;
      if (ran.command === f.command && outcome.exitCode === 0 && !outcome.timedOut) {
        ctx.say(`\`${f.command}\` passes now.`);
        // The install ran before the plan's own command: that command runs now.
        if (isInstall(synced, f.command) && f.index !== null)
          return { state: synced, next: workStepRef(synced, f.index) };
        if (f.index !== null) return afterWorkStep(ctx, synced, f.index);
        return { state: synced, next: f.taskCheck ? pageCheckRef(synced) : startAppRef() };
      }
      throwIfEnvironment(synced, ran.command, outcome);
      return failed(ctx, synced, {
        ...f,
        command: ran.command,
        timeoutSeconds: ran.timeoutSeconds,
        ended: exitText(outcome),
        output: failureExcerpt(outcome.output, FAILURE_OUTPUT_CHARS),
        // A different command failing (the install) is a new failure, not one more attempt at this one.
        attempt: ran.command === f.command ? f.attempt + 1 : 1,
        previous: ran.command === f.command ? f.previous : [],
      });
    }
    const step = state.work?.steps[input.index];
    if (!step || step.type === 'code')
      throw new Error(`step ${input.index + 1} of the plan is not a command or a check`);
    if (step.type === 'human') return humanCheck(ctx, state, input.index, step.instructions);
    const ran = await run(ctx, ports, state, step.command, step.timeoutSeconds ?? DEFAULT_TIMEOUT_S);
    const { outcome, state: synced } = ran;
    if (ran.command === step.command && outcome.exitCode === 0 && !outcome.timedOut)
      return afterWorkStep(ctx, synced, input.index);
    throwIfEnvironment(synced, ran.command, outcome);
    return failed(ctx, synced, {
      command: ran.command,
      timeoutSeconds: ran.timeoutSeconds,
      index: input.index,
      ended: exitText(outcome),
      output: failureExcerpt(outcome.output, FAILURE_OUTPUT_CHARS),
      attempt: 1,
      previous: [],
    });
  };
}
