import type { InferResponseType } from 'hono/client';
import { api } from './client.ts';
import { errorFromResponse } from './errors.ts';

/** The project-scoped routes; the id goes in each call's `param`. */
const byId = api.projects[':id'];

export type FileTree = InferResponseType<(typeof byId)['files']['$get'], 200>;
export type FileContent = InferResponseType<(typeof byId)['files']['content']['$get'], 200>;
export type SavedFile = InferResponseType<(typeof byId)['files']['content']['$put'], 200>;
export type FileHistory = InferResponseType<(typeof byId)['files']['history']['$get'], 200>;
export type StepChanges = InferResponseType<(typeof byId)['files']['changes']['$get'], 200>;

/** The project's file tree (its current branch). */
export async function fetchTree(projectId: string, signal?: AbortSignal): Promise<FileTree> {
  const response = await byId.files.$get(
    { param: { id: projectId }, query: {} },
    { init: { signal, cache: 'no-store' } },
  );
  if (response.status !== 200) throw await errorFromResponse(response);
  return response.json();
}

/** A file at its latest version, or at `version`. */
export async function fetchFile(
  projectId: string,
  path: string,
  version?: number,
  signal?: AbortSignal,
): Promise<FileContent> {
  const response = await byId.files.content.$get(
    {
      param: { id: projectId },
      query: { path, ...(version === undefined ? {} : { version: String(version) }) },
    },
    { init: { signal, cache: 'no-store' } },
  );
  if (response.status !== 200) throw await errorFromResponse(response);
  return response.json();
}

/** Saves the user's edit as a new version; 409 when the file moved past `baseVersion` meanwhile. */
export async function saveFile(
  projectId: string,
  path: string,
  content: string,
  baseVersion: number,
): Promise<SavedFile> {
  const response = await byId.files.content.$put({
    param: { id: projectId },
    json: { path, content, baseVersion },
  });
  if (response.status !== 200) throw await errorFromResponse(response);
  return response.json();
}

export async function fetchHistory(
  projectId: string,
  path: string,
  signal?: AbortSignal,
): Promise<FileHistory> {
  const response = await byId.files.history.$get(
    { param: { id: projectId }, query: { path } },
    { init: { signal, cache: 'no-store' } },
  );
  if (response.status !== 200) throw await errorFromResponse(response);
  return response.json();
}

/** What a step changed: each file with its diff against its previous version. */
export async function fetchStepChanges(
  projectId: string,
  stepId: number,
  signal?: AbortSignal,
): Promise<StepChanges> {
  const response = await byId.files.changes.$get(
    { param: { id: projectId }, query: { step: String(stepId) } },
    { init: { signal } },
  );
  if (response.status !== 200) throw await errorFromResponse(response);
  return response.json();
}
