import type { InferRequestType, InferResponseType } from 'hono/client';
import { api } from './client.ts';
import { errorFromResponse } from './errors.ts';

/** What an import created, and what it left out of the project (by reason). */
export type ImportResult = InferResponseType<(typeof api.projects.import)['$post'], 201>;

/** What the server accepts (the Worker's `IMPORT_LIMITS`), as the form states it. */
export const IMPORT_LIMITS_TEXT = 'A zip of up to 10 MB with at most 2,000 files of the app, 1 MB each.';

/**
 * Creates a project from a zip of an existing app. Sent with XMLHttpRequest, not fetch: only it reports
 * the upload's progress (`onProgress`, 0 to 1). The archive is the raw body (see the route).
 */
export function importProjectZip(
  file: File,
  opts: { name?: string; mode: 'interactive' | 'autopilot' },
  onProgress: (fraction: number) => void,
): Promise<ImportResult> {
  const query = new URLSearchParams({ file: file.name, mode: opts.mode });
  if (opts.name) query.set('name', opts.name);
  return new Promise((resolve, reject) => {
    const request = new XMLHttpRequest();
    request.open('POST', `/api/projects/import?${query}`);
    request.setRequestHeader('content-type', 'application/zip');
    request.withCredentials = true;
    request.upload.onprogress = (event) => {
      if (event.lengthComputable) onProgress(event.loaded / event.total);
    };
    request.onerror = () => reject(new TypeError('The server could not be reached.'));
    request.onload = () => {
      const response = new Response(request.responseText || null, {
        status: request.status,
        headers: { 'retry-after': request.getResponseHeader('retry-after') ?? '' },
      });
      if (request.status === 201) resolve(response.json() as Promise<ImportResult>);
      else errorFromResponse(response).then(reject, reject);
    };
    request.send(file);
  });
}

/** What the repository import takes: the clone URL, a token for a private repository, a branch. */
export type RepositoryImport = InferRequestType<(typeof api.projects.import.repository)['$post']>['json'];

/** What the repository import states about its limits, as the form shows it. */
export const REPOSITORY_LIMITS_TEXT =
  'The latest commit of the branch: up to 10 MB packed, at most 2,000 files of the app, 1 MB each.';

/**
 * Creates a project from a git repository's branch. The token is sent once, for this fetch; the
 * server keeps it nowhere.
 */
export async function importProjectRepository(body: RepositoryImport): Promise<ImportResult> {
  const response = await api.projects.import.repository.$post({ json: body });
  if (response.status !== 201) throw await errorFromResponse(response);
  return response.json();
}
