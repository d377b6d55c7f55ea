import type { InferRequestType, InferResponseType } from 'hono/client';
import { api } from './client.ts';
import { errorFromResponse } from './errors.ts';

const tokens = api.settings['git-tokens'];

/** A git access token as the API lists it: never the token itself. */
export type GitToken = InferResponseType<(typeof tokens)['$get'], 200>['items'][number];
/** A token just created: the token itself is in it, this once. */
export type CreatedGitToken = InferResponseType<(typeof tokens)['$post'], 201>;
export type NewGitToken = InferRequestType<(typeof tokens)['$post']>['json'];

export async function listGitTokens(signal?: AbortSignal): Promise<GitToken[]> {
  const response = await tokens.$get(undefined, { init: { signal, cache: 'no-store' } });
  if (response.status !== 200) throw await errorFromResponse(response);
  return (await response.json()).items;
}

export async function createGitToken(body: NewGitToken): Promise<CreatedGitToken> {
  const response = await tokens.$post({ json: body });
  if (response.status !== 201) throw await errorFromResponse(response);
  return response.json();
}

export async function revokeGitToken(id: string): Promise<void> {
  const response = await tokens[':id'].$delete({ param: { id } });
  if (response.status !== 204) throw await errorFromResponse(response);
}

/** The URL git clones a project from (this origin's `/git/<id>.git`). */
export function cloneUrl(origin: string, projectId: string): string {
  return `${origin}/git/${projectId}.git`;
}
