/**
 * The event sink of the Durable Object: appends events to the log and broadcasts them to viewers.
 *
 * - Inside a transaction (`batch`), broadcasts wait until it commits, and are dropped if it fails: a
 *   viewer never sees an event the log does not have.
 * - Broadcasts are gathered until the object's current turn has run out of work (a zero-delay timer,
 *   which runs once every pending promise reaction has), so everything one turn logs reaches a batching
 *   viewer in one message: a step's end, its commit and the next step's start are one message, not
 *   three, and each message costs every viewer a socket write. This delays nothing a viewer sees: the
 *   runtime holds a turn's sends until its writes are stored anyway (the output gate).
 *   `flushBroadcasts` sends them at once (a replay calls it first, or a viewer switching to live could
 *   get an event twice).
 * - Streamed LLM text and command output are coalesced: buffered and logged at most every
 *   {@link COALESCE_MS} per stream (or when a buffer gets big), so a fast stream costs a few log rows and
 *   frames a second instead of one per token. Each delta carries its offset, so a viewer who joins
 *   mid-stream replays the deltas so far and continues.
 */
import type { EventBody } from '../protocol.ts';
import type { EventSink } from '../core/ports.ts';
import type { EventLog } from './storage/events.ts';

/** How long streamed text may wait before it is logged and sent. */
export const COALESCE_MS = 250;
/** A buffer this big is flushed at once. */
const MAX_BUFFER_CHARS = 16 * 1024;

interface Buffer {
  text: string;
  offset: number;
  timer: ReturnType<typeof setTimeout> | null;
  /** Command output only: which stream the buffered text came from. */
  stream?: 'stdout' | 'stderr';
}

export class LiveSink implements EventSink {
  private readonly log: EventLog;
  private readonly now: () => number;
  private readonly broadcast: (frames: string[]) => void;
  private depth = 0;
  private pending: string[] = [];
  private outgoing: string[] = [];
  private flushTimer: ReturnType<typeof setTimeout> | null = null;
  private readonly streams = new Map<string, Buffer & { stepId: number; agent: string }>();
  private readonly commands = new Map<string, Buffer>();

  private readonly onLogged: (event: EventBody) => void;

  /** `onLogged` is told of every event as it is logged (inside the caller's transaction). */
  constructor(
    log: EventLog,
    now: () => number,
    broadcast: (frames: string[]) => void,
    onLogged: (event: EventBody) => void = () => {},
  ) {
    this.log = log;
    this.now = now;
    this.broadcast = broadcast;
    this.onLogged = onLogged;
  }

  /** Runs `fn` (a transaction) and broadcasts what it logged once it has returned. */
  batch<T>(fn: () => T): T {
    this.depth++;
    let ok = false;
    try {
      const result = fn();
      ok = true;
      return result;
    } finally {
      this.depth--;
      if (this.depth === 0) {
        const frames = this.pending;
        this.pending = [];
        if (ok && frames.length > 0) this.send(frames);
      }
    }
  }

  emit(event: EventBody, key?: string): void {
    const logged = this.log.append(event, this.now(), key);
    if (!logged) return;
    this.onLogged(event);
    if (this.depth > 0) this.pending.push(logged.frame);
    else this.send([logged.frame]);
  }

  private send(frames: string[]): void {
    this.outgoing.push(...frames);
    this.flushTimer ??= setTimeout(() => this.flushBroadcasts(), 0);
  }

  /** Sends what was logged and not yet broadcast. */
  flushBroadcasts(): void {
    if (this.flushTimer) clearTimeout(this.flushTimer);
    this.flushTimer = null;
    if (this.outgoing.length === 0) return;
    const frames = this.outgoing;
    this.outgoing = [];
    this.broadcast(frames);
  }

  streamStart(streamId: string, stepId: number, agent: string): void {
    const old = this.streams.get(streamId);
    if (old?.timer) clearTimeout(old.timer);
    this.streams.set(streamId, { text: '', offset: 0, timer: null, stepId, agent });
    this.emit({ type: 'stream.start', streamId, stepId, agent });
  }

  streamAppend(streamId: string, text: string): void {
    const buffer = this.streams.get(streamId);
    if (!buffer || text.length === 0) return;
    buffer.text += text;
    if (buffer.text.length >= MAX_BUFFER_CHARS) this.flushStream(streamId);
    else buffer.timer ??= setTimeout(() => this.flushStream(streamId), COALESCE_MS);
  }

  streamEnd(streamId: string): void {
    const buffer = this.streams.get(streamId);
    if (!buffer) return;
    this.flushStream(streamId);
    this.streams.delete(streamId);
    this.emit({ type: 'stream.end', streamId, length: buffer.offset });
  }

  private flushStream(streamId: string): void {
    const buffer = this.streams.get(streamId);
    if (!buffer) return;
    if (buffer.timer) clearTimeout(buffer.timer);
    buffer.timer = null;
    if (buffer.text.length === 0) return;
    const text = buffer.text;
    buffer.text = '';
    this.emit({ type: 'stream.delta', streamId, offset: buffer.offset, text });
    buffer.offset += text.length;
  }

  commandOutput(commandId: string, stream: 'stdout' | 'stderr', data: string): void {
    let buffer = this.commands.get(commandId);
    if (!buffer) {
      buffer = { text: '', offset: 0, timer: null, stream };
      this.commands.set(commandId, buffer);
    }
    if (buffer.stream !== stream) this.flushCommand(commandId);
    buffer.stream = stream;
    buffer.text += data;
    if (buffer.text.length >= MAX_BUFFER_CHARS) this.flushCommand(commandId);
    else buffer.timer ??= setTimeout(() => this.flushCommand(commandId), COALESCE_MS);
  }

  commandFlush(commandId: string): void {
    this.flushCommand(commandId);
    this.commands.delete(commandId);
  }

  private flushCommand(commandId: string): void {
    const buffer = this.commands.get(commandId);
    if (!buffer) return;
    if (buffer.timer) clearTimeout(buffer.timer);
    buffer.timer = null;
    if (buffer.text.length === 0) return;
    const data = buffer.text;
    buffer.text = '';
    this.emit({
      type: 'command.output',
      commandId,
      stream: buffer.stream ?? 'stdout',
      offset: buffer.offset,
      data,
    });
    buffer.offset += data.length;
  }

  /** Drops every buffer (the object is being destroyed). */
  clear(): void {
    if (this.flushTimer) clearTimeout(this.flushTimer);
    this.flushTimer = null;
    this.outgoing = [];
    for (const b of [...this.streams.values(), ...this.commands.values()]) if (b.timer) clearTimeout(b.timer);
    this.streams.clear();
    this.commands.clear();
  }
}
