import { spawn } from 'node:child_process';
import { createWriteStream, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';

/** A child process in its own process group, so stopping it also stops what it spawned (workerd). */
export interface ManagedProcess {
  name: string;
  pid: number;
  /** Resolves with the exit code (or signal name) when the process ends. */
  exited: Promise<number | string>;
  stop: () => Promise<void>;
}

export interface StartOptions {
  name: string;
  command: string;
  args: string[];
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** Output goes here (appended); the file path is shown when the process fails. */
  logFile: string;
}

function killGroup(pid: number, signal: NodeJS.Signals | 0): boolean {
  try {
    process.kill(-pid, signal);
    return true;
  } catch {
    return false;
  }
}

export function startProcess(opts: StartOptions): ManagedProcess {
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
  const exited = new Promise<number | string>((resolve) => {
    child.on('exit', (code, signal) => resolve(code ?? signal ?? 'unknown'));
    child.on('error', () => resolve('spawn-error'));
  });
  if (child.pid === undefined) throw new Error(`could not start ${opts.name} (${opts.command})`);
  const pid = child.pid;
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
    })();
    return stopping;
  };
  return { name: opts.name, pid, exited, stop };
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
