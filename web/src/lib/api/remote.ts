import type { InferRequestType, InferResponseType } from 'hono/client';
import { api } from './client.ts';
import { errorFromResponse } from './errors.ts';

const remote = api.projects[':id'].remote;

/** A project's remote repository as the API shows it: never the token, only that one is set. */
export type Remote = NonNullable<InferResponseType<(typeof remote)['$get'], 200>['remote']>;
export type RemoteChange = InferRequestType<(typeof remote)['$put']>['json'];
export type RemoteCheckResult = InferResponseType<(typeof remote)['check']['$post'], 200>;

export async function getRemote(id: string, signal?: AbortSignal): Promise<Remote | null> {
  const response = await remote.$get({ param: { id } }, { init: { signal, cache: 'no-store' } });
  if (response.status !== 200) throw await errorFromResponse(response);
  return (await response.json()).remote;
}

export async function saveRemote(id: string, change: RemoteChange): Promise<Remote> {
  const response = await remote.$put({ param: { id }, json: change });
  if (response.status !== 200 && response.status !== 201) throw await errorFromResponse(response);
  return response.json();
}

export async function disconnectRemote(id: string): Promise<void> {
  const response = await remote.$delete({ param: { id } });
  if (response.status !== 204) throw await errorFromResponse(response);
}

export async function checkRemote(id: string): Promise<RemoteCheckResult> {
  const response = await remote.check.$post({ param: { id } });
  if (response.status !== 200) throw await errorFromResponse(response);
  return response.json();
}

/** Push or pull; the answer (or the API's refusal) is for the user to read. */
export async function syncRemote(id: string, action: 'push' | 'pull'): Promise<void> {
  const response = await remote[action].$post({ param: { id } });
  throw await errorFromResponse(response);
}
