/** The LLM fixture from inside workerd: its URL (from global-setup), scripts and records per key. */
import { env } from 'cloudflare:workers';
import { validFixtureKey, type FixtureProvider } from '../../../infra/llm-fixture/keys.ts';
import type { ScriptedReply } from '../../../infra/llm-fixture/script.ts';

export type { ScriptedReply };

/** The fixture's root URL. */
export function fixtureUrl(): string {
  const url = env.LLM_BASE_URL_OVERRIDE;
  if (!url) throw new Error('LLM_BASE_URL_OVERRIDE is not set: the workers global setup starts the fixture');
  return url;
}

/** A key of its own for one test: its script and its requests are apart from every other test's. */
export function uniqueKey(provider: FixtureProvider): string {
  return validFixtureKey(provider, crypto.randomUUID().replace(/-/g, '').slice(0, 12));
}

/** Appends replies to the key's script. */
export async function script(key: string, replies: ScriptedReply[]): Promise<void> {
  const res = await fetch(`${fixtureUrl()}/__fixture/script`, {
    method: 'POST',
    body: JSON.stringify({ key, replies }),
  });
  if (!res.ok) throw new Error(`the fixture refused the script: ${await res.text()}`);
}

/** A request as the fixture recorded it. */
export interface Recorded {
  provider: string;
  path: string;
  body: string;
  status: number;
  note?: string;
  headers: Record<string, string>;
}

/** What the fixture received with `key`, oldest first. */
export async function requestsOf(key: string): Promise<Recorded[]> {
  const res = await fetch(`${fixtureUrl()}/__fixture/requests?key=${encodeURIComponent(key)}`);
  return ((await res.json()) as { requests: Recorded[] }).requests;
}

/** The JSON body of a recorded request. */
export function bodyOf(r: Recorded): Record<string, unknown> {
  return JSON.parse(r.body) as Record<string, unknown>;
}
