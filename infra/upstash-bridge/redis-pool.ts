import { RedisConnection } from './redis-connection.ts';
import { redisTimeout, redisUnavailable } from './errors.ts';
import type { RedisTarget } from './redis-url.ts';
import type { RespArg, RespValue } from './resp.ts';

type Waiter = {
  deadline: number;
  resolve: (connection: RedisConnection) => void;
  reject: (error: Error) => void;
};

/**
 * A small pool of redis connections, each checked out by one HTTP request at a time.
 *
 * Why exclusive checkout rather than one shared pipelined connection: a blocking command (BLPOP) or a slow
 * script would stall every other request, and a transaction needs its MULTI..EXEC on a connection nobody
 * else writes to. Connections are opened lazily and dropped on any failure, so a restarted redis-server is
 * picked up by the next request without any reconnect loop.
 */
export class RedisPool {
  private readonly target: RedisTarget;
  private readonly maxConnections: number;
  private readonly timeoutMs: number;
  private readonly idle: RedisConnection[] = [];
  private readonly waiters: Waiter[] = [];
  private open = 0;
  private closed = false;

  constructor(target: RedisTarget, options: { maxConnections: number; timeoutMs: number }) {
    this.target = target;
    this.maxConnections = options.maxConnections;
    this.timeoutMs = options.timeoutMs;
  }

  /** Runs the commands back to back on one connection; one reply per command, within the timeout. */
  async run(commands: readonly (readonly RespArg[])[]): Promise<RespValue[]> {
    const deadline = Date.now() + this.timeoutMs;
    const connection = await this.acquire(deadline);
    try {
      return await connection.send(commands, deadline, this.timeoutMs);
    } finally {
      this.release(connection);
    }
  }

  /** Closes every connection; later calls to `run` fail. */
  close(): void {
    this.closed = true;
    for (const waiter of this.waiters.splice(0)) waiter.reject(redisUnavailable(new Error('bridge closed')));
    for (const connection of this.idle.splice(0)) connection.destroy();
  }

  private async acquire(deadline: number): Promise<RedisConnection> {
    if (this.closed) throw redisUnavailable(new Error('bridge closed'));
    const reusable = this.idle.pop();
    if (reusable) return reusable;
    if (this.open < this.maxConnections) {
      this.open++;
      try {
        const connection = await RedisConnection.open(this.target, deadline, this.timeoutMs);
        connection.onClose(() => this.forget(connection));
        return connection;
      } catch (error) {
        this.open--;
        this.wakeWaiter();
        throw error;
      }
    }
    return await new Promise<RedisConnection>((resolve, reject) => {
      const timer = setTimeout(
        () => {
          const index = this.waiters.indexOf(waiter);
          if (index !== -1) this.waiters.splice(index, 1);
          reject(redisTimeout(this.timeoutMs));
        },
        Math.max(0, deadline - Date.now()),
      );
      const waiter: Waiter = {
        deadline,
        resolve: (connection) => {
          clearTimeout(timer);
          resolve(connection);
        },
        reject: (error) => {
          clearTimeout(timer);
          reject(error);
        },
      };
      this.waiters.push(waiter);
    });
  }

  private release(connection: RedisConnection): void {
    if (!connection.alive) return;
    if (this.closed) {
      connection.destroy();
      return;
    }
    const waiter = this.waiters.shift();
    if (waiter) waiter.resolve(connection);
    else this.idle.push(connection);
  }

  /** A connection died (idle or in use): free its slot so a waiter can open a fresh one. */
  private forget(connection: RedisConnection): void {
    const index = this.idle.indexOf(connection);
    if (index !== -1) this.idle.splice(index, 1);
    this.open--;
    this.wakeWaiter();
  }

  /** Lets the first waiter open a new connection in the slot that was just freed. */
  private wakeWaiter(): void {
    const waiter = this.waiters.shift();
    if (!waiter) return;
    this.acquire(waiter.deadline).then(waiter.resolve, waiter.reject);
  }
}
