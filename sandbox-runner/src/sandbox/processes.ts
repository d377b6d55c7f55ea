/**
 * Background processes of a sandbox (a dev server, a watcher): no timeout, no output cap, stdin kept
 * open; output goes to a bounded log read by offset. Signals go to every process it started.
 */
import type { StartProcessRequest } from '../contract.ts';
import { RunnerError } from '../errors.ts';
import { BackgroundProcess } from './background-process.ts';
import type { Sandbox } from './sandbox.ts';

/** Running processes per sandbox; finished ones are kept for their logs up to {@link KEEP_EXITED}. */
const MAX_RUNNING = 16;
const KEEP_EXITED = 32;

/** Starts a background process in `sandbox`. */
export async function startProcess(
  sandbox: Sandbox,
  req: StartProcessRequest,
  logBytes: number,
): Promise<BackgroundProcess> {
  const all = [...sandbox.processes.values()];
  if (all.filter((p) => p.running).length >= MAX_RUNNING) {
    throw new RunnerError('invalid_request', `a sandbox runs at most ${MAX_RUNNING} background processes`);
  }
  for (const old of all.filter((p) => !p.running).slice(0, Math.max(0, all.length - KEEP_EXITED + 1))) {
    sandbox.processes.delete(old.id);
  }
  sandbox.processSeq += 1;
  const id = `p${sandbox.processSeq}`;
  const command = req.command ?? (req.argv ?? []).join(' ');
  const proc = new BackgroundProcess(id, req.name ?? command.slice(0, 128), command, logBytes);
  const end = (exitCode: number | null, signal: string | null) => {
    proc.exitCode = exitCode;
    proc.signal = signal;
    proc.endedAt = new Date();
    proc.notify();
  };
  const { channel } = await sandbox.session.spawn(
    { command: req.command, argv: req.argv, cwd: req.cwd, env: { ...sandbox.env, ...req.env }, stdin: true },
    {
      onOutput: (_stream, chunk) => {
        proc.log.append(chunk);
        proc.notify();
      },
      onExit: (exit) => end(exit.exitCode, exit.signal),
      onLost: () => end(null, 'SIGKILL'),
    },
  );
  proc.channel = channel;
  sandbox.processes.set(id, proc);
  return proc;
}

/** The sandbox's process `id`, or `process_not_found`. */
export function getProcess(sandbox: Sandbox, id: string): BackgroundProcess {
  const proc = sandbox.processes.get(id);
  if (!proc) throw new RunnerError('process_not_found', `no process ${id}`);
  return proc;
}

/** Like {@link getProcess}, and it must still run. */
export function runningProcess(sandbox: Sandbox, id: string): BackgroundProcess {
  const proc = getProcess(sandbox, id);
  if (!proc.running) throw new RunnerError('process_not_running', `process ${id} has exited`);
  return proc;
}
