import { spawn } from 'node:child_process';
import { createWriteStream, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { forgetGroup, recordGroup } from './registry.ts';

/** A child process in its own process group, so stopping it also stops what it spawned (workerd). */
export interface ManagedProcess {
  name: string;
  pid: number;
  /** Resolves with the exit code (or signal name) when the process ends. */
  exited: Promise<number | string>;
  stop: () => Promise<void>;
  /** Where its output goes. */
  logFile: string;
  /**
   * Its last lines of output (stdout and stderr as they came), for an error saying why it failed. Read
   * from memory: the log file's own writes may still be under way when the process has ended.
   */
  lastLines: (count?: number) => Promise<string>;
}

export interface StartOptions {
  name: string;
  command: string;
  args: string[];
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** Output goes here (appended); the file path is shown when the process fails. */
  logFile: string;
  /**
   * The stack's state folder: the process group is recorded there the moment it exists, so a later
   * start stops it if this Node process dies before it could (see registry.ts).
   */
  stateDir?: string;
}

/** How much of a process's latest output {@link ManagedProcess.lastLines} can show. */
const RECENT_OUTPUT_CHARS = 8192;

/** Every process this Node process started and has not stopped yet, oldest first. */
const live = new Set<ManagedProcess>();
/** Set once {@link stopAllProcesses} ran: from then on nothing new may start. */
let closed = false;

function killGroup(pid: number, signal: NodeJS.Signals | 0): boolean {
  try {
    process.kill(-pid, signal);
    return true;
  } catch {
    return false;
  }
}

export function startProcess(opts: StartOptions): ManagedProcess {
  // A start still under way when Ctrl-C came must not add a process after the others were stopped.
  if (closed) throw new Error(`not starting ${opts.name}: the stack is stopping`);
  mkdirSync(dirname(opts.logFile), { recursive: true });
  const log = createWriteStream(opts.logFile, { flags: 'a' });
  const child = spawn(opts.command, opts.args, {
    cwd: opts.cwd,
    env: opts.env ?? process.env,
    // detached = setsid: a new process group we can signal as a whole.
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout?.pipe(log, { end: false });
  child.stderr?.pipe(log, { end: false });
  let recent = '';
  const keep = (chunk: Buffer) => {
    recent = (recent + chunk.toString('utf8')).slice(-RECENT_OUTPUT_CHARS);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  // 'close' comes once both pipes are read to their end (unless a grandchild still holds them open).
  const outputRead = new Promise<void>((resolve) => child.on('close', () => resolve()));
  const exited = new Promise<number | string>((resolve) => {
    child.on('exit', (code, signal) => resolve(code ?? signal ?? 'unknown'));
    child.on('error', () => resolve('spawn-error'));
  });
  if (child.pid === undefined) throw new Error(`could not start ${opts.name} (${opts.command})`);
  const pid = child.pid;
  const { stateDir } = opts;
  if (stateDir) recordGroup(stateDir, opts.name, pid);
  let stopping: Promise<void> | undefined;
  const stop = () => {
    stopping ??= (async () => {
      if (killGroup(pid, 'SIGTERM')) {
        const done = await Promise.race([exited.then(() => true), sleep(5000).then(() => false)]);
        if (!done) killGroup(pid, 'SIGKILL');
        await Promise.race([exited, sleep(2000)]);
      }
      // Stragglers of the group (a grandchild that ignored SIGTERM) must not outlive the stack.
      killGroup(pid, 'SIGKILL');
      for (let i = 0; i < 50 && killGroup(pid, 0); i++) await sleep(100);
      log.end();
      if (stateDir) forgetGroup(stateDir, pid);
      live.delete(managed);
    })();
    return stopping;
  };
  const lastLines = async (count = 20) => {
    await Promise.race([outputRead, sleep(1000)]);
    return recent.trimEnd().split('\n').slice(-count).join('\n') || '(no output)';
  };
  const managed: ManagedProcess = { name: opts.name, pid, exited, stop, logFile: opts.logFile, lastLines };
  live.add(managed);
  return managed;
}

/**
 * Stop every process this Node process started, newest first (the Worker before the data services),
 * and refuse to start any more. This is the Ctrl-C path of a CLI: it works at any moment, also while
 * the stack is still starting and some processes are not ready (or not known to the stack) yet.
 */
export async function stopAllProcesses(): Promise<void> {
  closed = true;
  for (const proc of [...live].reverse()) await proc.stop();
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
