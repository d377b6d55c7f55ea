import type { InferRequestType, InferResponseType } from 'hono/client';
import { api } from './client.ts';
import { errorFromResponse } from './errors.ts';

export type Project = InferResponseType<(typeof api.projects)[':id']['$get'], 200>;
export type ProjectPage = InferResponseType<(typeof api.projects)['$get'], 200>;
export type NewProject = InferRequestType<(typeof api.projects)['$post']>['json'];

/** One page of the user's projects, most recently active first. */
export async function listProjects(cursor?: string, signal?: AbortSignal): Promise<ProjectPage> {
  const response = await api.projects.$get(
    { query: { limit: '20', ...(cursor ? { cursor } : {}) } },
    { init: { signal, cache: 'no-store' } },
  );
  if (response.status !== 200) throw await errorFromResponse(response);
  return response.json();
}

export async function getProject(id: string, signal?: AbortSignal): Promise<Project> {
  const response = await api.projects[':id'].$get({ param: { id } }, { init: { signal, cache: 'no-store' } });
  if (response.status !== 200) throw await errorFromResponse(response);
  return response.json();
}

export async function createProject(project: NewProject): Promise<Project> {
  const response = await api.projects.$post({ json: project });
  if (response.status !== 201) throw await errorFromResponse(response);
  return response.json();
}

export async function renameProject(id: string, name: string): Promise<Project> {
  const response = await api.projects[':id'].$patch({ param: { id }, json: { name } });
  if (response.status !== 200) throw await errorFromResponse(response);
  return response.json();
}

/** Changes a project's settings (review before apply); the run follows at once. */
export async function updateProjectSettings(
  id: string,
  settings: { reviewChanges: boolean },
): Promise<Project> {
  const response = await api.projects[':id'].$patch({ param: { id }, json: settings });
  if (response.status !== 200) throw await errorFromResponse(response);
  return response.json();
}

export async function deleteProject(id: string): Promise<void> {
  const response = await api.projects[':id'].$delete({ param: { id } });
  if (response.status !== 204) throw await errorFromResponse(response);
}

/** Where the browser downloads the project as a zip (a plain link: the cookie goes along). */
export function exportUrl(id: string): string {
  return `/api/projects/${encodeURIComponent(id)}/export`;
}

/** A fresh link to the project's app (the server starts it again when it stopped). */
export async function openPreview(id: string): Promise<string> {
  const response = await api.projects[':id'].preview.$post({ param: { id } });
  if (response.status !== 200) throw await errorFromResponse(response);
  return (await response.json()).url;
}

export type AppOutput = InferResponseType<(typeof api.projects)[':id']['app']['output']['$get'], 200>;

/** The running app's output from `offset` (of `process`), waiting up to `waitMs` for more. */
export async function readAppOutput(
  id: string,
  query: { process?: string; offset?: number; waitMs?: number },
  signal?: AbortSignal,
): Promise<AppOutput> {
  const response = await api.projects[':id'].app.output.$get(
    {
      param: { id },
      query: {
        ...(query.process ? { process: query.process } : {}),
        ...(query.offset !== undefined ? { offset: String(query.offset) } : {}),
        ...(query.waitMs !== undefined ? { waitMs: String(query.waitMs) } : {}),
      },
    },
    { init: { signal, cache: 'no-store' } },
  );
  if (response.status !== 200) throw await errorFromResponse(response);
  return response.json();
}
