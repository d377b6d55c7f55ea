import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { sleep } from './process.ts';

/**
 * Which process groups a running stack owns, per profile, so a later start can tell a live stack
 * (reuse its services) from the leftovers of one that was killed (stop them, start afresh).
 */
interface Registry {
  owner: number;
  groups: Record<string, number>;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function file(stateDir: string): string {
  return join(stateDir, 'stack.json');
}

function read(stateDir: string): Registry | undefined {
  if (!existsSync(file(stateDir))) return undefined;
  try {
    return JSON.parse(readFileSync(file(stateDir), 'utf8')) as Registry;
  } catch {
    return undefined;
  }
}

function signalGroup(pid: number, signal: NodeJS.Signals | 0): boolean {
  try {
    process.kill(-pid, signal);
    return true;
  } catch {
    return false;
  }
}

/** Stop the groups of a stack whose owner died, and wait until they are gone; returns how many. */
export async function reapStale(stateDir: string): Promise<number> {
  const registry = read(stateDir);
  if (!registry || alive(registry.owner)) return 0;
  const pids = Object.values(registry.groups).filter((pid) => signalGroup(pid, 'SIGTERM'));
  const deadline = Date.now() + 5000;
  while (Date.now() < deadline && pids.some((pid) => signalGroup(pid, 0))) {
    await sleep(100);
  }
  for (const pid of pids) signalGroup(pid, 'SIGKILL');
  rmSync(file(stateDir), { force: true });
  return pids.length;
}

/** Record groups this process started (it becomes the owner when no live owner exists). */
export function record(stateDir: string, groups: Record<string, number>): void {
  const current = read(stateDir);
  const registry: Registry =
    current && alive(current.owner) && current.owner !== process.pid
      ? { owner: current.owner, groups: { ...current.groups, ...groups } }
      : {
          owner: process.pid,
          groups: { ...(current?.owner === process.pid ? current.groups : {}), ...groups },
        };
  writeFileSync(file(stateDir), JSON.stringify(registry, null, 2));
}

/** Forget groups that were stopped. */
export function forget(stateDir: string, names: string[]): void {
  const current = read(stateDir);
  if (!current) return;
  for (const name of names) delete current.groups[name];
  if (Object.keys(current.groups).length === 0) rmSync(file(stateDir), { force: true });
  else writeFileSync(file(stateDir), JSON.stringify(current, null, 2));
}
