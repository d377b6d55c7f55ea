import type { InferRequestType, InferResponseType } from 'hono/client';
import { api } from './client.ts';
import { errorFromResponse } from './errors.ts';

/** A stored LLM key as the API lists it: never the key itself, its last 4 characters. */
export type LlmKey = InferResponseType<(typeof api.keys)['$get'], 200>['items'][number];
export type Provider = LlmKey['provider'];
export type NewKey = InferRequestType<(typeof api.keys)['$post']>['json'];
export type KeyTestResult = InferResponseType<(typeof api.keys)[':id']['test']['$post'], 200>;

export const PROVIDERS: readonly { value: Provider; label: string; hint: string }[] = [
  { value: 'openai', label: 'OpenAI', hint: 'Starts with sk-' },
  { value: 'anthropic', label: 'Anthropic', hint: 'Starts with sk-ant-' },
  { value: 'groq', label: 'Groq', hint: 'Starts with gsk_' },
  {
    value: 'openai-compatible',
    label: 'OpenAI-compatible',
    hint: 'Ollama, vLLM, LM Studio or any server with the OpenAI API. Its models are named openai-compatible:<model>.',
  },
];

export function providerLabel(provider: string): string {
  return PROVIDERS.find((p) => p.value === provider)?.label ?? provider;
}

export async function listKeys(signal?: AbortSignal): Promise<LlmKey[]> {
  const response = await api.keys.$get(undefined, { init: { signal, cache: 'no-store' } });
  if (response.status !== 200) throw await errorFromResponse(response);
  return (await response.json()).items;
}

export async function addKey(key: NewKey): Promise<LlmKey> {
  const response = await api.keys.$post({ json: key });
  if (response.status !== 201) throw await errorFromResponse(response);
  return response.json();
}

export async function deleteKey(id: string): Promise<void> {
  const response = await api.keys[':id'].$delete({ param: { id } });
  if (response.status !== 204) throw await errorFromResponse(response);
}

export async function testKey(id: string): Promise<KeyTestResult> {
  const response = await api.keys[':id'].test.$post({ param: { id } });
  if (response.status !== 200) throw await errorFromResponse(response);
  return response.json();
}
