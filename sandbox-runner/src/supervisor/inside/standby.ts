/**
 * The standby shell. Forking the supervisor (a large Node process) is the slowest step of an exec. A shell
 * forked ahead of time waits on fd 3 for a script (cd, exports, then `exec` of the command) and runs it,
 * so an exec only pays for a pipe write. It is replaced after each use, off the critical path; without
 * one (or in an image without /bin/sh) commands are spawned directly.
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import { tagLine } from './process-tags.ts';
import { WORKSPACE } from './protocol.ts';

export function raiseOomScore(pid: number | undefined): void {
  if (pid === undefined) return;
  // Make commands, not the supervisor, the OOM killer's first choice (raising needs no privilege).
  try {
    fs.writeFileSync(`/proc/${pid}/oom_score_adj`, '1000');
  } catch {
    // it may have exited already
  }
}

/**
 * What a standby shell runs: it reads the whole script from fd 3 (until the supervisor closes it), closes
 * fd 3 and runs the script. POSIX `read` a line at a time, so any `/bin/sh` does: busybox, dash, bash.
 * (`read -d ""` is not POSIX: dash has no `-d`, and with it a standby shell exited at once, silently
 * leaving every command to be spawned directly.) The last line may lack its newline: `|| [ -n … ]`.
 */
export const STANDBY =
  '__sk=; while IFS= read -r __l <&3 || [ -n "$__l" ]; do __sk="$__sk$__l\n"; done; exec 3<&-; eval "$__sk"';
let standby: ChildProcess | null = null;
let standbyTimer: NodeJS.Timeout | null = null;

export function prepareStandby(delayMs: number): void {
  if (standby || standbyTimer) return;
  standbyTimer = setTimeout(() => {
    standbyTimer = null;
    const child = spawn('/bin/sh', ['-c', STANDBY], {
      cwd: WORKSPACE,
      env: process.env,
      detached: true,
      stdio: ['pipe', 'pipe', 'pipe', 'pipe'],
    });
    child.on('error', () => {
      if (standby === child) standby = null; // an image without /bin/sh: always spawn directly
    });
    child.on('exit', () => {
      if (standby === child) standby = null;
    });
    if (child.pid === undefined) return;
    raiseOomScore(child.pid);
    standby = child;
  }, delayMs);
}

const quote = (value: string) => `'${value.replace(/'/g, `'\\''`)}'`;

/** The script a standby shell runs for one command: tag it, then cd, exports and exec. */
export function standbyScript(
  cwd: string,
  env: Record<string, string>,
  command: string | undefined,
  argv: string[],
  tag: number,
) {
  const lines = ['unset __sk __l', tagLine(tag), `cd ${quote(cwd)} || exit 126`];
  for (const [k, v] of Object.entries(env)) lines.push(`export ${k}=${quote(v)}`);
  // exec, never eval: the command runs exactly as `sh -c` would run it on the direct path
  lines.push(`exec ${(command === undefined ? argv : ['/bin/sh', '-c', command]).map(quote).join(' ')}`);
  return `${lines.join('\n')}\n`;
}

export function takeStandby(): ChildProcess | null {
  const child = standby;
  standby = null;
  return child && child.exitCode === null && child.signalCode === null ? child : null;
}

/** Kills the waiting standby shell (the supervisor is exiting). */
export function killStandby(): void {
  standby?.kill('SIGKILL');
}
