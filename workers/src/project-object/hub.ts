/**
 * The viewers of a project: WebSockets accepted with the Hibernation API, so an idle project costs
 * nothing while its viewers stay connected.
 *
 * Why a socket has a `ready` flag (kept in its attachment, which survives hibernation): a socket gets
 * live events only after it has been replayed the gap it asked for. Replay and the switch to live happen
 * in one synchronous run (SQLite reads and `send` are synchronous), so no event can fall between them:
 * nothing is lost and nothing is sent twice.
 */
import { PING_FRAME, PONG_FRAME, type ErrorFrame, type HelloFrame } from '../protocol.ts';
import type { EventLog } from './storage/events.ts';

/** What a socket carries across hibernation. */
export interface SocketAttachment {
  userId: string;
  ready: boolean;
  /** The client accepts several events per message. */
  batch: boolean;
}

/** Events sent per replay query (bounded memory for long logs). */
const REPLAY_PAGE = 2000;

/** Largest batch frame a replay sends (bytes of JSON, roughly). */
const MAX_BATCH_CHARS = 64 * 1024;

/**
 * The WebSocket messages that carry logged frames: one per frame, or, for a client that accepts batches,
 * several frames per message (`{"type":"batch","events":[...]}`): a replay of thousands of events then
 * costs a few dozen messages instead of thousands, and the events of one turn go out as one message.
 */
export function messagesOf(frames: string[], batched: boolean): string[] {
  if (!batched || frames.length === 1) return frames;
  const messages: string[] = [];
  let group: string[] = [];
  let size = 0;
  const flush = () => {
    if (group.length === 1) messages.push(group[0]!);
    else if (group.length > 1) messages.push(`{"type":"batch","events":[${group.join(',')}]}`);
    group = [];
    size = 0;
  };
  for (const frame of frames) {
    if (size + frame.length > MAX_BATCH_CHARS) flush();
    group.push(frame);
    size += frame.length + 1;
  }
  flush();
  return messages;
}

function sendAll(ws: WebSocket, messages: string[]): void {
  for (const message of messages) ws.send(message);
}

export class LiveHub {
  private readonly ctx: DurableObjectState;
  private readonly log: EventLog;
  /** In-memory mirror of attachments (reading an attachment deserializes it). */
  private readonly attachments = new WeakMap<WebSocket, SocketAttachment>();
  /** The accepted sockets, listed once per instance (and kept current) instead of once per event. */
  private sockets: WebSocket[] | null = null;

  constructor(ctx: DurableObjectState, log: EventLog) {
    this.ctx = ctx;
    this.log = log;
  }

  /**
   * Accepts a viewer. It gets `hello` at once; events start with its `resume`, or at once when the
   * upgrade URL carried `?after=`.
   */
  accept(userId: string, hello: HelloFrame, after: number | null, batch = false): Response {
    const pair = new WebSocketPair();
    const server = pair[1];
    this.ctx.acceptWebSocket(server, [`user:${userId}`]);
    this.sockets = null;
    this.setAttachment(server, { userId, ready: false, batch });
    server.send(JSON.stringify(hello));
    if (after !== null) this.replay(server, after, batch);
    return new Response(null, { status: 101, webSocket: pair[0] });
  }

  /** The user a socket was opened for (the Worker checked who it is). */
  userOf(ws: WebSocket): string | null {
    return this.attachment(ws)?.userId ?? null;
  }

  private attachment(ws: WebSocket): SocketAttachment | null {
    let att = this.attachments.get(ws);
    if (!att) {
      att = (ws.deserializeAttachment() as SocketAttachment | null) ?? undefined;
      if (att) this.attachments.set(ws, att);
    }
    return att ?? null;
  }

  private setAttachment(ws: WebSocket, att: SocketAttachment): void {
    ws.serializeAttachment(att);
    this.attachments.set(ws, att);
  }

  /** Sends every event after `after`, then makes the socket live. */
  replay(ws: WebSocket, after: number, batch: boolean): void {
    const att = this.attachment(ws);
    if (!att) return;
    let cursor = after;
    for (;;) {
      const page = this.log.since(cursor, REPLAY_PAGE);
      sendAll(
        ws,
        messagesOf(
          page.map((e) => e.frame),
          batch,
        ),
      );
      if (page.length < REPLAY_PAGE) break;
      cursor = page[page.length - 1]!.seq;
    }
    if (!att.ready || att.batch !== batch) this.setAttachment(ws, { ...att, ready: true, batch });
    ws.send(JSON.stringify({ type: 'synced', lastSeq: Math.max(cursor, this.log.lastSeq()) }));
  }

  private live(): WebSocket[] {
    return (this.sockets ??= this.ctx.getWebSockets());
  }

  /** A socket closed or failed: it gets nothing more. */
  forget(ws: WebSocket): void {
    if (this.sockets) this.sockets = this.sockets.filter((s) => s !== ws);
  }

  /**
   * Sends logged frames to every live viewer. Each kind of message (one per frame, or batched) is
   * encoded once for all viewers: the work per viewer is only its `send` calls.
   */
  broadcast(frames: string[]): void {
    let batched: string[] | null = null;
    for (const ws of this.live()) {
      const att = this.attachment(ws);
      if (!att?.ready) continue;
      try {
        sendAll(ws, att.batch ? (batched ??= messagesOf(frames, true)) : frames);
      } catch {
        // A socket that is closing: stop sending to it (its close event comes next).
        this.forget(ws);
      }
    }
  }

  sendError(ws: WebSocket, code: ErrorFrame['code'], message: string): void {
    const frame: ErrorFrame = { type: 'error', code, message };
    try {
      ws.send(JSON.stringify(frame));
    } catch {
      // Closing.
    }
  }

  sendPong(ws: WebSocket): void {
    ws.send(PONG_FRAME);
  }

  /** Keep-alive pings are answered by the runtime itself, without waking a hibernated object. */
  autoRespondToPings(): void {
    this.ctx.setWebSocketAutoResponse(new WebSocketRequestResponsePair(PING_FRAME, PONG_FRAME));
  }

  /** Closes every viewer (the project is gone). */
  closeAll(code: number, reason: string): void {
    for (const ws of this.ctx.getWebSockets()) {
      try {
        ws.close(code, reason);
      } catch {
        // Already closed.
      }
    }
  }

  count(): number {
    return this.ctx.getWebSockets().length;
  }
}
