/**
 * A process of live viewers for the engine benchmark's fan-out figures (forked by fan-out.ts): it opens
 * `count` WebSockets on `url` (asking for batches, as the UI does), says `ready` once every one is
 * replayed, and when every one has seen the run complete sends back each `stream.end` arrival and the
 * CPU time it spent meanwhile. Viewers are spread over several such processes so that the client's own
 * cost (receiving, parsing, timestamps, GC) is measured, and does not queue every viewer behind one
 * event loop.
 *
 * The sockets are `ws`'s, not Node's built-in WebSocket: that one (undici's) cost 76 us of this
 * process's CPU per message against 45-55 us, and on a two-core machine that CPU is taken from the
 * engine being measured (a browser's socket is native code on another machine).
 */
import WebSocket from 'ws';
import type { ServerMessage } from '../../src/protocol.ts';

/** What the parent sends. */
export type ToViewers = { type: 'start' };
/** What a viewer process sends back. */
export type FromViewers =
  | { type: 'ready' }
  | {
      type: 'done';
      /** Per `stream.end` received: its seq, the object's timestamp and the arrival time (ms since the epoch). */
      arrivals: [seq: number, at: number, arrived: number][];
      /** WebSocket messages received from `start` to the end. */
      messages: number;
      /** CPU time of this process from `start` to the end (user + system, ms). */
      cpuMs: number;
    }
  | { type: 'failed'; message: string };

const [url, countArg] = process.argv.slice(2);
const count = Number(countArg);
const send = (message: FromViewers) => process.send!(message);

/** Messages holding a `stream.end`, with their arrival: parsed once the run is over, off the clock. */
const received: [raw: string, arrived: number][] = [];
let messages = 0;
let synced = 0;
let completed = 0;
let cpuAtStart: NodeJS.CpuUsage | null = null;
const sockets: WebSocket[] = [];

function receive(raw: string): void {
  const arrived = Date.now();
  messages++;
  // Only the frames this process reports on are kept; the rest are counted.
  if (raw.includes('"type":"synced"')) {
    if (++synced === count) send({ type: 'ready' });
    return;
  }
  if (raw.includes('"type":"stream.end"')) received.push([raw, arrived]);
  const done = raw.includes('"type":"run.status"') && raw.includes('"status":"completed"');
  if (done && ++completed === count) finish();
}

function finish(): void {
  const cpu = process.cpuUsage(cpuAtStart ?? undefined);
  for (const ws of sockets) ws.close(1000);
  const arrivals: [number, number, number][] = [];
  for (const [raw, arrived] of received) {
    const message = JSON.parse(raw) as ServerMessage;
    for (const frame of message.type === 'batch' ? message.events : [message]) {
      if (frame.type === 'stream.end') arrivals.push([frame.seq, frame.at, arrived]);
    }
  }
  // A large message is still being written when `send` returns: disconnect once it is out.
  process.send!(
    { type: 'done', arrivals, messages, cpuMs: (cpu.user + cpu.system) / 1000 } satisfies FromViewers,
    () => process.disconnect(),
  );
}

process.on('message', (message: ToViewers) => {
  if (message.type === 'start') {
    messages = 0;
    cpuAtStart = process.cpuUsage();
  }
});

for (let i = 0; i < count; i++) {
  // UTF-8 is checked when a frame is parsed, after the run; a browser's check is native code.
  const ws = new WebSocket(url!, { skipUTF8Validation: true });
  sockets.push(ws);
  ws.on('message', (data: Buffer) => receive(data.toString('utf8')));
  ws.on('error', () => {
    send({ type: 'failed', message: `a viewer could not open or lost ${url}` });
    process.exit(1);
  });
}
