/**
 * What counts as a dependency failure: Postgres or Redis down, exhausted, or too slow. Such a failure is
 * the platform's, not the request's, and passes: the API answers it with 503 `dependency_unavailable`
 * and `Retry-After`, never a 500. This module is the one place that recognizes one.
 */

export type Dependency = 'postgres' | 'redis';

/** A dependency could not serve the request; `retryAfterSeconds` is what the client is told to wait. */
export class DependencyError extends Error {
  override readonly name = 'DependencyError';
  readonly dependency: Dependency;
  readonly retryAfterSeconds: number;

  constructor(
    dependency: Dependency,
    message: string,
    opts?: { cause?: unknown; retryAfterSeconds?: number },
  ) {
    super(message, { cause: opts?.cause });
    this.dependency = dependency;
    this.retryAfterSeconds = opts?.retryAfterSeconds ?? 5;
  }
}

/**
 * SQLSTATEs that say the database cannot serve now, not that the query is wrong: connection exceptions
 * (08, except 08P01, a protocol violation), insufficient resources (53: too many connections, out of
 * memory or disk), operator intervention (57: a statement timeout, a shutdown, a server starting up),
 * system errors (58), and serialization failures and deadlocks (40001, 40P01), which a retry resolves.
 */
function transientSqlState(code: string): boolean {
  if (code === '08P01') return false;
  return /^(08|53|57|58)/.test(code) || code === '40001' || code === '40P01';
}

/** Socket errors of a driver that speaks TCP (`pg`). */
const SOCKET_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
]);

/**
 * Messages of Neon's driver, `pg` and workerd when the connection, not the query, failed. They carry no
 * SQLSTATE: the server never answered.
 */
const CONNECTION_MESSAGES =
  /connection terminated|timeout exceeded when trying to connect|connection error and is not queryable|query read timeout|too many (clients|connections)|network connection lost|socket hang up|connection (refused|reset|closed)|econnrefused|econnreset/i;

/** The dependency whose failure `err` is (anywhere in its `cause` chain), or undefined. */
export function dependencyFailure(err: unknown): DependencyError | undefined {
  for (let e: unknown = err, depth = 0; e && depth < 8; e = (e as { cause?: unknown }).cause, depth++) {
    if (e instanceof DependencyError) return e;
    if (typeof e !== 'object') break;
    const { code, message } = e as { code?: unknown; message?: unknown };
    if (typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code)) {
      // The server answered: only some answers mean "not now".
      if (transientSqlState(code))
        return new DependencyError('postgres', 'The database cannot serve now.', { cause: err });
      return undefined;
    }
    if (typeof code === 'string' && SOCKET_CODES.has(code))
      return new DependencyError('postgres', 'The database is unreachable.', { cause: err });
    // Neon's driver reports a failed WebSocket as an ErrorEvent-like object, not an Error.
    if (typeof message === 'string' && CONNECTION_MESSAGES.test(message))
      return new DependencyError('postgres', 'The database connection failed.', { cause: err });
  }
  return undefined;
}
