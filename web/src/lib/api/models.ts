import type { InferResponseType } from 'hono/client';
import { api } from './client.ts';
import { errorFromResponse } from './errors.ts';

/** What the model fields offer: the platform's defaults and what each saved key's provider lists. */
export type ModelChoices = InferResponseType<(typeof api.models)['$get'], 200>;
export type ModelChoice = ModelChoices['items'][number];
export type ProviderInfo = ModelChoices['providers'][number];
export type PriceRule = ModelChoices['prices'][number];

export async function fetchModelChoices(signal?: AbortSignal): Promise<ModelChoices> {
  const response = await api.models.$get(undefined, { init: { signal, cache: 'no-store' } });
  if (response.status !== 200) throw await errorFromResponse(response);
  return response.json();
}
