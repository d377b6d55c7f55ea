/** The project's published app: publish, read, roll back, follow its log, unpublish. */
import type { InferResponseType } from 'hono/client';
import { api } from './client.ts';
import { errorFromResponse } from './errors.ts';

const publish = api.projects[':id'].publish;

export type Publication = InferResponseType<typeof publish.$post, 201>;
export type PublicationLog = InferResponseType<typeof publish.logs.$get, 200>;

/** The published app, or null while it is not published. */
export async function fetchPublication(id: string, signal?: AbortSignal): Promise<Publication | null> {
  const response = await publish.$get({ param: { id } }, { init: { signal, cache: 'no-store' } });
  if (response.status !== 200) throw await errorFromResponse(response);
  return (await response.json()).publication;
}

/** Publishes the project's current files as a new version; resolves once it answers. */
export async function publishApp(id: string): Promise<Publication> {
  const response = await publish.$post({ param: { id } });
  if (response.status !== 201) throw await errorFromResponse(response);
  return response.json();
}

/** Makes a kept version live again. */
export async function rollBackTo(id: string, version: number): Promise<Publication> {
  const response = await publish.rollback.$post({ param: { id }, json: { version } });
  if (response.status !== 200) throw await errorFromResponse(response);
  return response.json();
}

/** Stops the published app and frees its address; `deleteData` deletes what it stored too. */
export async function unpublishApp(id: string, deleteData: boolean): Promise<void> {
  const response = await publish.$delete({
    param: { id },
    query: deleteData ? { deleteData: 'true' } : {},
  });
  if (response.status !== 204) throw await errorFromResponse(response);
}

/** The published app's output from `offset`, waiting up to `waitMs` for more. */
export async function readPublicationLog(
  id: string,
  query: { offset: number; waitMs: number },
  signal?: AbortSignal,
): Promise<PublicationLog> {
  const response = await publish.logs.$get(
    { param: { id }, query: { offset: String(query.offset), waitMs: String(query.waitMs) } },
    { init: { signal, cache: 'no-store' } },
  );
  if (response.status !== 200) throw await errorFromResponse(response);
  return response.json();
}
