/**
 * The LLM layer's one error type. Messages are built by this layer from the provider's status and
 * error type, never from request data, and pass through {@link redactSecrets}: no key ever leaves in an
 * error.
 */
import type { LlmCompletion } from '../core/ports.ts';
import { redactSecrets } from './redact.ts';

export type LlmErrorCode =
  /** 429 from the provider (after the retries it was allowed). */
  | 'rate_limited'
  /** 5xx, a malformed body, a stream cut mid-way (after retries). */
  | 'provider_error'
  /** 401/403: the key was refused. */
  | 'auth'
  /** 4xx other than the above: the request itself is wrong (a model name, a too long prompt). */
  | 'bad_request'
  /** The provider could not be reached (after retries). */
  | 'network'
  | 'timeout'
  /** The call was aborted by its signal (stop, skip, rollback). */
  | 'cancelled'
  /** A structured output did not validate, even after the one re-ask. */
  | 'invalid_output'
  /** A structured output was cut off at the model's output limit, even after a re-ask for a shorter one. */
  | 'truncated'
  /** The layer is misconfigured (an unknown provider, a base URL override in production). */
  | 'config';

const RETRYABLE: ReadonlySet<LlmErrorCode> = new Set([
  'rate_limited',
  'provider_error',
  'network',
  'timeout',
]);

export class LlmError extends Error {
  readonly code: LlmErrorCode;
  readonly provider: string;
  readonly status: number | null;
  /** The provider's `retry-after` (or `retry-after-ms`), in milliseconds, when it sent one. */
  readonly retryAfterMs: number | null;
  /** What the call had spent before it failed (billed rounds), to be recorded; see `spentOf`. */
  spent?: LlmCompletion;
  /** For `invalid_output` refused by the provider itself: the model's reply, to quote in the re-ask. */
  rejectedOutput?: string;

  constructor(
    code: LlmErrorCode,
    provider: string,
    message: string,
    opts: { status?: number | null; retryAfterMs?: number | null; cause?: unknown } = {},
  ) {
    // The cause is kept off the error: SDK errors carry request headers, which carry the key.
    super(redactSecrets(message));
    this.name = 'LlmError';
    this.code = code;
    this.provider = provider;
    this.status = opts.status ?? null;
    this.retryAfterMs = opts.retryAfterMs ?? null;
  }

  /** Whether trying again may succeed. */
  get retryable(): boolean {
    return RETRYABLE.has(this.code);
  }
}
