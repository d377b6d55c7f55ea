/**
 * A project's live channel for Node tests of the UI's live stores: a real WebSocket server on loopback
 * that speaks the protocol of `@samokoder/workers/protocol` as the project's Durable Object does
 * (`workers/src/agent/hub.ts`): `hello` on connect, the events after `resume { after }` replayed from
 * its log then `synced`, live events to sockets that have been replayed. Tests drive what a real
 * server may do to a client: drop the connection, refuse upgrades, replay more than was asked.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';
import {
  ClientMessage,
  PING_FRAME,
  PONG_FRAME,
  type ErrorFrame,
  type EventBody,
  type HelloFrame,
  type RunSnapshot,
  type ServerEvent,
} from '@samokoder/workers/protocol';

export const PROJECT_ID = 'p-live-test';

/** A message a client sent, with the connection it came on (1 for the first). */
export interface Received {
  connection: number;
  message: ClientMessage;
}

const IDLE_RUN: RunSnapshot = {
  status: 'running',
  reason: null,
  mode: 'interactive',
  branch: 0,
  currentStep: null,
  openQuestion: null,
  totals: {
    costMicros: 0,
    unpricedCalls: 0,
    inputTokens: 0,
    outputTokens: 0,
    cachedTokens: 0,
    budgetMicros: 5_000_000,
  },
};

export class LiveTestServer {
  /** The project's event log (seq 1, 2, …). */
  readonly log: ServerEvent[] = [];
  /** Every frame clients sent (pings aside), in order. */
  readonly received: Received[] = [];
  /** WebSocket connections accepted so far. */
  connections = 0;
  /** When each upgrade request came (ms since the epoch), accepted or refused. */
  readonly upgradeTimes: number[] = [];
  /** The next this many upgrades are refused (503), as a Worker that cannot reach the project. */
  refuseUpgrades = 0;
  /** A replay starts this many events before what was asked: the client must drop what it has. */
  replayOverlap = 0;
  /** Answers the HTTP requests of the API (none by default: 404). */
  http: (request: IncomingMessage, response: ServerResponse) => void = (_, response) => {
    response.writeHead(404, { 'content-type': 'application/json' });
    response.end(JSON.stringify({ error: { code: 'not_found', message: 'Not found.' } }));
  };

  readonly #server = createServer((request, response) => this.http(request, response));
  readonly #wss = new WebSocketServer({ noServer: true });
  /** Open sockets, whether each has been replayed (gets live events), and whether it asked for batches. */
  readonly #sockets = new Map<WebSocket, { ready: boolean; batch: boolean }>();
  readonly #byConnection = new Map<number, WebSocket>();

  /** Listens on an ephemeral loopback port. */
  async start(): Promise<this> {
    this.#server.on('upgrade', (request, socket, head) => {
      this.upgradeTimes.push(Date.now());
      if (this.refuseUpgrades > 0 || !request.url?.startsWith(`/api/projects/${PROJECT_ID}/live`)) {
        this.refuseUpgrades = Math.max(0, this.refuseUpgrades - 1);
        socket.end('HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\nConnection: close\r\n\r\n');
        return;
      }
      this.#wss.handleUpgrade(request, socket, head, (ws) => this.#accept(ws));
    });
    await new Promise<void>((resolve) => this.#server.listen(0, '127.0.0.1', resolve));
    return this;
  }

  /** `http://127.0.0.1:<port>`: the page's origin in the tests. */
  get origin(): string {
    return `http://127.0.0.1:${(this.#server.address() as AddressInfo).port}`;
  }

  /** The live channel's URL, as `liveUrl()` builds it on that origin. */
  get liveUrl(): string {
    return `${this.origin.replace('http:', 'ws:')}/api/projects/${PROJECT_ID}/live`;
  }

  /** Upgrade requests seen, accepted or refused. */
  get upgrades(): number {
    return this.upgradeTimes.length;
  }

  /** Sockets open now. */
  get open(): number {
    return this.#sockets.size;
  }

  /** Logs an event and sends it to every live viewer, as the Durable Object broadcasts. */
  append(body: EventBody): ServerEvent {
    return this.appendTogether([body])[0]!;
  }

  /**
   * Logs events of one server turn and sends them to every live viewer: in one batch message to a
   * viewer that asked for batches, one message each to the others, as the Durable Object does.
   */
  appendTogether(bodies: EventBody[]): ServerEvent[] {
    const events = bodies.map((body) => {
      const event = { ...body, seq: this.log.length + 1, at: Date.now() } as ServerEvent;
      this.log.push(event);
      return event;
    });
    for (const [ws, state] of this.#sockets) if (state.ready) send(ws, events, state.batch);
    return events;
  }

  /** Sends a frame outside the log on connection `connection` (a refusal, as the hub's `sendError`). */
  reply(connection: number, frame: ErrorFrame): void {
    this.#byConnection.get(connection)?.send(JSON.stringify(frame));
  }

  /** Cuts every connection without a close handshake, as a network failure does. */
  dropAll(): void {
    for (const ws of this.#sockets.keys()) ws.terminate();
    this.#sockets.clear();
  }

  /** The messages of `type` clients sent. */
  messages<T extends ClientMessage['type']>(type: T): (Received & { message: { type: T } })[] {
    return this.received.filter((r): r is Received & { message: { type: T } } => r.message.type === type);
  }

  async close(): Promise<void> {
    this.dropAll();
    this.#wss.close();
    this.#server.closeAllConnections();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  #accept(ws: WebSocket): void {
    const connection = ++this.connections;
    const state = { ready: false, batch: false };
    this.#sockets.set(ws, state);
    this.#byConnection.set(connection, ws);
    ws.on('close', () => this.#sockets.delete(ws));
    const hello: HelloFrame = {
      type: 'hello',
      projectId: PROJECT_ID,
      lastSeq: this.log.length,
      run: IDLE_RUN,
    };
    ws.send(JSON.stringify(hello));
    ws.on('message', (data) => {
      const text = String(data);
      if (text === PING_FRAME) return ws.send(PONG_FRAME);
      const parsed = ClientMessage.safeParse(JSON.parse(text));
      if (!parsed.success) {
        ws.send(JSON.stringify({ type: 'error', code: 'bad_frame', message: 'Not a frame.' }));
        return;
      }
      this.received.push({ connection, message: parsed.data });
      if (parsed.data.type === 'resume') {
        // Replay and the switch to live in one synchronous run, as the hub does: nothing falls between.
        const from = Math.max(0, parsed.data.after - this.replayOverlap);
        state.batch = parsed.data.batch === true;
        send(ws, this.log.slice(from), state.batch);
        state.ready = true;
        ws.send(JSON.stringify({ type: 'synced', lastSeq: this.log.length }));
      }
    });
  }
}

/** Sends events one per message, or (to a client that asked for batches) all in one batch message. */
function send(ws: WebSocket, events: ServerEvent[], batch: boolean): void {
  if (batch && events.length > 1) ws.send(JSON.stringify({ type: 'batch', events }));
  else for (const event of events) ws.send(JSON.stringify(event));
}
