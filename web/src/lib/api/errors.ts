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

  constructor(status: number, body: ApiErrorBody, options?: { cause?: unknown }) {
    super(body.message, options);
    this.name = 'ApiRequestError';
    this.status = status;
    this.code = body.code;
    this.requestId = body.requestId;
    this.fields = body.fields ?? [];
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

/** Turn a failed response into an `ApiRequestError`, with the API's own message when it sent one. */
export async function errorFromResponse(response: Response): Promise<ApiRequestError> {
  const body: unknown = await response.json().catch(() => null);
  const error = isRecord(body) && isRecord(body.error) ? body.error : null;
  if (error && typeof error.code === 'string' && typeof error.message === 'string') {
    const requestId = typeof error.requestId === 'string' ? error.requestId : undefined;
    return new ApiRequestError(response.status, {
      code: error.code,
      message: error.message,
      requestId,
      fields: fieldsOf(error.fields),
    });
  }
  return new ApiRequestError(response.status, {
    code: 'unexpected_response',
    message: `The server answered ${response.status} ${response.statusText}`.trim() + '.',
  });
}

/** A message for any thrown value, for display. */
export function describeFailure(error: unknown): string {
  if (error instanceof ApiRequestError) return error.message;
  if (error instanceof DOMException && error.name === 'TimeoutError')
    return 'The server did not answer in time.';
  if (error instanceof TypeError) return 'The server could not be reached. Check your connection.';
  return error instanceof Error ? error.message : 'Something went wrong.';
}
