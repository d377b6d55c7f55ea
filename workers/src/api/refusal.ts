/**
 * The one mapping from the project object's refusals (`core/refusal.ts`) to the API's errors: every
 * route that asks the object for something answers its refusal the same way.
 */
import type { Outcome, Refusal } from '../core/refusal.ts';
import { ApiError } from './errors.ts';

/** How long a client should wait before trying again what the object could not do for now. */
const RETRY_AFTER_SECONDS = '5';

/** The API error of a refusal. */
export function refusalError(refused: Refusal): ApiError {
  switch (refused.code) {
    case 'not_found':
      return new ApiError(404, 'not_found', refused.message);
    case 'conflict':
      return new ApiError(409, 'conflict', refused.message);
    case 'unavailable':
      return new ApiError(503, 'dependency_unavailable', refused.message, {
        headers: { 'Retry-After': RETRY_AFTER_SECONDS },
      });
    case 'bad_request':
      return refused.field === undefined
        ? new ApiError(400, 'bad_request', refused.message)
        : new ApiError(422, 'validation_failed', 'Some fields are not valid.', {
            fields: [{ path: refused.field, message: refused.message }],
          });
  }
}

/** The value of an outcome, or its refusal thrown as the API error. */
export function valueOf<T>(outcome: Outcome<T>): T {
  if (outcome.ok) return outcome.value;
  throw refusalError(outcome);
}
