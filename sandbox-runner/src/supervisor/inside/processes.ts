/**
 * Commands and background processes: each in its own session and process group, and tagged
 * (./process-tags.ts) so that a timeout or a stop reaches every process it started, detached or not;
 * output streamed or capped, exit reported with OOM detection.
 *
 * A command that ends on its own takes its process group with it; what it detached on purpose (a
 * daemon started with setsid, like `pg_ctl start`) keeps running. A command that times out or is
 * stopped with a signal takes every process it started.
 */
import { spawn } from 'node:child_process';
import type { ChildProcess, SpawnOptions } from 'node:child_process';
import * as fs from 'node:fs';
import { FRAME } from '../frames.ts';
import { OutputCap } from './output-cap.ts';
import { resolveExisting } from './paths.ts';
import { killCommand, nextTag, nowTicks, signalCommand, tagLine } from './process-tags.ts';
import type { CommandMark } from './process-tags.ts';
import { errno, send, sendJson, SupervisorError, WORKSPACE } from './protocol.ts';
import type { Json, Obj } from './protocol.ts';
import { prepareStandby, raiseOomScore, standbyScript, takeStandby } from './standby.ts';

interface Proc {
  child: ChildProcess;
  mark: CommandMark;
  startedAt: number;
  timedOut: boolean;
  /** Timed out or stopped by a signal: when it ends, every process it started goes with it. */
  ending: boolean;
  cap: OutputCap | null;
  oomBefore: number;
  timers: NodeJS.Timeout[];
  exitCode: number | null;
  signal: string | null;
}
export const procs = new Map<number, Proc>();

/** The cgroup's OOM kill counter (v1 memory.oom_control or v2 memory.events), or -1 if unreadable. */
function oomKills(): number {
  for (const file of ['/sys/fs/cgroup/memory/memory.oom_control', '/sys/fs/cgroup/memory.events']) {
    try {
      const match = /^oom_kill (\d+)$/m.exec(fs.readFileSync(file, 'utf8'));
      if (match?.[1]) return Number(match[1]);
    } catch {
      // try the next layout
    }
  }
  return -1;
}

function killGroup(proc: Proc, signal: NodeJS.Signals): void {
  const pid = proc.child.pid;
  if (pid === undefined) return;
  try {
    process.kill(-pid, signal); // detached: the child leads its own session and process group
  } catch {
    // already gone
  }
}

/** Signals that end a process unless it handles them: after one, the command is being stopped. */
const STOPPING = new Set(['SIGTERM', 'SIGKILL', 'SIGINT', 'SIGHUP', 'SIGQUIT']);

let shellPresent: boolean | undefined;
/** Without the standby, a command is tagged by a shell that execs it, if the image has one. */
function spawnTagged(argv: string[], tag: number, options: SpawnOptions): ChildProcess {
  shellPresent ??= fs.existsSync('/bin/sh');
  if (!shellPresent) return spawn(argv[0] ?? '', argv.slice(1), options);
  return spawn('/bin/sh', ['-c', `${tagLine(tag)}; exec "$@"`, 'sh', ...argv], options);
}

function strings(value: Json | undefined): string[] | undefined {
  return Array.isArray(value) ? value.map(String) : undefined;
}

export function procSpawn(req: Obj): Obj {
  const id = Number(req.proc);
  if (procs.has(id)) throw new SupervisorError('invalid_request', `process ${id} exists`);
  const command = typeof req.command === 'string' ? req.command : undefined;
  const argv = command !== undefined ? ['/bin/sh', '-c', command] : strings(req.argv);
  if (!argv?.[0]) throw new SupervisorError('invalid_request', 'command or argv required');
  const cwd = typeof req.cwd === 'string' ? resolveExisting(req.cwd) : WORKSPACE;
  const extraEnv: Record<string, string> = {};
  if (req.env && typeof req.env === 'object' && !Array.isArray(req.env)) {
    for (const [k, v] of Object.entries(req.env)) {
      if (/^[A-Za-z_][A-Za-z0-9_]*$/.test(k)) extraEnv[k] = String(v);
    }
  }
  const tag = nextTag();
  const startTicks = nowTicks();
  const ready = req.standby === true ? takeStandby() : null;
  let child: ChildProcess;
  if (ready) {
    child = ready;
    ready.removeAllListeners('exit');
    ready.stdio[3]?.on('error', () => {});
    (ready.stdio[3] as NodeJS.WritableStream | null)?.end(standbyScript(cwd, extraEnv, command, argv, tag));
    if (req.stdin !== true) ready.stdin?.end();
  } else {
    child = spawnTagged(argv, tag, {
      cwd,
      env: { ...process.env, ...extraEnv },
      detached: true,
      stdio: [req.stdin === true ? 'pipe' : 'ignore', 'pipe', 'pipe'],
    });
    raiseOomScore(child.pid);
  }
  if (req.standby === true) child.once('close', () => prepareStandby(20));
  const limit = typeof req.outputLimit === 'number' && req.outputLimit > 0 ? req.outputLimit : 0;
  const proc: Proc = {
    child,
    mark: { tag, leader: child.pid, startTicks },
    startedAt: performance.now(),
    timedOut: false,
    ending: false,
    cap: limit ? new OutputCap(limit) : null,
    oomBefore: oomKills(),
    timers: [],
    exitCode: null,
    signal: null,
  };
  procs.set(id, proc);
  const onData = (type: number) => (buf: Buffer) => {
    if (proc.cap) proc.cap.push(type, id, buf);
    else send(type, id, buf);
  };
  child.stdout?.on('data', onData(FRAME.STDOUT));
  child.stderr?.on('data', onData(FRAME.STDERR));
  child.stdin?.on('error', () => {}); // EPIPE when the command does not read its stdin

  const grace = typeof req.killGraceMs === 'number' ? req.killGraceMs : 2000;
  if (typeof req.timeoutMs === 'number' && req.timeoutMs > 0) {
    proc.timers.push(
      setTimeout(() => {
        proc.timedOut = true;
        proc.ending = true;
        signalCommand(proc.mark, 'SIGTERM');
        proc.timers.push(setTimeout(() => signalCommand(proc.mark, 'SIGKILL'), grace));
      }, req.timeoutMs),
    );
  }
  let finished = false;
  const finish = async () => {
    if (finished) return;
    finished = true;
    for (const t of proc.timers) clearTimeout(t);
    const durationMs = Math.round(performance.now() - proc.startedAt);
    killGroup(proc, 'SIGKILL'); // leftovers of the command (backgrounded children) die with it
    // Timed out or stopped: the exit is reported once every process the command started is gone.
    if (proc.ending) await killCommand(proc.mark);
    proc.cap?.flush(id);
    const oomAfter = oomKills();
    sendJson(FRAME.EVENT, id, {
      t: 'exit',
      exitCode: proc.exitCode,
      signal: proc.signal,
      durationMs,
      timedOut: proc.timedOut,
      truncated: (proc.cap?.omitted ?? 0) > 0,
      oomKilled: proc.oomBefore >= 0 && oomAfter > proc.oomBefore,
    });
    procs.delete(id);
  };
  child.on('error', (err) => {
    // spawn failure (ENOENT, EACCES): report like a shell would, then end the command
    send(FRAME.STDERR, id, Buffer.from(`${argv[0]}: ${err.message}\n`));
    proc.exitCode = errno(err) === 'ENOENT' ? 127 : 126;
    void finish();
  });
  child.on('exit', (code, signal) => {
    proc.exitCode = code;
    proc.signal = signal;
    // Give the pipes a moment to drain, then stop waiting for children that still hold them.
    proc.timers.push(
      setTimeout(() => {
        killGroup(proc, 'SIGKILL');
        child.stdout?.destroy();
        child.stderr?.destroy();
        void finish();
      }, 100),
    );
  });
  child.on('close', () => void finish());
  return { pid: child.pid ?? -1 };
}

/** Signals every process of a command; a stopping signal also ends, with it, all it started. */
export function procSignal(req: Obj): Obj {
  const proc = procs.get(Number(req.proc));
  if (!proc) throw new SupervisorError('process_not_found', 'no such process');
  const signal = String(req.signal);
  if (STOPPING.has(signal)) proc.ending = true;
  signalCommand(proc.mark, signal as NodeJS.Signals);
  return {};
}

/** Kills every command's process group (the runner went away). */
export function killAll(): void {
  for (const proc of procs.values()) killGroup(proc, 'SIGKILL');
}
