/** A field the API refused, with why (`path` is the field's dotted name, e.g. `password`). */
export interface FieldIssue {
  path: string;
  message: string;
}

/** The API's error envelope (`{ error: { code, message, requestId?, fields? } }`), as the UI sees it. */
export interface ApiErrorBody {
  code: string;
  message: string;
  requestId?: string;
  fields?: FieldIssue[];
}

/** A request that did not produce the expected answer; `message` is safe to show to the user. */
export class ApiRequestError extends Error {
  readonly status: number;
  readonly code: string;
  readonly requestId: string | undefined;
  readonly fields: FieldIssue[];
  /** How long the server asked to wait before trying again (`Retry-After`, seconds), if it said. */
  readonly retryAfterSeconds: number | null;

  constructor(
    status: number,
    body: ApiErrorBody,
    options?: { cause?: unknown; retryAfterSeconds?: number | null },
  ) {
    super(body.message, options);
    this.name = 'ApiRequestError';
    this.status = status;
    this.code = body.code;
    this.requestId = body.requestId;
    this.fields = body.fields ?? [];
    this.retryAfterSeconds = options?.retryAfterSeconds ?? null;
  }

  /** The messages about one field (`password`), for showing beside it. */
  fieldMessages(path: string): string[] {
    return this.fields.filter((f) => f.path === path).map((f) => f.message);
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}

function fieldsOf(value: unknown): FieldIssue[] | undefined {
  if (!Array.isArray(value)) return undefined;
  return value.flatMap((f: unknown) =>
    isRecord(f) && typeof f.path === 'string' && typeof f.message === 'string'
      ? [{ path: f.path, message: f.message }]
      : [],
  );
}

/** `Retry-After` in whole seconds (it may also be an HTTP date); null when absent or unreadable. */
function retryAfterOf(response: Response): number | null {
  const value = response.headers.get('Retry-After')?.trim();
  if (!value) return null;
  const seconds = /^\d+$/.test(value) ? Number(value) : (Date.parse(value) - Date.now()) / 1000;
  return Number.isFinite(seconds) ? Math.max(1, Math.ceil(seconds)) : null;
}

/** Turn a failed response into an `ApiRequestError`, with the API's own message when it sent one. */
export async function errorFromResponse(response: Response): Promise<ApiRequestError> {
  const body: unknown = await response.json().catch(() => null);
  const error = isRecord(body) && isRecord(body.error) ? body.error : null;
  const retryAfterSeconds = retryAfterOf(response);
  if (error && typeof error.code === 'string' && typeof error.message === 'string') {
    const requestId = typeof error.requestId === 'string' ? error.requestId : undefined;
    return new ApiRequestError(
      response.status,
      { code: error.code, message: error.message, requestId, fields: fieldsOf(error.fields) },
      { retryAfterSeconds },
    );
  }
  return new ApiRequestError(
    response.status,
    {
      code: 'unexpected_response',
      message: `The server answered ${response.status} ${response.statusText}`.trim() + '.',
    },
    { retryAfterSeconds },
  );
}

/**
 * What to tell a person about a refusal that passes with time (a service down for a moment, a rate
 * limit): the server's message, saying when to try again (from `Retry-After`) unless it already does.
 */
function withRetryHint(error: ApiRequestError): string {
  if (/\btry again in\b/i.test(error.message)) return error.message;
  const base = error.message.replace(/\s*Try again\b[^.]*\.?\s*$/i, '').trim();
  const lead =
    base || (error.status === 503 ? 'The service is not available right now.' : 'Too many requests.');
  const when = error.retryAfterSeconds === null ? 'in a moment' : `in ${error.retryAfterSeconds} s`;
  return `${lead} Try again ${when}.`;
}

/** A message for any thrown value, for display. */
export function describeFailure(error: unknown): string {
  if (error instanceof ApiRequestError) {
    const passes = error.code === 'dependency_unavailable' || error.status === 503 || error.status === 429;
    return passes ? withRetryHint(error) : error.message;
  }
  if (error instanceof DOMException && error.name === 'TimeoutError')
    return 'The server did not answer in time.';
  if (error instanceof TypeError) return 'The server could not be reached. Check your connection.';
  return error instanceof Error ? error.message : 'Something went wrong.';
}
