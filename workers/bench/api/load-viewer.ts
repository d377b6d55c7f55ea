/**
 * A live viewer of the load benchmark: a real WebSocket on `GET /api/projects/:id/live` (opened with a
 * one-time ticket, replay from the start), keeping the `seq` of every event it receives.
 */

interface Frame {
  type: string;
  seq?: number;
  lastSeq?: number;
  status?: string;
  events?: Frame[];
}

const TERMINAL = new Set(['stopped', 'completed', 'failed']);

export class LiveViewer {
  /** Every event seq received (each counted once). */
  readonly seqs = new Set<number>();
  maxSeq = 0;
  /** The run reached a terminal status (stopped, completed, failed). */
  ended = false;
  /** The socket closed before the benchmark closed it. */
  closedEarly = false;
  helloLastSeq = -1;
  synced = false;
  private closing = false;
  private readonly ws: WebSocket;
  private readonly waiters = new Set<() => void>();

  private constructor(ws: WebSocket) {
    this.ws = ws;
    ws.addEventListener('message', (e) => this.receive(String(e.data)));
    ws.addEventListener('close', () => {
      if (!this.closing) this.closedEarly = true;
      this.notify();
    });
  }

  /** Opens a viewer at `url` (a `ws://` URL with its ticket); `after` asks for a replay from there. */
  static open(url: string): Promise<LiveViewer> {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(url);
      const viewer = new LiveViewer(ws);
      const timer = setTimeout(() => reject(new Error('the live channel did not open in 30 s')), 30_000);
      ws.addEventListener('open', () => {
        clearTimeout(timer);
        resolve(viewer);
      });
      ws.addEventListener('error', () => {
        clearTimeout(timer);
        reject(new Error('the live channel refused the viewer'));
      });
    });
  }

  private receive(raw: string): void {
    const message = JSON.parse(raw) as Frame;
    for (const frame of message.type === 'batch' ? (message.events ?? []) : [message]) {
      if (frame.type === 'hello') this.helloLastSeq = frame.lastSeq ?? 0;
      if (frame.type === 'synced') this.synced = true;
      if (frame.type === 'run.status' && frame.status && TERMINAL.has(frame.status)) this.ended = true;
      if (typeof frame.seq === 'number') {
        this.seqs.add(frame.seq);
        this.maxSeq = Math.max(this.maxSeq, frame.seq);
      }
    }
    this.notify();
  }

  private notify(): void {
    for (const waiter of this.waiters) waiter();
  }

  /** Resolves true once `condition` holds, false after `timeoutMs` (or when the socket closed). */
  until(condition: () => boolean, timeoutMs: number): Promise<boolean> {
    if (condition()) return Promise.resolve(true);
    return new Promise((resolve) => {
      const done = (value: boolean) => {
        clearTimeout(timer);
        this.waiters.delete(check);
        resolve(value);
      };
      const check = () => {
        if (condition()) done(true);
        else if (this.closedEarly) done(false);
      };
      const timer = setTimeout(() => done(false), timeoutMs);
      this.waiters.add(check);
    });
  }

  send(message: unknown): void {
    this.ws.send(JSON.stringify(message));
  }

  /** Events of 1..lastSeq this viewer never received. */
  missing(lastSeq: number): number {
    let got = 0;
    for (const seq of this.seqs) if (seq >= 1 && seq <= lastSeq) got++;
    return lastSeq - got;
  }

  close(): void {
    this.closing = true;
    this.ws.close(1000);
  }
}
