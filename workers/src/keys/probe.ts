import Anthropic from '@anthropic-ai/sdk';
import type { LlmProvider } from '@samokoder/db';
import Groq from 'groq-sdk';
import OpenAI from 'openai';

/** What testing a key found. */
export type ProbeResult =
  | { result: 'ok'; modelCount: number; models: string[] }
  | { result: 'invalid_key' | 'provider_error'; status: number }
  | { result: 'unreachable' };

export interface ProbeTarget {
  provider: LlmProvider;
  apiKey: string;
  baseUrl: string;
}

const PROBE_TIMEOUT_MS = 10_000;

/** How many model names a key keeps (a gateway may list thousands; the model field needs the names). */
export const MAX_LISTED_MODELS = 200;
/** Longer names are not models anyone types. */
const MAX_MODEL_NAME = 200;

// workerd's fetch must be called unbound from the global, not as a method of an SDK object.
const fetchFn: typeof fetch = (input, init) => fetch(input, init);

async function listModels(target: ProbeTarget): Promise<{ id: string }[]> {
  const common = {
    apiKey: target.apiKey,
    baseURL: target.baseUrl,
    fetch: fetchFn,
    maxRetries: 0,
    timeout: PROBE_TIMEOUT_MS,
  };
  switch (target.provider) {
    case 'openai':
    case 'openai-compatible':
      return (await new OpenAI(common).models.list()).data;
    case 'anthropic':
      return (await new Anthropic(common).models.list({ limit: 100 })).data;
    case 'groq':
      return (await new Groq(common).models.list()).data;
  }
}

/** The names kept of what a provider listed: distinct, sane, sorted, at most {@link MAX_LISTED_MODELS}. */
export function keptModels(ids: readonly unknown[]): string[] {
  const names = new Set<string>();
  for (const id of ids) {
    if (typeof id !== 'string') continue;
    const name = id.trim();
    // Printable, no spaces: what a model field accepts after `provider:`.
    if (name && name.length <= MAX_MODEL_NAME && /^[\x21-\x7e]+$/.test(name)) names.add(name);
  }
  return [...names].sort().slice(0, MAX_LISTED_MODELS);
}

function statusOf(err: unknown): number | undefined {
  const status = err instanceof Error ? (err as { status?: unknown }).status : undefined;
  return typeof status === 'number' ? status : undefined;
}

/**
 * Test a key by listing the provider's models through its official SDK: the cheapest authenticated
 * call every provider has. Never throws: the outcome is data for the user. The provider's own error
 * message is not passed on (OpenAI's repeats part of the key).
 */
export async function probeKey(target: ProbeTarget): Promise<ProbeResult> {
  try {
    const listed = await listModels(target);
    return { result: 'ok', modelCount: listed.length, models: keptModels(listed.map((m) => m.id)) };
  } catch (err) {
    const status = statusOf(err);
    if (status === undefined) return { result: 'unreachable' };
    if (status === 401 || status === 403) return { result: 'invalid_key', status };
    return { result: 'provider_error', status };
  }
}
