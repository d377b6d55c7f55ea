/**
 * The JavaScript heap of the Worker's isolate after a full garbage collection: the memory the Worker's
 * own code keeps (module state, caches, anything a request leaves behind), read over the DevTools
 * protocol of the workerd that `wrangler dev` started (it listens on a loopback port of its own).
 */
import { readFileSync, readdirSync, readlinkSync } from 'node:fs';

/** Loopback ports a process listens on (from /proc: its socket inodes in the LISTEN table). */
function listeningPorts(pid: number): number[] {
  const inodes = new Set<string>();
  for (const fd of readdirSync(`/proc/${pid}/fd`)) {
    try {
      const match = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`));
      if (match) inodes.add(match[1]!);
    } catch {
      // Closed while we looked.
    }
  }
  const ports: number[] = [];
  for (const line of readFileSync(`/proc/${pid}/net/tcp`, 'utf8').split('\n').slice(1)) {
    const cols = line.trim().split(/\s+/);
    // local_address is HEX_IP:HEX_PORT; state 0A is LISTEN; column 9 is the inode.
    if (cols[3] === '0A' && inodes.has(cols[9] ?? ''))
      ports.push(Number.parseInt(cols[1]!.split(':')[1]!, 16));
  }
  return ports;
}

/** The DevTools WebSocket URL of the user Worker (`core:user:<name>`) among the group's workerd processes. */
export async function findInspector(workerdPids: number[]): Promise<string | undefined> {
  // A busy workerd can be slow to answer: a few tries, each patient.
  for (let attempt = 0; attempt < 3; attempt++) {
    for (const pid of workerdPids) {
      for (const port of listeningPorts(pid)) {
        try {
          const res = await fetch(`http://127.0.0.1:${port}/json`, { signal: AbortSignal.timeout(10_000) });
          const targets = (await res.json()) as { id?: string; webSocketDebuggerUrl?: string }[];
          const user = targets.find((t) => t.id?.startsWith('core:user:'));
          if (user?.webSocketDebuggerUrl) return user.webSocketDebuggerUrl;
        } catch {
          // Not a DevTools port, or no answer yet.
        }
      }
    }
  }
  return undefined;
}

/** A DevTools session: `call` resolves with the method's result, or undefined after `timeoutMs`. */
interface Session {
  call: (method: string, timeoutMs: number) => Promise<unknown>;
  close: () => void;
}

async function openSession(url: string, timeoutMs: number): Promise<Session | undefined> {
  const ws = new WebSocket(url);
  ws.binaryType = 'arraybuffer';
  const opened = await new Promise<boolean>((resolve) => {
    const timer = setTimeout(() => resolve(false), timeoutMs);
    ws.addEventListener('open', () => (clearTimeout(timer), resolve(true)));
    ws.addEventListener('error', () => (clearTimeout(timer), resolve(false)));
  });
  if (!opened) {
    ws.close();
    return undefined;
  }
  const pending = new Map<number, (result: unknown) => void>();
  ws.addEventListener('message', (e) => {
    const text = typeof e.data === 'string' ? e.data : Buffer.from(e.data as ArrayBuffer).toString();
    const message = JSON.parse(text) as { id?: number; result?: unknown };
    if (message.id !== undefined) pending.get(message.id)?.(message.result);
  });
  let id = 0;
  return {
    call: (method, ms) =>
      new Promise((resolve) => {
        const mine = ++id;
        const timer = setTimeout(() => (pending.delete(mine), resolve(undefined)), ms);
        pending.set(mine, (result) => (clearTimeout(timer), pending.delete(mine), resolve(result)));
        ws.send(JSON.stringify({ id: mine, method, params: {} }));
      }),
    close: () => ws.close(),
  };
}

/**
 * MB of the isolate's heap in use after a forced full GC, or NaN when workerd never answered. A
 * session sometimes gets no answer at all (the first one after start, in workerd 1.2026), so an
 * unanswered session is closed and another opened. `nudge` (a cheap request) is sent meanwhile:
 * workerd serves DevTools messages while the isolate runs.
 */
export async function heapAfterGcMb(inspectorUrl: string, nudge: () => Promise<unknown>): Promise<number> {
  let done = false;
  const nudging = (async () => {
    for (let i = 0; i < 600 && !done; i++) {
      await nudge().catch(() => {});
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  })();
  try {
    for (let attempt = 0; attempt < 4; attempt++) {
      const session = await openSession(inspectorUrl, 10_000);
      if (!session) continue;
      try {
        if ((await session.call('HeapProfiler.collectGarbage', 15_000)) === undefined) continue;
        const usage = (await session.call('Runtime.getHeapUsage', 15_000)) as
          { usedSize: number } | undefined;
        if (usage) return usage.usedSize / 1024 / 1024;
      } finally {
        session.close();
      }
    }
    return NaN;
  } finally {
    done = true;
    await nudging;
  }
}
