import { describe, expect, it } from 'vitest';
import { DependencyError, dependencyFailure } from './dependency-failure.ts';

/** How drizzle reports a failed query: its own error, the driver's as the cause. */
function failedQuery(cause: unknown): Error {
  const err = new Error('Failed query: select 1\nparams: ');
  return Object.assign(err, { query: 'select 1', params: [], cause });
}

const serverError = (code: string, message = 'server said no') => Object.assign(new Error(message), { code });

describe('dependency failures', () => {
  it.each([
    ['too many connections (53300)', serverError('53300', 'sorry, too many clients already')],
    ['a connection failure (08006)', serverError('08006')],
    ['a statement timeout (57014)', serverError('57014')],
    ['a server shutting down (57P01)', serverError('57P01')],
    ['a server starting up (57P03)', serverError('57P03')],
    ['a deadlock (40P01)', serverError('40P01')],
    [
      'a refused TCP connection',
      Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' }),
    ],
    ['a reset connection', Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' })],
    ['a connection that ended mid-query', new Error('Connection terminated unexpectedly')],
    ['a connect timeout', new Error('Connection terminated due to connection timeout')],
    ['a pool that timed out', new Error('timeout exceeded when trying to connect')],
    [
      "Neon's failed WebSocket (an ErrorEvent, not an Error)",
      { type: 'error', message: 'Uncaught Error: Network connection lost.' },
    ],
  ])('recognizes %s, also behind the query error that wraps it', (_, cause) => {
    expect(dependencyFailure(cause)).toMatchObject({ dependency: 'postgres', retryAfterSeconds: 5 });
    expect(dependencyFailure(failedQuery(cause))).toBeInstanceOf(DependencyError);
  });

  it.each([
    ['a unique violation (23505)', serverError('23505')],
    ['bad data (22021, a NUL byte)', serverError('22021')],
    ['a protocol violation (08P01: our bug, not an outage)', serverError('08P01')],
    ['a syntax error (42601)', serverError('42601')],
    ['a plain bug', new TypeError("Cannot read properties of undefined (reading 'id')")],
  ])('leaves %s to be a 500', (_, cause) => {
    expect(dependencyFailure(failedQuery(cause))).toBeUndefined();
  });

  it('keeps a DependencyError raised at the source (Redis, the connection gate) as it is', () => {
    const redis = new DependencyError('redis', 'Redis did not answer.', {
      cause: new TypeError('fetch failed'),
    });
    expect(dependencyFailure(redis)).toBe(redis);
    const wrapped = new Error('checking the denylist failed', { cause: redis });
    expect(dependencyFailure(wrapped)).toBe(redis);
  });
});
