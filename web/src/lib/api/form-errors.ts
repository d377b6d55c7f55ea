/**
 * What a form shows when its request fails, from the API's one error envelope
 * (`{ error: { code, message, fields? } }`): each field issue beside the field it names, the rest as one
 * message for the form. A 503 or 429 says when to try again (`Retry-After`), a network failure says so.
 */
import { ApiRequestError, describeFailure } from './errors.ts';

export interface FormErrorMessages {
  /** Messages by field name (the API's field path, e.g. `budgetMicros`). */
  fields: Record<string, string>;
  /** The message for the whole form ('' when every problem sits at its field). */
  form: string;
}

/**
 * Maps a failed request of a form with the fields `fields` (the API's names for them) to what it shows.
 * An issue about a field the form does not have goes to the form's message, after the API's own.
 */
export function formErrors(error: unknown, fields: readonly string[]): FormErrorMessages {
  if (!(error instanceof ApiRequestError) || error.fields.length === 0) {
    return { fields: {}, form: describeFailure(error) };
  }
  const placed: Record<string, string> = {};
  const elsewhere: string[] = [];
  for (const issue of error.fields) {
    // `items.0.name` belongs to the field `items`; a field's first problem is the one shown.
    const field = fields.find((name) => issue.path === name || issue.path.startsWith(`${name}.`));
    if (field === undefined) elsewhere.push(issue.message);
    else placed[field] ??= issue.message;
  }
  return { fields: placed, form: elsewhere.length > 0 ? [error.message, ...elsewhere].join(' ') : '' };
}
