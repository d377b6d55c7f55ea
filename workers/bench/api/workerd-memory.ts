/**
 * The resident memory of the workerd processes that `wrangler dev` started: they share the process
 * group of the wrangler process the stack launched, so the group is how they are found.
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

/** RSS in MB of every workerd in the group, summed (0 when none is found). */
export function workerdRssMb(group: number): number {
  let kb = 0;
  for (const pid of workerdPids(group)) {
    try {
      const status = readFileSync(`/proc/${pid}/status`, 'utf8');
      kb += Number.parseInt(/^VmRSS:\s*(\d+)/m.exec(status)?.[1] ?? '0', 10);
    } catch {
      // Gone.
    }
  }
  return kb / 1024;
}
