/**
 * Commands and background processes: each in its own session and process group (so a timeout or a
 * signal reaches everything it started), output streamed or capped, exit reported with OOM detection.
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import { OutputCap } from './output-cap.ts';
import { resolveExisting } from './paths.ts';
import { AgentError, errno, send, sendJson, T, WORKSPACE } from './protocol.ts';
import type { Json, Obj } from './protocol.ts';
import { prepareStandby, raiseOomScore, standbyScript, takeStandby } from './standby.ts';

interface Proc {
  child: ChildProcess;
  startedAt: number;
  timedOut: boolean;
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

function strings(value: Json | undefined): string[] | undefined {
  return Array.isArray(value) ? value.map(String) : undefined;
}

export function procSpawn(req: Obj): Obj {
  const id = Number(req.proc);
  if (procs.has(id)) throw new AgentError('invalid_request', `process ${id} exists`);
  const command = typeof req.command === 'string' ? req.command : undefined;
  const argv = command !== undefined ? ['/bin/sh', '-c', command] : strings(req.argv);
  if (!argv?.[0]) throw new AgentError('invalid_request', 'command or argv required');
  const cwd = typeof req.cwd === 'string' ? resolveExisting(req.cwd) : WORKSPACE;
  const extraEnv: Record<string, string> = {};
  if (req.env && typeof req.env === 'object' && !Array.isArray(req.env)) {
    for (const [k, v] of Object.entries(req.env)) {
      if (/^[A-Za-z_][A-Za-z0-9_]*$/.test(k)) extraEnv[k] = String(v);
    }
  }
  const ready = req.standby === true ? takeStandby() : null;
  let child: ChildProcess;
  if (ready) {
    child = ready;
    ready.removeAllListeners('exit');
    ready.stdio[3]?.on('error', () => {});
    (ready.stdio[3] as NodeJS.WritableStream | null)?.end(standbyScript(cwd, extraEnv, command, argv));
    if (req.stdin !== true) ready.stdin?.end();
  } else {
    child = spawn(argv[0], argv.slice(1), {
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
    startedAt: performance.now(),
    timedOut: false,
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
  child.stdout?.on('data', onData(T.STDOUT));
  child.stderr?.on('data', onData(T.STDERR));
  child.stdin?.on('error', () => {}); // EPIPE when the command does not read its stdin

  const grace = typeof req.killGraceMs === 'number' ? req.killGraceMs : 2000;
  if (typeof req.timeoutMs === 'number' && req.timeoutMs > 0) {
    proc.timers.push(
      setTimeout(() => {
        proc.timedOut = true;
        killGroup(proc, 'SIGTERM');
        proc.timers.push(setTimeout(() => killGroup(proc, 'SIGKILL'), grace));
      }, req.timeoutMs),
    );
  }
  let finished = false;
  const finish = () => {
    if (finished) return;
    finished = true;
    for (const t of proc.timers) clearTimeout(t);
    killGroup(proc, 'SIGKILL'); // leftovers of the command (backgrounded children) die with it
    proc.cap?.flush(id);
    const oomAfter = oomKills();
    sendJson(T.EVENT, id, {
      t: 'exit',
      exitCode: proc.exitCode,
      signal: proc.signal,
      durationMs: Math.round(performance.now() - proc.startedAt),
      timedOut: proc.timedOut,
      truncated: (proc.cap?.omitted ?? 0) > 0,
      oomKilled: proc.oomBefore >= 0 && oomAfter > proc.oomBefore,
    });
    procs.delete(id);
  };
  child.on('error', (err) => {
    // spawn failure (ENOENT, EACCES): report like a shell would, then end the command
    send(T.STDERR, id, Buffer.from(`${argv[0]}: ${err.message}\n`));
    proc.exitCode = errno(err) === 'ENOENT' ? 127 : 126;
    finish();
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
        finish();
      }, 100),
    );
  });
  child.on('close', finish);
  return { pid: child.pid ?? -1 };
}

export function procSignal(req: Obj): Obj {
  const proc = procs.get(Number(req.proc));
  if (!proc) throw new AgentError('process_not_found', 'no such process');
  killGroup(proc, String(req.signal) as NodeJS.Signals);
  return {};
}

/** Kills every command's process group (the runner went away). */
export function killAll(): void {
  for (const proc of procs.values()) killGroup(proc, 'SIGKILL');
}
