/**
 * The resident memory of the workerd processes that `wrangler dev` started: they share the process
 * group of the wrangler process the stack launched, so the group is how they are found. There are two:
 * the Worker's own runtime (the one with an inspector: our code, the assets, the Durable Objects) and
 * wrangler's dev proxy in front of it (its ProxyWorker and InspectorProxyWorker: none of our code).
 */
import { readFileSync, readdirSync } from 'node:fs';

/** Pids of the workerd processes in process group `group`. */
export function workerdPids(group: number): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      // pid (comm) state ppid pgrp ...: comm may hold spaces, so split after its closing parenthesis.
      const close = stat.lastIndexOf(')');
      const comm = stat.slice(stat.indexOf('(') + 1, close);
      const pgrp = Number(stat.slice(close + 2).split(' ')[2]);
      if (pgrp === group && comm === 'workerd') pids.push(Number(entry));
    } catch {
      // The process ended while we looked.
    }
  }
  return pids;
}

function rssMb(pid: number): number {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    return Number.parseInt(/^VmRSS:\s*(\d+)/m.exec(status)?.[1] ?? '0', 10) / 1024;
  } catch {
    return 0; // Gone.
  }
}

/** The Worker's runtime is the workerd that wrangler started with an inspector. */
function isWorkerRuntime(pid: number): boolean {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('--inspector-addr');
  } catch {
    return false;
  }
}

/** RSS in MB, by process: the Worker's runtime, wrangler's dev proxy, and their sum. */
export interface WorkerdRss {
  runtime: number;
  proxy: number;
  total: number;
}

export function workerdRss(group: number): WorkerdRss {
  let runtime = 0;
  let proxy = 0;
  for (const pid of workerdPids(group)) {
    if (isWorkerRuntime(pid)) runtime += rssMb(pid);
    else proxy += rssMb(pid);
  }
  return { runtime, proxy, total: runtime + proxy };
}

/** RSS in MB of every workerd in the group, summed (0 when none is found). */
export function workerdRssMb(group: number): number {
  return workerdRss(group).total;
}

/** RSS in MB of a plain `workerd serve` in process group `group`: all runtime, no dev proxy in front. */
export function plainWorkerdRss(group: number): WorkerdRss {
  const runtime = workerdPids(group).reduce((sum, pid) => sum + rssMb(pid), 0);
  return { runtime, proxy: 0, total: runtime };
}
