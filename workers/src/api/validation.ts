import type { ZodError } from 'zod';
import { ApiError, type FieldIssue } from './errors.ts';

/** Zod issues as `{ path, message }` pairs; unknown keys are listed one by one under their own names. */
export function fieldIssues(error: ZodError): FieldIssue[] {
  const fields: FieldIssue[] = [];
  for (const issue of error.issues) {
    const base = issue.path.map(String).join('.');
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys)
        fields.push({ path: base ? `${base}.${key}` : key, message: 'Unknown field.' });
    } else {
      fields.push({ path: base, message: issue.message });
    }
  }
  return fields;
}

/**
 * What every route does with input that fails its schema: a 422 `validation_failed` listing each
 * field's problem. A malformed path parameter (not a UUID) can never name an existing resource, so it
 * is a plain 404 like any other unknown id.
 */
export function validationHook(
  result: { target: string } & ({ success: true } | { success: false; error: ZodError }),
): undefined {
  if (result.success) return undefined;
  if (result.target === 'param') throw new ApiError(404, 'not_found', 'Not found.');
  throw new ApiError(422, 'validation_failed', 'Some fields are not valid.', {
    fields: fieldIssues(result.error),
  });
}
