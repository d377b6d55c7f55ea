/**
 * A CPU profile of the engine benchmark's workerd (BENCH_PROFILE=1): the V8 sampling profiler of the
 * Worker's isolate, reached over workerd's inspector (Chrome DevTools protocol), summed by function.
 * It answers "where does the object's time per step go" with each function's share of the samples
 * taken while the isolate ran JavaScript: its own (self) and with what it calls (total).
 *
 * Shares, not times: workerd's sampler does not tick while the isolate waits, so a sample's time delta
 * also holds the wait before it (a 20 ms timer shows up as 20 ms of whatever ran last).
 */
import WebSocket from 'ws';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}

interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

/** A function's share of the busy samples: its own (self) and with what it calls (total), 0 to 1. */
export interface ProfileLine {
  name: string;
  self: number;
  total: number;
}

/** The profiler's own entries for time outside JavaScript. */
const NOT_BUSY = new Set(['(root)', '(idle)', '(program)']);

/** One DevTools session on the inspector's first target (the Worker's isolate). */
class Session {
  private readonly ws: WebSocket;
  private nextId = 1;
  private readonly pending = new Map<number, { done: (r: unknown) => void; fail: (e: Error) => void }>();

  private constructor(ws: WebSocket) {
    this.ws = ws;
    ws.on('message', (data) => {
      const message = JSON.parse(String(data)) as {
        id?: number;
        result?: unknown;
        error?: { message: string };
      };
      const waiter = message.id === undefined ? undefined : this.pending.get(message.id);
      if (!waiter) return;
      this.pending.delete(message.id!);
      if (message.error) waiter.fail(new Error(message.error.message));
      else waiter.done(message.result);
    });
  }

  static async open(inspector: string): Promise<Session> {
    const targets = (await (await fetch(`http://${inspector}/json/list`)).json()) as Array<{
      webSocketDebuggerUrl: string;
    }>;
    const url = targets[0]?.webSocketDebuggerUrl;
    if (!url) throw new Error(`workerd's inspector at ${inspector} lists no target`);
    const ws = new WebSocket(url);
    await new Promise((done, fail) => ws.once('open', done).once('error', fail));
    return new Session(ws);
  }

  call<T>(method: string, params: Record<string, unknown> = {}): Promise<T> {
    const id = this.nextId++;
    this.ws.send(JSON.stringify({ id, method, params }));
    return new Promise<T>((done, fail) => this.pending.set(id, { done: done as (r: unknown) => void, fail }));
  }

  close(): void {
    this.ws.close();
  }
}

/** Where a frame is: the bundle's own name for it, else the runtime's. */
function nameOf(node: ProfileNode): string {
  const { functionName, url, lineNumber } = node.callFrame;
  const where = url ? `${url.split('/').pop()}:${lineNumber + 1}` : '';
  return `${functionName || '(anonymous)'}${where ? ` ${where}` : ''}`;
}

/** Sums a profile's busy samples by function: self, and total (a function counted once per stack). */
export function summarize(profile: Profile): ProfileLine[] {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const self = new Map<string, number>();
  const total = new Map<string, number>();
  let busy = 0;
  for (const id of profile.samples) {
    const leaf = nameOf(byId.get(id)!);
    if (NOT_BUSY.has(leaf)) continue;
    busy++;
    self.set(leaf, (self.get(leaf) ?? 0) + 1);
    const seen = new Set<string>();
    for (let n: number | undefined = id; n !== undefined; n = parent.get(n)) {
      const name = nameOf(byId.get(n)!);
      if (seen.has(name) || NOT_BUSY.has(name)) continue;
      seen.add(name);
      total.set(name, (total.get(name) ?? 0) + 1);
    }
  }
  return [...total.entries()]
    .map(([name, n]) => ({ name, self: (self.get(name) ?? 0) / busy, total: n / busy }))
    .sort((a, b) => b.self - a.self || b.total - a.total);
}

/** Starts sampling the isolate behind `inspector` (host:port); the returned function stops and summarizes. */
export async function startCpuProfile(inspector: string): Promise<() => Promise<ProfileLine[]>> {
  const session = await Session.open(inspector);
  await session.call('Profiler.enable');
  await session.call('Profiler.setSamplingInterval', { interval: 100 });
  await session.call('Profiler.start');
  return async () => {
    const { profile } = await session.call<{ profile: Profile }>('Profiler.stop');
    session.close();
    return summarize(profile);
  };
}
