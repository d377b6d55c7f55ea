/**
 * Maps the errors of the Stainless-generated SDKs (openai, @anthropic-ai/sdk, groq-sdk share their
 * shape) to {@link LlmError}. The SDK's message is replaced by one built from the status and the
 * provider's error type: SDK messages can quote request data.
 */
import { LlmError } from '../errors.ts';

/** The classes one SDK exports for its errors. */
export interface SdkErrorClasses {
  APIError: abstract new (...args: never[]) => Error & {
    status: number | undefined;
    headers: Headers | undefined;
    error: unknown;
  };
  APIUserAbortError: abstract new (...args: never[]) => Error;
  APIConnectionError: abstract new (...args: never[]) => Error;
  APIConnectionTimeoutError: abstract new (...args: never[]) => Error;
}

/** `retry-after-ms`, else `retry-after` as seconds or an HTTP date, in milliseconds. */
export function retryAfterMs(headers: Headers | undefined, now = Date.now()): number | null {
  const ms = headers?.get('retry-after-ms');
  if (ms && Number.isFinite(Number(ms))) return Math.max(0, Number(ms));
  const after = headers?.get('retry-after');
  if (!after) return null;
  if (/^\d+(\.\d+)?$/.test(after.trim())) return Math.max(0, Number(after) * 1000);
  const at = Date.parse(after);
  return Number.isNaN(at) ? null : Math.max(0, at - now);
}

/** The provider's own error type (`rate_limit_error`, `server_error`...), for the message. */
function providerType(body: unknown): string | null {
  const error = (body as { error?: { type?: unknown; code?: unknown } } | undefined)?.error ?? body;
  const e = error as { type?: unknown; code?: unknown } | undefined;
  const type = typeof e?.type === 'string' ? e.type : typeof e?.code === 'string' ? e.code : null;
  return type && /^[a-z_]{1,60}$/.test(type) ? type : null;
}

/**
 * The model's reply when the provider refused it as invalid JSON in JSON mode (Groq's 400
 * `json_validate_failed`, which carries it as `failed_generation`); null for any other error.
 */
function failedGeneration(body: unknown): string | null {
  const error = (body as { error?: unknown } | undefined)?.error ?? body;
  const e = error as { code?: unknown; failed_generation?: unknown } | undefined;
  if (e?.code !== 'json_validate_failed') return null;
  return typeof e.failed_generation === 'string' ? e.failed_generation : '';
}

/** Turns anything a provider call threw into an {@link LlmError}. */
export function toLlmError(
  err: unknown,
  provider: string,
  classes: SdkErrorClasses,
  signal: AbortSignal,
): LlmError {
  if (err instanceof LlmError) return err;
  if (signal.aborted || err instanceof classes.APIUserAbortError) {
    return new LlmError('cancelled', provider, 'the call was cancelled');
  }
  if (err instanceof classes.APIConnectionTimeoutError) {
    return new LlmError('timeout', provider, `${provider} did not answer in time`);
  }
  if (err instanceof classes.APIConnectionError) {
    return new LlmError('network', provider, `${provider} could not be reached`);
  }
  if (err instanceof classes.APIError && typeof err.status === 'number') {
    const status = err.status;
    const type = providerType(err.error);
    const detail = `${provider} answered ${status}${type ? ` (${type})` : ''}`;
    if (status === 429) {
      return new LlmError('rate_limited', provider, detail, {
        status,
        retryAfterMs: retryAfterMs(err.headers),
      });
    }
    if (status === 401 || status === 403)
      return new LlmError('auth', provider, `${detail}: the API key was refused`, { status });
    if (status >= 500 || status === 408 || status === 409) {
      return new LlmError('provider_error', provider, detail, {
        status,
        retryAfterMs: retryAfterMs(err.headers),
      });
    }
    const rejected = status === 400 ? failedGeneration(err.error) : null;
    if (rejected !== null) {
      // The model answered, but not with valid JSON: an output to re-ask about, not a wrong request.
      const invalid = new LlmError('invalid_output', provider, `${detail}: the reply was not valid JSON`, {
        status,
      });
      invalid.rejectedOutput = rejected;
      return invalid;
    }
    return new LlmError('bad_request', provider, detail, { status });
  }
  // A body that is not JSON, a stream cut mid-way, a connection reset while reading: transient.
  const name = err instanceof Error ? err.name : typeof err;
  return new LlmError(
    'provider_error',
    provider,
    `${provider} sent an incomplete or malformed response (${name})`,
  );
}
