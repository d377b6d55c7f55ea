import { existsSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

/**
 * Which process groups each stack process started: one file per owner (`owners/<pid>.json` in the
 * profile's state folder), written the moment a group exists. A later start stops the groups of owners
 * that died (a killed `pnpm start`, a crashed test run) before it decides what to start or reuse. Only
 * the owner writes its own file, so two stacks of one profile never overwrite each other's records.
 */
interface OwnerFile {
  /** The owner's start time (Linux: clock ticks after boot), so a reused pid is not taken for it. */
  startedAt: string | null;
  groups: { name: string; pgid: number }[];
}

function ownersDir(stateDir: string): string {
  return join(stateDir, 'owners');
}

function fileOf(stateDir: string, owner: number): string {
  return join(ownersDir(stateDir), `${owner}.json`);
}

/** Field 22 of /proc/<pid>/stat; null where there is no /proc. */
function startTime(pid: number): string | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may hold spaces and parentheses: count from the last ')'.
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19] ?? null;
  } catch {
    return null;
  }
}

function ownerAlive(pid: number, startedAt: string | null): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  return startedAt === null || startTime(pid) === startedAt;
}

function read(path: string): OwnerFile | undefined {
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as OwnerFile;
  } catch {
    return undefined;
  }
}

function write(stateDir: string, data: OwnerFile): void {
  const path = fileOf(stateDir, process.pid);
  if (data.groups.length === 0) return rmSync(path, { force: true });
  // Written aside and renamed: another start reading it never sees half a file.
  writeFileSync(`${path}.tmp`, JSON.stringify(data, null, 2));
  renameSync(`${path}.tmp`, path);
}

function signalGroup(pgid: number, signal: NodeJS.Signals | 0): boolean {
  try {
    process.kill(-pgid, signal);
    return true;
  } catch {
    return false;
  }
}

/** Record a process group this process just started. */
export function recordGroup(stateDir: string, name: string, pgid: number): void {
  mkdirSync(ownersDir(stateDir), { recursive: true });
  const current = read(fileOf(stateDir, process.pid));
  write(stateDir, {
    startedAt: startTime(process.pid),
    groups: [...(current?.groups ?? []), { name, pgid }],
  });
}

/** Forget a group this process stopped. */
export function forgetGroup(stateDir: string, pgid: number): void {
  const current = read(fileOf(stateDir, process.pid));
  if (current) write(stateDir, { ...current, groups: current.groups.filter((g) => g.pgid !== pgid) });
}

/** The groups a stack process has recorded, by name (the stack's own test kills some on purpose). */
export function groupsOf(stateDir: string, owner: number): Record<string, number> {
  const groups = read(fileOf(stateDir, owner))?.groups ?? [];
  return Object.fromEntries(groups.map((g) => [g.name, g.pgid]));
}

/** Stop the groups of every owner that died, and wait until they are gone; returns how many. */
export async function reapStale(stateDir: string): Promise<number> {
  const dir = ownersDir(stateDir);
  const stale: number[] = [];
  for (const entry of existsSync(dir) ? readdirSync(dir) : []) {
    if (!/^\d+\.json$/.test(entry)) continue;
    const owner = Number.parseInt(entry, 10);
    const path = join(dir, entry);
    const data = read(path);
    if (data && ownerAlive(owner, data.startedAt)) continue;
    for (const { pgid } of data?.groups ?? []) if (signalGroup(pgid, 'SIGTERM')) stale.push(pgid);
    rmSync(path, { force: true });
  }
  stale.push(...reapLegacy(stateDir));
  const deadline = Date.now() + 5000;
  while (Date.now() < deadline && stale.some((pgid) => signalGroup(pgid, 0))) await sleep(100);
  for (const pgid of stale) signalGroup(pgid, 'SIGKILL');
  return stale.length;
}

/** The one `stack.json` per profile of earlier versions: its groups, signalled, when its owner died. */
function reapLegacy(stateDir: string): number[] {
  const path = join(stateDir, 'stack.json');
  let legacy: { owner: number; groups: Record<string, number> };
  try {
    legacy = JSON.parse(readFileSync(path, 'utf8')) as typeof legacy;
  } catch {
    return [];
  }
  if (ownerAlive(legacy.owner, null)) return [];
  rmSync(path, { force: true });
  return Object.values(legacy.groups).filter((pgid) => signalGroup(pgid, 'SIGTERM'));
}
