/**
 * Identities as the platform keeps them. An id that comes from outside (a path, a query, a body) is
 * parsed once, at the edge, into its canonical form, and everything keyed by it (rows, Durable Object
 * names, runner tokens, links) is derived from that form only.
 *
 * Why: Postgres compares uuids whatever their case, but a Durable Object name, a Redis key or a runner
 * token subject is compared byte by byte. Two spellings of one id must never name two things (a project
 * deleted by `DELETE /api/projects/<ID IN UPPER CASE>` once left its real Durable Object running).
 *
 * The canonical form is the uuid's 8-4-4-4-12 hex text in lower case. Any case is accepted on the way in
 * (RFC 9562 makes uuids case-insensitive); other spellings Postgres would also take (braces, no hyphens,
 * `urn:uuid:`, spaces) are refused, so they answer 404 like any unknown id.
 */

declare const canonical: unique symbol;

/** A string that is the canonical form of an id of kind `K` (only the parsers below make one). */
export type CanonicalId<K extends string> = string & { readonly [canonical]: K };

/** A project's id: its row, its Durable Object's name, the subject of its runner tokens. */
export type ProjectId = CanonicalId<'project'>;
/** A stored LLM key's id. */
export type KeyId = CanonicalId<'key'>;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The canonical form of a uuid written in any case; null for anything else. */
export function canonicalUuid(text: string): string | null {
  return UUID.test(text) ? text.toLowerCase() : null;
}

/** A project id from outside, canonical; null when it is not one. */
export function parseProjectId(text: string): ProjectId | null {
  return canonicalUuid(text) as ProjectId | null;
}

/** A key id from outside, canonical; null when it is not one. */
export function parseKeyId(text: string): KeyId | null {
  return canonicalUuid(text) as KeyId | null;
}

/** A project id that must be one (ids read back from our own storage); throws otherwise. */
export function projectIdOf(text: string): ProjectId {
  const id = parseProjectId(text);
  if (!id) throw new Error(`not a project id: ${JSON.stringify(text.slice(0, 80))}`);
  return id;
}
