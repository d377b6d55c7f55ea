/**
 * Which processes belong to which command, however they detached: a command's process group is not
 * enough, since `setsid` or a double fork leaves it, and the orphan is adopted by PID 1.
 *
 * Each command carries a tag that every process it starts inherits and none sheds by accident: the hard
 * limit of RLIMIT_LOCKS, set by the command's shell before it execs the command (`ulimit -x`). That
 * limit has not been enforced since Linux 2.4, so it changes nothing for the program; rlimits survive
 * fork, exec, setsid and a cleared environment (`env -i`); and an unprivileged process can only lower a
 * hard limit, never raise it back. /proc/<pid>/limits shows it to the supervisor (same uid).
 *
 * A process whose tag is not one the supervisor gave out (it lowered the limit on purpose, or was started
 * without a shell to set it) belongs to no command; it is counted as a command's when it was born after
 * the command started. The supervisor, its standby shell, PID 1 and `docker exec`'d processes never are.
 */
import * as fs from 'node:fs';
import { log } from './protocol.ts';

/** Tags are TAG_BASE + a sequence number: far above any limit a program would set for itself. */
const TAG_BASE = 0x5a000000;
let lastTag = TAG_BASE;

/** A fresh tag for a command (never reused in the supervisor's life, so a finished command's tag stays its own). */
export function nextTag(): number {
  lastTag += 1;
  return lastTag;
}

const issued = (tag: number | null) => tag !== null && tag > TAG_BASE && tag <= lastTag;

/** The shell line that tags the shell and what it execs (`-x` in bash and busybox, `-w` in dash). */
export function tagLine(tag: number): string {
  return `ulimit -x ${tag} 2>/dev/null || ulimit -w ${tag} 2>/dev/null`;
}

/** Clock ticks since boot, the unit of a process's start time in /proc/<pid>/stat. */
export function nowTicks(): number {
  const uptime = Number(fs.readFileSync('/proc/uptime', 'utf8').split(' ')[0]);
  return Math.floor(uptime * 100); // USER_HZ is 100 on every Linux architecture Docker runs on
}

interface ProcessEntry {
  pid: number;
  ppid: number;
  pgid: number;
  startTicks: number;
  tag: number | null;
}

/** One process's entry, or null when it is gone or already a zombie. */
function readEntry(pid: number): ProcessEntry | null {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name may hold spaces and parentheses: the fields start after the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (fields[0] === 'Z' || fields[0] === 'X') return null;
    const limits = fs.readFileSync(`/proc/${pid}/limits`, 'utf8');
    const locks = /^Max file locks\s+\S+\s+(\S+)/m.exec(limits)?.[1];
    return {
      pid,
      ppid: Number(fields[1]),
      pgid: Number(fields[2]),
      startTicks: Number(fields[19]),
      tag: locks === undefined || locks === 'unlimited' ? null : Number(locks),
    };
  } catch {
    return null;
  }
}

/** What identifies one command's processes. */
export interface CommandMark {
  tag: number;
  /** Its first process: the leader of its process group. */
  leader: number | undefined;
  startTicks: number;
}

/** Pids of the live processes that belong to the command. */
export function processesOf(mark: CommandMark): number[] {
  const found: number[] = [];
  for (const name of fs.readdirSync('/proc')) {
    const pid = Number(name);
    if (!Number.isInteger(pid) || pid === 1 || pid === process.pid) continue;
    const entry = readEntry(pid);
    if (!entry) continue;
    const unclaimed =
      !issued(entry.tag) &&
      entry.ppid !== process.pid && // the standby shell
      entry.ppid !== 0 && // entered with `docker exec`
      entry.startTicks >= mark.startTicks;
    if (entry.tag === mark.tag || entry.pgid === mark.leader || unclaimed) found.push(pid);
  }
  return found;
}

/** Sends `signal` to the command's process group and to every other process of the command. */
export function signalCommand(mark: CommandMark, signal: NodeJS.Signals): void {
  const send = (pid: number) => {
    try {
      process.kill(pid, signal);
    } catch {
      // already gone
    }
  };
  if (mark.leader !== undefined) send(-mark.leader);
  for (const pid of processesOf(mark)) send(pid);
}

/**
 * SIGKILLs the command's processes until none is left (a process may fork between a scan and the
 * kill, and a killed one takes a moment to die), for at most `withinMs`.
 */
export async function killCommand(mark: CommandMark, withinMs = 5000): Promise<void> {
  const deadline = performance.now() + withinMs;
  for (let round = 0; performance.now() < deadline; round++) {
    if (mark.leader !== undefined) {
      try {
        process.kill(-mark.leader, 'SIGKILL');
      } catch {
        // no group left
      }
    }
    const left = processesOf(mark);
    if (left.length === 0) return;
    for (const pid of left) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
    await new Promise((resolve) => setTimeout(resolve, round < 5 ? 5 : 50));
  }
  log(`processes of a command outlived ${withinMs} ms of SIGKILL: ${processesOf(mark).join(' ')}`);
}
