/** The runner's one error type: a code from the contract, its HTTP status, and an optional cause. */
import { ERROR_STATUS } from './contract.ts';
import type { ErrorCode } from './contract.ts';

/** Thrown anywhere in the runner; mapped to the error envelope in the app's one error handler. */
export class RunnerError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'RunnerError';
    this.code = code;
    this.status = ERROR_STATUS[code];
  }
}

/** Parses `value` with a zod schema, turning a failure into `invalid_request` with a readable message. */
export function parseOr400<T>(
  schema: {
    safeParse(
      v: unknown,
    ):
      | { success: true; data: T }
      | { success: false; error: { issues: { path: PropertyKey[]; message: string }[] } };
  },
  value: unknown,
  what = 'request',
): T {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const detail = result.error.issues
    .slice(0, 5)
    .map((i) => (i.path.length ? `${i.path.map(String).join('.')}: ${i.message}` : i.message))
    .join('; ');
  const pathIssue = result.error.issues.some(
    (i) => i.path.map(String).includes('path') || i.path.includes('cwd'),
  );
  throw new RunnerError(pathIssue ? 'invalid_path' : 'invalid_request', `invalid ${what}: ${detail}`);
}
