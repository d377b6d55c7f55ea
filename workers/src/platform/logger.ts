/** Structured JSON logs. Keys that may hold a secret are redacted before anything is written. */

const SECRET_KEY = /pass(word)?|secret|token|authorization|cookie|api[-_]?key|^key$|credential/i;

export type LogFields = Record<string, unknown>;

function redact(value: unknown, depth = 0): unknown {
  if (depth > 4 || value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map((v) => redact(v, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    // A token count (`inputTokens`) or a flag is not a secret; anything else under such a key may be.
    const harmless = (typeof v === 'number' && /tokens$/i.test(k)) || typeof v === 'boolean';
    out[k] = SECRET_KEY.test(k) && !harmless ? '[redacted]' : redact(v, depth + 1);
  }
  return out;
}

function write(level: 'info' | 'warn' | 'error', msg: string, fields?: LogFields): void {
  const line = JSON.stringify({
    level,
    msg,
    ts: new Date().toISOString(),
    ...(redact(fields ?? {}) as LogFields),
  });
  if (level === 'error') console.error(line);
  else if (level === 'warn') console.warn(line);
  else console.log(line);
}

export const log = {
  info: (msg: string, fields?: LogFields) => write('info', msg, fields),
  warn: (msg: string, fields?: LogFields) => write('warn', msg, fields),
  error: (msg: string, fields?: LogFields) => write('error', msg, fields),
};

/**
 * A short, safe description of an unknown error for logs: no stack, no request data. A failed database
 * query is described by its SQL text and the database's own message, never its parameters (they hold
 * emails, hashes and ciphertexts).
 */
export function describeError(err: unknown): LogFields {
  if (!(err instanceof Error)) return { error: typeof err };
  const query = (err as { query?: unknown }).query;
  if (typeof query === 'string' && 'params' in err) {
    // Neon's driver reports a failed WebSocket as an ErrorEvent, not an Error: its message is the news.
    const cause =
      typeof err.cause === 'object' && err.cause
        ? (err.cause as { message?: unknown; code?: unknown })
        : undefined;
    const code = cause?.code;
    return {
      error: 'DatabaseError',
      detail: (typeof cause?.message === 'string' && cause.message ? cause.message : 'query failed').slice(
        0,
        300,
      ),
      ...(typeof code === 'string' ? { sqlState: code } : {}),
      query: query.replace(/\s+/g, ' ').slice(0, 200),
    };
  }
  return { error: err.name, detail: err.message.split('\n')[0]!.slice(0, 300) };
}
