import { fromBase64, fromUtf8, toBase64Url, utf8 } from '../crypto/bytes.ts';

/**
 * A position in the activity-ordered project list: the last item's activity time (as Postgres prints
 * it, to the microsecond: a JS Date would round it and skip or repeat rows) and its id.
 */
export interface ProjectCursor {
  activity: string;
  id: string;
}

const ACTIVITY = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** Opaque to clients: base64url of a small JSON object. */
export function encodeCursor(cursor: ProjectCursor): string {
  return toBase64Url(utf8(JSON.stringify({ a: cursor.activity, i: cursor.id })));
}

/** The cursor, or null when it was not made by {@link encodeCursor}. */
export function decodeCursor(text: string): ProjectCursor | null {
  try {
    const value = JSON.parse(fromUtf8(fromBase64(text))) as { a?: unknown; i?: unknown };
    if (
      typeof value.a === 'string' &&
      ACTIVITY.test(value.a) &&
      typeof value.i === 'string' &&
      UUID.test(value.i)
    ) {
      return { activity: value.a, id: value.i };
    }
  } catch {
    // Not base64 or not JSON: not one of ours.
  }
  return null;
}
