/** Structured JSON logs. Keys that may hold a secret are redacted before anything is written. */

const SECRET_KEY = /pass(word)?|secret|token|authorization|cookie|api[-_]?key|^key$|credential/i;

export type LogFields = Record<string, unknown>;

function redact(value: unknown, depth = 0): unknown {
  if (depth > 4 || value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map((v) => redact(v, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    out[k] = SECRET_KEY.test(k) ? '[redacted]' : redact(v, depth + 1);
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

/** A short, safe description of an unknown error for logs (no stack, no request data). */
export function describeError(err: unknown): LogFields {
  if (err instanceof Error) return { error: err.name, detail: err.message.slice(0, 300) };
  return { error: typeof err };
}
