import { connect, type Socket } from 'node:net';
import { encodeCommand, RespError, RespParser, type RespArg, type RespValue } from './resp.ts';
import type { RedisTarget } from './redis-url.ts';
import { redisTimeout, redisUnavailable, type BridgeError } from './errors.ts';

type Pending = { resolve: (value: RespValue) => void; reject: (error: BridgeError) => void };

/**
 * One TCP connection to redis-server. Replies are matched to commands in order (RESP has no ids).
 *
 * Invariant: once anything goes wrong (socket error, close, timeout, garbage on the wire) the connection is
 * destroyed and every pending command is rejected. It is never reused after a failure, because the reply
 * stream could be out of step with the commands, or the connection could be left inside a MULTI.
 */
export class RedisConnection {
  private readonly socket: Socket;
  private readonly pending: Pending[] = [];
  private failure: BridgeError | undefined;
  private readonly closeListeners: Array<() => void> = [];

  private constructor(socket: Socket) {
    this.socket = socket;
    const parser = new RespParser((value) => this.pending.shift()?.resolve(value));
    socket.on('data', (chunk: Buffer) => {
      try {
        parser.feed(chunk);
      } catch (error) {
        this.fail(redisUnavailable(error));
      }
    });
    socket.on('error', (error) => this.fail(redisUnavailable(error)));
    socket.on('close', () => this.fail(redisUnavailable(new Error('connection closed'))));
  }

  /** Connects, authenticates and selects the database, all before `deadline` (epoch ms). */
  static async open(target: RedisTarget, deadline: number, timeoutMs: number): Promise<RedisConnection> {
    const socket = connect({ host: target.host, port: target.port });
    socket.setNoDelay(true);
    socket.setKeepAlive(true, 10_000);
    const connection = new RedisConnection(socket);
    const timer = setTimeout(
      () => connection.fail(redisTimeout(timeoutMs)),
      Math.max(0, deadline - Date.now()),
    );
    try {
      await new Promise<void>((resolve, reject) => {
        socket.once('connect', resolve);
        connection.onClose(() => reject(connection.failure));
      });
    } finally {
      clearTimeout(timer);
    }
    const setup: RespArg[][] = [];
    if (target.password !== undefined) {
      setup.push(target.username ? ['AUTH', target.username, target.password] : ['AUTH', target.password]);
    }
    if (target.db !== 0) setup.push(['SELECT', String(target.db)]);
    if (setup.length > 0) {
      const replies = await connection.send(setup, deadline, timeoutMs);
      const refused = replies.find((reply) => reply instanceof RespError);
      if (refused instanceof RespError) {
        connection.destroy();
        throw redisUnavailable(new Error(refused.message));
      }
    }
    return connection;
  }

  get alive(): boolean {
    return this.failure === undefined;
  }

  /** Registers a callback for when the connection dies (at most once). */
  onClose(listener: () => void): void {
    if (this.failure) listener();
    else this.closeListeners.push(listener);
  }

  /**
   * Writes all commands in one go (pipelining) and resolves with one reply per command, in order.
   * Redis error replies are values (`RespError`), not rejections; rejections are connection failures.
   */
  async send(
    commands: readonly (readonly RespArg[])[],
    deadline: number,
    timeoutMs: number,
  ): Promise<RespValue[]> {
    if (this.failure) throw this.failure;
    const replies = commands.map(
      () => new Promise<RespValue>((resolve, reject) => this.pending.push({ resolve, reject })),
    );
    const timer = setTimeout(() => this.fail(redisTimeout(timeoutMs)), Math.max(0, deadline - Date.now()));
    try {
      this.socket.write(Buffer.concat(commands.map(encodeCommand)));
      return await Promise.all(replies);
    } finally {
      clearTimeout(timer);
    }
  }

  destroy(): void {
    this.fail(redisUnavailable(new Error('connection closed by the bridge')));
  }

  private fail(error: BridgeError): void {
    if (this.failure) return;
    this.failure = error;
    this.socket.destroy();
    for (const waiter of this.pending.splice(0)) waiter.reject(error);
    for (const listener of this.closeListeners.splice(0)) listener();
  }
}
