import type { InferResponseType } from 'hono/client';
import type { api } from './client.ts';
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
