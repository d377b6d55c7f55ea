/**
 * The live channel of one project (`/api/projects/:id/live`), kept open: it reconnects on its own with
 * backoff and asks for exactly what it missed (`resume { after: lastSeq, batch: true }`: the events of one
 * server turn, or of a replay, arrive together in one message). Events the client has already
 * seen are dropped by `seq`, so a replay overlapping what arrived live never shows a line twice.
 */
import {
  PING_FRAME,
  ServerMessageSchema,
  type ClientMessageInput,
  type ErrorFrame,
  type HelloFrame,
  type ServerEvent,
  type ServerFrame,
} from '@samokoder/workers/protocol';

/**
 * - `connecting`: the first connection is being opened.
 * - `syncing`: connected, catching up on what happened meanwhile.
 * - `live`: caught up; events arrive as they happen.
 * - `reconnecting`: the connection dropped; the next attempt is scheduled (see `retryAt`).
 * - `offline`: the browser says there is no network; it reconnects when the network is back.
 * - `closed`: given up for good (see `closedReason`), or closed by the page.
 */
export type ConnectionState = 'connecting' | 'syncing' | 'live' | 'reconnecting' | 'offline' | 'closed';

export interface LiveHandlers {
  hello: (frame: HelloFrame) => void;
  /** A logged event the client has not seen yet, in `seq` order. */
  event: (event: ServerEvent) => void;
  synced: () => void;
  error: (frame: ErrorFrame) => void;
  /** The server's log restarted (the project was reset): drop everything shown. */
  reset: () => void;
  /**
   * Asked after a connection failed before it opened: may the client keep trying? Refreshes the
   * session or finds out that the project is gone; a string is the reason to give up.
   */
  check?: () => Promise<true | string>;
}

const BACKOFF_MS = [250, 1000, 2000, 4000, 8000, 15000];
/** A quiet socket is probed this often; no answer within PONG_TIMEOUT_MS means it is dead. */
const PING_EVERY_MS = 25_000;
const PONG_TIMEOUT_MS = 10_000;

export class LiveConnection {
  state = $state<ConnectionState>('connecting');
  /** When the next attempt starts (ms since the epoch), while `reconnecting`. */
  retryAt = $state<number | null>(null);
  /** Number of consecutive failed attempts. */
  failures = $state(0);
  closedReason = $state<string | null>(null);
  /** The last `seq` applied: what a reconnect resumes after. */
  lastSeq = 0;

  readonly #url: string;
  readonly #handlers: LiveHandlers;
  #socket: WebSocket | null = null;
  #retryTimer: ReturnType<typeof setTimeout> | undefined;
  #pingTimer: ReturnType<typeof setInterval> | undefined;
  #pongTimer: ReturnType<typeof setTimeout> | undefined;
  #disposed = false;
  #cleanup: (() => void)[] = [];

  constructor(url: string, handlers: LiveHandlers) {
    this.#url = url;
    this.#handlers = handlers;
  }

  /** Opens the channel and keeps it open until `close()`. */
  start(): void {
    const online = () => this.reconnectNow();
    const offline = () => {
      if (this.state !== 'closed') this.#drop('offline');
    };
    const visible = () => {
      if (document.visibilityState === 'visible' && this.state === 'reconnecting') this.reconnectNow();
    };
    addEventListener('online', online);
    addEventListener('offline', offline);
    document.addEventListener('visibilitychange', visible);
    this.#cleanup.push(
      () => removeEventListener('online', online),
      () => removeEventListener('offline', offline),
      () => document.removeEventListener('visibilitychange', visible),
    );
    if (navigator.onLine === false) this.state = 'offline';
    else this.#open();
  }

  /** Sends a message; `false` when the channel is not open (the caller says so to the user). */
  send(message: ClientMessageInput): boolean {
    if (this.#socket?.readyState !== WebSocket.OPEN) return false;
    this.#socket.send(JSON.stringify(message));
    return true;
  }

  /** Skips the wait of a scheduled reconnect. */
  reconnectNow(): void {
    if (this.#disposed || this.#socket) return;
    clearTimeout(this.#retryTimer);
    this.#open();
  }

  close(): void {
    this.#disposed = true;
    this.state = 'closed';
    clearTimeout(this.#retryTimer);
    this.#stopHeartbeat();
    for (const cleanup of this.#cleanup) cleanup();
    this.#socket?.close(1000, 'page closed');
    this.#socket = null;
  }

  #open(): void {
    this.retryAt = null;
    this.state = this.failures === 0 && this.lastSeq === 0 ? 'connecting' : 'reconnecting';
    const socket = new WebSocket(this.#url);
    this.#socket = socket;
    let opened = false;

    socket.onopen = () => {
      opened = true;
      this.state = 'syncing';
      socket.send(
        JSON.stringify({ type: 'resume', after: this.lastSeq, batch: true } satisfies ClientMessageInput),
      );
      this.#startHeartbeat(socket);
    };
    socket.onmessage = (message) => {
      if (typeof message.data === 'string') this.#receive(message.data);
    };
    socket.onclose = () => {
      if (this.#socket !== socket) return;
      this.#socket = null;
      this.#stopHeartbeat();
      if (this.#disposed) return;
      if (opened) {
        this.failures = 0;
        this.#schedule();
      } else {
        this.failures += 1;
        void this.#checkThenSchedule();
      }
    };
  }

  #receive(data: string): void {
    this.#armPongTimeout(false);
    let json: unknown;
    try {
      json = JSON.parse(data);
    } catch {
      return;
    }
    const parsed = ServerMessageSchema.safeParse(json);
    if (!parsed.success) {
      console.warn('live: ignored a frame that does not match the protocol', parsed.error.issues[0]);
      return;
    }
    // Several events of one turn (or of a replay) may come in one message: each is handled alone.
    const message = parsed.data;
    if (message.type === 'batch') for (const event of message.events) this.#apply(event as ServerFrame);
    else this.#apply(message);
  }

  #apply(frame: ServerFrame): void {
    if ('seq' in frame) {
      if (frame.seq <= this.lastSeq) return; // seen already (a replay overlapping live events)
      this.lastSeq = frame.seq;
      this.#handlers.event(frame as ServerEvent);
      return;
    }
    switch (frame.type) {
      case 'hello':
        if (frame.lastSeq < this.lastSeq) {
          // The log is shorter than what we saw: the project was reset. Start over.
          this.lastSeq = 0;
          this.#handlers.reset();
          this.#socket?.send(
            JSON.stringify({ type: 'resume', after: 0, batch: true } satisfies ClientMessageInput),
          );
        }
        this.#handlers.hello(frame);
        break;
      case 'synced':
        this.state = 'live';
        this.failures = 0;
        this.#handlers.synced();
        break;
      case 'error':
        this.#handlers.error(frame);
        break;
      case 'pong':
        break;
    }
  }

  async #checkThenSchedule(): Promise<void> {
    if (this.#handlers.check && this.failures >= 2) {
      const verdict = await this.#handlers.check().catch(() => true as const);
      if (this.#disposed) return;
      if (verdict !== true) {
        this.closedReason = verdict;
        this.close();
        return;
      }
    }
    this.#schedule();
  }

  #schedule(): void {
    if (this.#disposed) return;
    if (navigator.onLine === false) {
      this.state = 'offline';
      return;
    }
    const base = BACKOFF_MS[Math.min(this.failures, BACKOFF_MS.length - 1)] ?? 15_000;
    const delay = Math.round(base * (0.8 + Math.random() * 0.4));
    this.state = 'reconnecting';
    this.retryAt = Date.now() + delay;
    this.#retryTimer = setTimeout(() => this.#open(), delay);
  }

  /** Closes the current socket (it is dead or the network is gone) and goes to `state`. */
  #drop(state: 'offline' | 'reconnecting'): void {
    const socket = this.#socket;
    this.#socket = null;
    this.#stopHeartbeat();
    socket?.close();
    clearTimeout(this.#retryTimer);
    if (state === 'offline') this.state = 'offline';
    else this.#schedule();
  }

  #startHeartbeat(socket: WebSocket): void {
    this.#stopHeartbeat();
    this.#pingTimer = setInterval(() => {
      if (socket.readyState !== WebSocket.OPEN) return;
      socket.send(PING_FRAME);
      this.#armPongTimeout(true);
    }, PING_EVERY_MS);
  }

  /** Any frame proves the socket alive; a ping arms a deadline for the next one. */
  #armPongTimeout(arm: boolean): void {
    clearTimeout(this.#pongTimer);
    if (arm) this.#pongTimer = setTimeout(() => this.#drop('reconnecting'), PONG_TIMEOUT_MS);
  }

  #stopHeartbeat(): void {
    clearInterval(this.#pingTimer);
    clearTimeout(this.#pongTimer);
  }
}

/** The WebSocket URL of a project's live channel on this origin. */
export function liveUrl(projectId: string): string {
  const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:';
  return `${scheme}//${location.host}/api/projects/${encodeURIComponent(projectId)}/live`;
}
