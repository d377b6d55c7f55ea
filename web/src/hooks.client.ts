import type { HandleClientError } from '@sveltejs/kit';
import { describeFailure } from '$lib/api/errors.ts';

/** A failed load (the API unreachable, a 5xx) shows its reason on the error page, not "Internal Error". */
export const handleError: HandleClientError = ({ error }) => ({ message: describeFailure(error) });
