/** Small assertions for the suite's checks: each failure says what was expected and what the app did. */
import type { HttpAnswer } from '../suite/types.ts';

/** A check that failed: its message is what the report shows. */
export class CheckError extends Error {}

export function fail(message: string): never {
  throw new CheckError(message);
}

export function ensure(condition: unknown, message: string): asserts condition {
  if (!condition) fail(message);
}

function excerpt(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > 160 ? `${flat.slice(0, 160)}…` : flat || '(empty body)';
}

/** The answer had `status` (one of them), else a failure naming the request, the status and the body. */
export function expectStatus(what: string, answer: HttpAnswer, ...statuses: number[]): void {
  ensure(
    statuses.includes(answer.status),
    `${what} answered ${answer.status}, expected ${statuses.join(' or ')}: ${excerpt(answer.text)}`,
  );
}

/** The JSON body as an object, or a failure. */
export function objectBody(what: string, answer: HttpAnswer): Record<string, unknown> {
  const body = answer.json();
  ensure(
    typeof body === 'object' && body !== null && !Array.isArray(body),
    `${what} did not answer a JSON object: ${excerpt(answer.text)}`,
  );
  return body as Record<string, unknown>;
}

/** The JSON body as an array, or a failure. */
export function arrayBody(what: string, answer: HttpAnswer): unknown[] {
  const body = answer.json();
  ensure(Array.isArray(body), `${what} did not answer a JSON array: ${excerpt(answer.text)}`);
  return body;
}

/** The first item of `items` (objects) whose `key` equals `value`. */
export function findBy(items: unknown[], key: string, value: unknown): Record<string, unknown> | undefined {
  return items.find(
    (item): item is Record<string, unknown> =>
      typeof item === 'object' && item !== null && (item as Record<string, unknown>)[key] === value,
  );
}

/** A unique text for a check to create and then look for. */
export function uniqueText(prefix: string): string {
  return `${prefix} ${Math.random().toString(36).slice(2, 7)}`;
}

export { excerpt };
