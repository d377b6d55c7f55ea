/**
 * The bridge's one error type. It carries the HTTP status and the message that goes into Upstash's
 * error body `{"error": message}`; the HTTP layer maps it to a response in exactly one place.
 */
export class BridgeError extends Error {
  override name = 'BridgeError';
  readonly status: number;

  constructor(status: number, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.status = status;
  }
}

/** The request is malformed (bad JSON, not a command, unsupported command). */
export const badRequest = (message: string): BridgeError => new BridgeError(400, `ERR ${message}`);

/** redis-server could not be reached or the connection broke. */
export const redisUnavailable = (cause: unknown): BridgeError =>
  new BridgeError(503, `ERR redis unavailable: ${describe(cause)}`, { cause });

/** redis-server did not answer in time. */
export const redisTimeout = (ms: number): BridgeError =>
  new BridgeError(504, `ERR redis did not answer within ${ms} ms`);

function describe(cause: unknown): string {
  return cause instanceof Error ? cause.message : String(cause);
}
