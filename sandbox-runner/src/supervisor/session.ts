/**
 * The runner's end of one container's supervisor: owns the hijacked attach stream, matches requests to
 * responses, routes process output and exits to their handlers, and exposes tunnels as Duplex sockets.
 * When the stream ends (container died, supervisor killed), everything pending fails with `sandbox_exited`.
 */
import { Duplex } from 'node:stream';
import { RunnerError } from '../errors.ts';
import type { ErrorCode, ExecExit } from '../contract.ts';
import { DockerDemux } from './docker-demux.ts';
import { encodeFrame, FRAME, FrameReader } from './frames.ts';

/** What the supervisor reports when it starts. */
export interface SupervisorHello {
  pid: number;
  uid: number;
  /** The Node version of the Node supervisor, `native` for the native one. */
  node: string;
  /** Milliseconds from the supervisor's start to the hello, measured inside the container. */
  bootMs?: number;
}

/** Final status of a process as the supervisor reports it. */
export type SupervisorExit = Omit<ExecExit, 'type'>;

/** Receives one process's output and its end. Exactly one of `onExit` / `onLost` is called. */
export interface ProcessHandlers {
  onOutput(stream: 'stdout' | 'stderr', chunk: Buffer): void;
  onTruncated?(omittedBytes: number): void;
  onExit(exit: SupervisorExit): void;
  onLost(err: RunnerError): void;
}

/** A process to start: a shell line or an argv, with the supervisor-enforced limits. */
export interface SpawnSpec {
  command?: string | undefined;
  argv?: string[] | undefined;
  cwd?: string | undefined;
  env?: Record<string, string> | undefined;
  timeoutMs?: number;
  killGraceMs?: number;
  outputLimit?: number;
  stdin?: boolean;
  /** Use the supervisor's pre-forked shell if one is ready (short commands: saves a fork of the supervisor). */
  standby?: boolean;
}

type Reply = Record<string, unknown>;

const SUPERVISOR_CODES: ReadonlySet<string> = new Set<ErrorCode>([
  'invalid_request',
  'invalid_path',
  'path_outside_workspace',
  'file_not_found',
  'not_a_file',
  'file_too_large',
  'process_not_found',
  'workspace_full',
  'preview_unreachable',
  'permission_denied',
]);
/** Supervisor-specific codes and raw errno codes from file operations, mapped to the contract's codes. */
const SUPERVISOR_ALIASES: Record<string, ErrorCode> = {
  no_space: 'workspace_full',
  connect_failed: 'preview_unreachable',
  ENOSPC: 'workspace_full',
  ENOENT: 'file_not_found',
  EACCES: 'permission_denied',
  EPERM: 'permission_denied',
  EROFS: 'permission_denied',
  EISDIR: 'not_a_file',
  ENOTDIR: 'invalid_path',
  ENAMETOOLONG: 'invalid_path',
  ENOTEMPTY: 'invalid_request',
  EEXIST: 'invalid_request',
};

function toRunnerError(code: string, message: string): RunnerError {
  const mapped = SUPERVISOR_ALIASES[code] ?? code;
  if (SUPERVISOR_CODES.has(mapped)) return new RunnerError(mapped as ErrorCode, message);
  return new RunnerError('internal', `supervisor: ${code}: ${message}`);
}

/** A TCP connection to a port inside the sandbox, carried over the supervisor's stream. */
export class TunnelSocket extends Duplex {
  private readonly session: SupervisorSession;
  readonly channel: number;
  remoteClosed = false;
  constructor(session: SupervisorSession, channel: number) {
    super({ allowHalfOpen: true });
    this.session = session;
    this.channel = channel;
  }
  override _read(): void {}
  override _write(chunk: Buffer, _enc: BufferEncoding, cb: (err?: Error | null) => void): void {
    this.session.sendFrame(FRAME.TUN_DATA, this.channel, chunk);
    cb();
  }
  override _final(cb: (err?: Error | null) => void): void {
    this.session.sendFrame(FRAME.TUN_END, this.channel);
    cb();
  }
  override _destroy(err: Error | null, cb: (err?: Error | null) => void): void {
    if (!this.remoteClosed) this.session.sendFrame(FRAME.TUN_CLOSE, this.channel);
    this.session.forgetTunnel(this.channel);
    cb(err);
  }
  // node:http calls these on its sockets; a tunnel has no TCP options of its own.
  setNoDelay(): this {
    return this;
  }
  setKeepAlive(): this {
    return this;
  }
  setTimeout(): this {
    return this;
  }
}

/** One container's supervisor connection. */
export class SupervisorSession {
  private readonly stream: NodeJS.ReadWriteStream;
  private readonly requests = new Map<
    number,
    { resolve: (r: Reply) => void; reject: (e: RunnerError) => void }
  >();
  private readonly processes = new Map<number, ProcessHandlers>();
  private readonly tunnels = new Map<number, TunnelSocket>();
  private nextChannel = 1;
  private closedError: RunnerError | null = null;
  private readonly closeListeners: (() => void)[] = [];
  /** Resolves with the supervisor's hello (ask for it with {@link greet}); rejects if the stream ends first. */
  readonly ready: Promise<SupervisorHello>;
  private resolveReady!: (hello: SupervisorHello) => void;
  private rejectReady!: (err: RunnerError) => void;

  constructor(stream: NodeJS.ReadWriteStream, onSupervisorLog: (line: string) => void = () => {}) {
    this.stream = stream;
    this.ready = new Promise<SupervisorHello>((resolve, reject) => {
      this.resolveReady = resolve;
      this.rejectReady = reject;
    });
    this.ready.catch(() => {}); // observed by whoever awaits it
    const frames = new FrameReader((type, channel, payload) => this.onFrame(type, channel, payload));
    let errText = '';
    const demux = new DockerDemux(
      (chunk) => frames.push(chunk),
      (chunk) => {
        errText += chunk.toString('utf8');
        const lines = errText.split('\n');
        errText = lines.pop() ?? '';
        for (const line of lines) if (line) onSupervisorLog(line);
      },
    );
    stream.on('data', (chunk: Buffer) => demux.push(chunk));
    stream.on('error', () => this.onClosed());
    stream.on('end', () => this.onClosed());
    stream.on('close', () => this.onClosed());
  }

  /** True until the supervisor's stream ends. */
  get alive(): boolean {
    return this.closedError === null;
  }

  /** Calls `listener` once when the supervisor's stream ends. */
  onClose(listener: () => void): void {
    if (this.closedError) listener();
    else this.closeListeners.push(listener);
  }

  /**
   * Asks the supervisor for its hello, which resolves {@link ready}. It says hello only when asked, so
   * the runner may attach while the container starts without missing a byte of its output.
   */
  greet(): void {
    this.request('hello').catch((err: unknown) => {
      this.rejectReady(err instanceof RunnerError ? err : new RunnerError('internal', String(err)));
    });
  }

  /** @internal used by tunnels */
  sendFrame(type: number, channel: number, payload?: Uint8Array): void {
    if (this.closedError) return;
    this.stream.write(encodeFrame(type, channel, payload));
  }

  /** @internal used by tunnels */
  forgetTunnel(channel: number): void {
    this.tunnels.delete(channel);
  }

  private channel(): number {
    const id = this.nextChannel;
    this.nextChannel = this.nextChannel >= 0xfffffffe ? 1 : this.nextChannel + 1;
    return id;
  }

  /** Sends one request and resolves with the supervisor's reply, or rejects with a mapped {@link RunnerError}. */
  request(op: string, body: Reply = {}, timeoutMs = 30_000): Promise<Reply> {
    if (this.closedError) return Promise.reject(this.closedError);
    const id = this.channel();
    return new Promise<Reply>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.requests.delete(id);
        reject(
          new RunnerError('agent_timeout', `sandbox supervisor did not answer ${op} within ${timeoutMs} ms`),
        );
      }, timeoutMs);
      this.requests.set(id, {
        resolve: (r) => {
          clearTimeout(timer);
          resolve(r);
        },
        reject: (e) => {
          clearTimeout(timer);
          reject(e);
        },
      });
      this.sendFrame(FRAME.REQ, id, Buffer.from(JSON.stringify({ op, ...body })));
    });
  }

  /** Starts a process; its output and exit go to `handlers`. Resolves with its channel and pid. */
  async spawn(spec: SpawnSpec, handlers: ProcessHandlers): Promise<{ channel: number; pid: number }> {
    const channel = this.channel();
    // Registered before the request: output (or a spawn failure's exit) may overtake the reply.
    this.processes.set(channel, handlers);
    try {
      const reply = await this.request('spawn', { proc: channel, ...spec });
      return { channel, pid: typeof reply.pid === 'number' ? reply.pid : -1 };
    } catch (err) {
      this.processes.delete(channel);
      throw err;
    }
  }

  /** Sends a signal to every process a process started (a stopping one ends them all). */
  async signal(channel: number, signal: string): Promise<void> {
    await this.request('signal', { proc: channel, signal });
  }

  /** Writes to a process's stdin (it must have been spawned with `stdin: true`). */
  writeStdin(channel: number, data: Buffer): void {
    this.sendFrame(FRAME.STDIN, channel, data);
  }

  /** Closes a process's stdin. */
  endStdin(channel: number): void {
    this.sendFrame(FRAME.STDIN_END, channel);
  }

  /** Opens a TCP connection to `port` on the sandbox's loopback. */
  async connect(port: number): Promise<TunnelSocket> {
    const channel = this.channel();
    const socket = new TunnelSocket(this, channel);
    this.tunnels.set(channel, socket);
    try {
      await this.request('connect', { tunnel: channel, port }, 10_000);
    } catch (err) {
      socket.remoteClosed = true;
      socket.destroy();
      throw err;
    }
    return socket;
  }

  /** Ends the attach stream (the supervisor then stops everything and exits). */
  close(): void {
    this.stream.end();
    const destroyable = this.stream as NodeJS.ReadWriteStream & { destroy?: () => void };
    destroyable.destroy?.();
    this.onClosed();
  }

  private onFrame(type: number, channel: number, payload: Buffer): void {
    switch (type) {
      case FRAME.RES: {
        const pending = this.requests.get(channel);
        if (!pending) return;
        this.requests.delete(channel);
        const reply = JSON.parse(payload.toString('utf8')) as Reply;
        if (reply.ok === true) pending.resolve(reply);
        else pending.reject(toRunnerError(String(reply.code), String(reply.message)));
        return;
      }
      case FRAME.EVENT: {
        const event = JSON.parse(payload.toString('utf8')) as Reply;
        if (channel === 0 && event.t === 'ready') {
          this.resolveReady({
            pid: Number(event.pid),
            uid: Number(event.uid),
            node: String(event.node),
            ...(typeof event.bootMs === 'number' ? { bootMs: event.bootMs } : {}),
          });
          return;
        }
        const handlers = this.processes.get(channel);
        if (!handlers) return;
        if (event.t === 'truncated') handlers.onTruncated?.(Number(event.omittedBytes));
        else if (event.t === 'exit') {
          this.processes.delete(channel);
          handlers.onExit({
            exitCode: typeof event.exitCode === 'number' ? event.exitCode : null,
            signal: typeof event.signal === 'string' ? event.signal : null,
            durationMs: Number(event.durationMs),
            timedOut: event.timedOut === true,
            truncated: event.truncated === true,
            oomKilled: event.oomKilled === true,
          });
        }
        return;
      }
      case FRAME.STDOUT:
      case FRAME.STDERR:
        this.processes.get(channel)?.onOutput(type === FRAME.STDOUT ? 'stdout' : 'stderr', payload);
        return;
      case FRAME.TUN_DATA:
        this.tunnels.get(channel)?.push(payload);
        return;
      case FRAME.TUN_END:
        this.tunnels.get(channel)?.push(null);
        return;
      case FRAME.TUN_CLOSE: {
        const socket = this.tunnels.get(channel);
        if (!socket) return;
        socket.remoteClosed = true;
        socket.push(null);
        // What arrived before the close may not be read yet (a large answer to a slow client): it is
        // read to its end first. Destroying at once dropped it, and cut the answer short.
        if (socket.readableEnded) socket.destroy();
        else socket.once('end', () => socket.destroy());
        return;
      }
    }
  }

  private onClosed(): void {
    if (this.closedError) return;
    const err = new RunnerError('sandbox_exited', 'the sandbox stopped (its supervisor exited)');
    this.closedError = err;
    this.rejectReady(err);
    for (const pending of this.requests.values()) pending.reject(err);
    this.requests.clear();
    for (const handlers of this.processes.values()) handlers.onLost(err);
    this.processes.clear();
    for (const socket of this.tunnels.values()) {
      socket.remoteClosed = true;
      socket.destroy();
    }
    this.tunnels.clear();
    for (const listener of this.closeListeners.splice(0)) listener();
  }
}
