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

export type PushResult = InferResponseType<(typeof remote)['push']['$post'], 200>;
export type PullResult = InferResponseType<(typeof remote)['pull']['$post'], 200>;
export type PullConflict = Extract<PullResult, { result: 'conflict' }>['conflicts'][number];

/** Pushes the project's current branch: pushed, up to date, or rejected (the remote moved: pull first). */
export async function pushRemote(id: string): Promise<PushResult> {
  const response = await remote.push.$post({ param: { id } });
  if (response.status !== 200) throw await errorFromResponse(response);
  return response.json();
}

/** Pulls the remote branch in as the user's step, or answers the conflicting files (nothing changed). */
export async function pullRemote(id: string): Promise<PullResult> {
  const response = await remote.pull.$post({ param: { id } });
  if (response.status !== 200) throw await errorFromResponse(response);
  return response.json();
}
