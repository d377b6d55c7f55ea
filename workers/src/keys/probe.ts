import Anthropic from '@anthropic-ai/sdk';
import type { LlmProvider } from '@samokoder/db';
import Groq from 'groq-sdk';
import OpenAI from 'openai';

/** What testing a key found. */
export type ProbeResult =
  | { result: 'ok'; modelCount: number }
  | { result: 'invalid_key' | 'provider_error'; status: number }
  | { result: 'unreachable' };

export interface ProbeTarget {
  provider: LlmProvider;
  apiKey: string;
  baseUrl: string;
}

const PROBE_TIMEOUT_MS = 10_000;

// workerd's fetch must be called unbound from the global, not as a method of an SDK object.
const fetchFn: typeof fetch = (input, init) => fetch(input, init);

async function countModels(target: ProbeTarget): Promise<number> {
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
      return (await new OpenAI(common).models.list()).data.length;
    case 'anthropic':
      return (await new Anthropic(common).models.list({ limit: 100 })).data.length;
    case 'groq':
      return (await new Groq(common).models.list()).data.length;
  }
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
    return { result: 'ok', modelCount: await countModels(target) };
  } catch (err) {
    const status = statusOf(err);
    if (status === undefined) return { result: 'unreachable' };
    if (status === 401 || status === 403) return { result: 'invalid_key', status };
    return { result: 'provider_error', status };
  }
}
