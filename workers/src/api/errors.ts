import type { ContentfulStatusCode } from 'hono/utils/http-status';

/** Stable, machine-readable error codes of the API. */
export type ErrorCode =
  | 'bad_request'
  | 'validation_failed'
  | 'unauthorized'
  | 'forbidden'
  | 'not_found'
  | 'conflict'
  | 'payload_too_large'
  | 'unsupported_media_type'
  | 'rate_limited'
  | 'account_locked'
  | 'dependency_unavailable'
  | 'internal';

export interface FieldIssue {
  path: string;
  message: string;
}

/** The one error envelope every failing response carries. */
export interface ErrorBody {
  error: { code: ErrorCode; message: string; requestId?: string; fields?: FieldIssue[] };
}

/** An error meant for the client: its status, code and message are safe to show. */
export class ApiError extends Error {
  readonly status: ContentfulStatusCode;
  readonly code: ErrorCode;
  readonly fields: FieldIssue[] | undefined;
  /** Headers the error response carries (`Retry-After` and the rate-limit headers). */
  readonly headers: Record<string, string> | undefined;

  constructor(
    status: ContentfulStatusCode,
    code: ErrorCode,
    message: string,
    opts?: { fields?: FieldIssue[]; headers?: Record<string, string>; cause?: unknown },
  ) {
    super(message, { cause: opts?.cause });
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
    this.fields = opts?.fields;
    this.headers = opts?.headers;
  }
}

/** The envelope of an error, with the request id when there is one. */
export function errorBody(err: ApiError, requestId?: string): ErrorBody {
  return {
    error: {
      code: err.code,
      message: err.message,
      ...(requestId ? { requestId } : {}),
      ...(err.fields ? { fields: err.fields } : {}),
    },
  };
}
