import type { ZodError } from 'zod';
import { textIssues } from '../text-rule.ts';
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
 * What every route does with its input (each validated part: path, query, JSON body). Input that fails
 * its schema, or holds text Postgres cannot store (text-rule.ts: checked here once for every route, on
 * the validated value, or on the raw one when the schema already failed), is a 422
 * `validation_failed` listing each field's problem. A malformed path
 * parameter (not an id) can never name an existing resource, so it is a plain 404 like any unknown id.
 */
export function validationHook(
  result: { target: string; data?: unknown } & ({ success: true } | { success: false; error: ZodError }),
): undefined {
  const text = textIssues(result.data);
  if (result.success && text.length === 0) return undefined;
  if (result.target === 'param') throw new ApiError(404, 'not_found', 'Not found.');
  const schema = result.success ? [] : fieldIssues(result.error);
  const named = new Set(schema.map((f) => f.path));
  throw new ApiError(422, 'validation_failed', 'Some fields are not valid.', {
    // A field that is both mistyped and bad text is reported once, for its schema problem.
    fields: [...schema, ...text.filter((f) => !named.has(f.path))],
  });
}
