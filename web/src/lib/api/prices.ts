import type { InferRequestType, InferResponseType } from 'hono/client';
import { api } from './client.ts';
import { errorFromResponse } from './errors.ts';

/** The user's own prices, and the models called without a known price. */
export type PriceList = InferResponseType<(typeof api.settings.prices)['$get'], 200>;
export type OwnPrice = PriceList['items'][number];
export type NewPrice = InferRequestType<(typeof api.settings.prices)['$put']>['json'];
export type PriceSet = InferResponseType<(typeof api.settings.prices)['$put'], 200>;

export async function listPrices(signal?: AbortSignal): Promise<PriceList> {
  const response = await api.settings.prices.$get(undefined, { init: { signal, cache: 'no-store' } });
  if (response.status !== 200) throw await errorFromResponse(response);
  return response.json();
}

export async function setPrice(price: NewPrice): Promise<PriceSet> {
  const response = await api.settings.prices.$put({ json: price });
  if (response.status !== 200) throw await errorFromResponse(response);
  return response.json();
}

export async function removePrice(model: string): Promise<void> {
  const response = await api.settings.prices.$delete({ query: { model } });
  if (response.status !== 204) throw await errorFromResponse(response);
}
