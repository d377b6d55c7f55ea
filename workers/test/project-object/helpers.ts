import { env } from 'cloudflare:workers';
import type { Script } from '../../src/testing/scripted-pipeline.ts';
import type { ProjectObject, ProjectInfo } from '../../src/project-object/project-object.ts';
import {
  framesOf,
  type ClientMessageInput,
  type ServerEvent,
  type ServerFrame,
  type ServerMessage,
} from '../../src/protocol.ts';
import { insertProject } from './pg.ts';

/**
 * A fresh project's Durable Object with a scripted pipeline attached. The project (and its owner) exist
 * in Postgres too unless given, so the object's Postgres sync has rows to update.
 */
export async function scriptedProject(
  script: Script,
  opts: Partial<ProjectInfo> & { guards?: Record<string, number> } = {},
): Promise<{ stub: DurableObjectStub<ProjectObject>; info: ProjectInfo }> {
  const row = opts.projectId ? null : await insertProject(opts.ownerId ? { ownerId: opts.ownerId } : {});
  const projectId = opts.projectId ?? row!.projectId;
  const stub = env.PROJECT_OBJECT.get(env.PROJECT_OBJECT.idFromName(projectId));
  const info: ProjectInfo = {
    projectId,
    ownerId: opts.ownerId ?? row!.ownerId,
    name: opts.name ?? 'test project',
    description: JSON.stringify(script),
    mode: opts.mode ?? 'interactive',
    budgetMicros: opts.budgetMicros ?? 1_000_000,
    pipeline: 'scripted',
  };
  await stub.setProject(info, opts.guards);
  return { stub, info };
}

/** A live viewer: a WebSocket to the object, with every frame it received. */
export interface Viewer {
  ws: WebSocket;
  frames: ServerFrame[];
  messages: string[];
  events: () => ServerEvent[];
  send: (msg: ClientMessageInput | string) => void;
  waitFor: <T extends ServerFrame>(pred: (f: ServerFrame) => f is T, timeoutMs?: number) => Promise<T>;
  waitUntil: (pred: (frames: ServerFrame[]) => boolean, timeoutMs?: number) => Promise<void>;
  closed: Promise<CloseEvent>;
  close: () => void;
}

export const isEvent = (f: ServerFrame): f is ServerEvent => 'seq' in f;
export const isType =
  <T extends ServerFrame['type']>(type: T) =>
  (f: ServerFrame): f is Extract<ServerFrame, { type: T }> =>
    f.type === type;

/** Opens a viewer on a Durable Object stub (as the Worker forwards it once authenticated). */
export async function connect(
  fetcher: { fetch: (req: Request) => Promise<Response> },
  opts: { userId?: string; after?: number; url?: string; headers?: Record<string, string> } = {},
): Promise<Viewer> {
  const url = new URL(opts.url ?? 'http://project-object/live');
  // A viewer of its own by default: actions that spend on LLM calls are rate limited per user.
  const userId = opts.userId ?? `viewer-${crypto.randomUUID()}`;
  if (opts.after !== undefined) url.searchParams.set('after', String(opts.after));
  const res = await fetcher.fetch(
    new Request(url, {
      headers: { upgrade: 'websocket', 'x-samokoder-user': userId, ...opts.headers },
    }),
  );
  const ws = res.webSocket;
  if (!ws) throw new Error(`no WebSocket: ${res.status} ${await res.text()}`);
  ws.accept();
  const frames: ServerFrame[] = [];
  const waiters = new Set<() => void>();
  /** Raw WebSocket messages (a batch counts once). */
  const messages: string[] = [];
  ws.addEventListener('message', (e) => {
    messages.push(e.data as string);
    frames.push(...framesOf(JSON.parse(e.data as string) as ServerMessage));
    for (const w of waiters) w();
  });
  const closed = new Promise<CloseEvent>((resolve) => ws.addEventListener('close', resolve));
  const waitUntil = (pred: (frames: ServerFrame[]) => boolean, timeoutMs = 10_000) =>
    new Promise<void>((resolve, reject) => {
      if (pred(frames)) return resolve();
      const timer = setTimeout(() => {
        waiters.delete(check);
        reject(new Error(`timed out; last frames: ${JSON.stringify(frames.slice(-5))}`));
      }, timeoutMs);
      const check = () => {
        if (!pred(frames)) return;
        clearTimeout(timer);
        waiters.delete(check);
        resolve();
      };
      waiters.add(check);
    });
  return {
    ws,
    frames,
    messages,
    events: () => frames.filter(isEvent),
    send: (msg) => ws.send(typeof msg === 'string' ? msg : JSON.stringify(msg)),
    waitFor: async <T extends ServerFrame>(pred: (f: ServerFrame) => f is T, timeoutMs?: number) => {
      await waitUntil((fs) => fs.some(pred), timeoutMs);
      return frames.find(pred)!;
    },
    waitUntil,
    closed,
    close: () => ws.close(1000, 'bye'),
  };
}

/** The run's status once it has settled on one of `statuses`. */
export async function settled(
  stub: DurableObjectStub<ProjectObject>,
  statuses: string[],
  timeoutMs = 10_000,
): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const { status } = await stub.status();
    if (statuses.includes(status)) return status;
    if (Date.now() > deadline) throw new Error(`status stayed ${status}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
