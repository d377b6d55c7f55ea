/**
 * The engine benchmark's fan-out run: `viewers` live viewers, spread over `processes` viewer processes
 * (viewer-process.ts), follow a project of `ticks` timer-driven LLM calls. Returns the latency of each
 * `stream.end` (the object's timestamp to its arrival) and a breakdown of where the time goes:
 *
 * - to the first viewer (the object's work before its sends, the commit, the transport) and from the
 *   first to the last viewer of the same event (the fan-out itself: the object's per-viewer sends,
 *   workerd's socket writes, the client's receiving);
 * - CPU time per step of the workerd process that runs the object, and of the viewer processes.
 */
import { fork } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { startCpuProfile, type ProfileLine } from './cpu-profile.ts';
import type { FromViewers, ToViewers } from './viewer-process.ts';

export interface FanOutRun {
  viewers: number;
  processes: number;
  steps: number;
  /** Per viewer and `stream.end`: ms from the object's timestamp to the arrival. */
  latencies: number[];
  /** Per `stream.end`: ms from the object's timestamp to its first arrival at any viewer. */
  toFirst: number[];
  /** Per `stream.end`: ms from its first to its last arrival (0 with one viewer). */
  spread: number[];
  /** WebSocket messages each viewer received per step. */
  messagesPerViewerStep: number;
  /** CPU ms per step of the workerd process running the object, and of all viewer processes together. */
  serverCpuPerStep: number;
  clientCpuPerStep: number;
  wallMs: number;
  /** The workerd isolate's CPU profile of the run, when an inspector was given. */
  profile?: ProfileLine[];
}

/** CPU time (user + system, ms) a process has used so far, from /proc. */
export function processCpuMs(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  const ticksPerSecond = 100; // USER_HZ, 100 on Linux
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / ticksPerSecond;
}

let runs = 0;

/**
 * One fan-out run against the engine front door at `base`, whose workerd process is `serverPid`; with
 * `inspector` (workerd's inspector address), the run's CPU profile is taken too.
 */
export async function fanOut(
  base: string,
  serverPid: number,
  viewers: number,
  processes: number,
  ticks: number,
  inspector?: string,
): Promise<FanOutRun> {
  const id = `fanout-${process.pid}-${++runs}`;
  const script = {
    steps: [
      { title: 'tick', repeat: ticks, actions: [{ llm: 'tick', reply: 'tock', delayMs: 20, costMicros: 0 }] },
    ],
  };
  const setUp = await fetch(`${base}/p/${id}/project`, {
    method: 'POST',
    body: JSON.stringify({
      projectId: id,
      ownerId: 'bench',
      name: id,
      description: JSON.stringify(script),
      mode: 'autopilot',
      budgetMicros: 1_000_000_000,
      pipeline: 'scripted',
    }),
  });
  if (!setUp.ok) throw new Error(`setting the project failed: ${setUp.status}`);

  // Viewers ask for batches, as the UI does; BENCH_BATCH=0 measures clients that take one event per message.
  const batch = process.env.BENCH_BATCH === '0' ? '' : '&batch=1';
  const url = `${base.replace('http', 'ws')}/p/${id}/live?after=0${batch}`;
  const shares = Array.from({ length: processes }, (_, i) =>
    Math.floor((viewers + processes - 1 - i) / processes),
  ).filter((n) => n > 0);
  const children = shares.map((n) =>
    fork(new URL('./viewer-process.ts', import.meta.url), [url, String(n)], { stdio: 'inherit' }),
  );
  const ready: Promise<void>[] = [];
  const done: Promise<Extract<FromViewers, { type: 'done' }>>[] = [];
  for (const child of children) {
    let isReady!: () => void;
    let failed!: (err: Error) => void;
    ready.push(
      new Promise<void>((resolve, reject) => {
        isReady = resolve;
        failed = reject;
      }),
    );
    done.push(
      new Promise((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new Error('viewers did not finish in time')),
          Number(process.env.BENCH_VIEWER_TIMEOUT_MS ?? 300_000),
        );
        child.on('message', (message: FromViewers) => {
          if (message.type === 'ready') isReady();
          else if (message.type === 'failed') {
            failed(new Error(message.message));
            reject(new Error(message.message));
          } else {
            clearTimeout(timer);
            resolve(message);
          }
        });
        child.on('exit', (code) => {
          if (code === 0) return;
          failed(new Error(`a viewer process exited with ${code}`));
          reject(new Error(`a viewer process exited with ${code}`));
        });
      }),
    );
  }
  try {
    await Promise.all(ready);
    for (const child of children) child.send({ type: 'start' } satisfies ToViewers);
    const stopProfile = inspector ? await startCpuProfile(inspector) : undefined;
    const cpu0 = processCpuMs(serverPid);
    const t0 = Date.now();
    const started = await fetch(`${base}/p/${id}/control/start`, { method: 'POST' });
    if (!((await started.json()) as { ok: boolean }).ok) throw new Error('start failed');
    const results = await Promise.all(done);
    const serverCpu = processCpuMs(serverPid) - cpu0;
    const wallMs = Date.now() - t0;
    const profile = await stopProfile?.();

    const latencies: number[] = [];
    const bySeq = new Map<number, { at: number; first: number; last: number }>();
    for (const r of results) {
      for (const [seq, at, arrived] of r.arrivals) {
        latencies.push(arrived - at);
        const e = bySeq.get(seq);
        if (!e) bySeq.set(seq, { at, first: arrived, last: arrived });
        else {
          e.first = Math.min(e.first, arrived);
          e.last = Math.max(e.last, arrived);
        }
      }
    }
    if (latencies.length !== viewers * ticks)
      throw new Error(`expected ${viewers * ticks} arrivals, got ${latencies.length}`);
    const events = [...bySeq.values()];
    return {
      viewers,
      processes: children.length,
      steps: ticks,
      latencies: latencies.sort((a, b) => a - b),
      toFirst: events.map((e) => e.first - e.at).sort((a, b) => a - b),
      spread: events.map((e) => e.last - e.first).sort((a, b) => a - b),
      messagesPerViewerStep: results.reduce((n, r) => n + r.messages, 0) / viewers / ticks,
      serverCpuPerStep: serverCpu / ticks,
      clientCpuPerStep: results.reduce((n, r) => n + r.cpuMs, 0) / ticks,
      wallMs,
      ...(profile ? { profile } : {}),
    };
  } finally {
    for (const child of children) if (child.exitCode === null) child.kill();
  }
}
