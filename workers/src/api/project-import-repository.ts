/**
 * `POST /api/projects/import/repository`: a new project from a remote git repository's branch.
 *
 * Why a route of its own rather than the zip route with a JSON body: the zip route takes a raw archive
 * with its own larger body limit and query parameters, this one a small JSON document validated like
 * every other (a schema, field errors), and each has an OpenAPI description that says exactly what it
 * takes. What follows the fetch (limits, skipped files, the new project) is the zip import's own.
 *
 * The token opens the repository for this one fetch: it is neither stored nor logged.
 */
import { createRoute, z } from '@hono/zod-openapi';
import type { AuthedEnv } from '../env.ts';
import { RemoteError, RemoteTooLargeError } from '../git/remote/errors.ts';
import { PackError } from '../git/remote/pack-reader.ts';
import { checkRemoteUrl, isBranchName } from '../git/remote/remote-url.ts';
import { isLocalEnvironment } from '../keys/endpoints.ts';
import { describeError, log } from '../platform/logger.ts';
import { readImportSource } from '../projects/import-source.ts';
import { ImportError, IMPORT_LIMITS, type ImportedTree } from '../projects/import-tree.ts';
import { readRepository, type RepositorySource } from '../projects/repository-source.ts';
import { ApiError } from './errors.ts';
import { limitByUser } from './middleware/rate-limit.ts';
import { requireUser } from './middleware/require-user.ts';
import { errors, json, jsonBody, newApi, signedIn, stack } from './openapi.ts';
import { createImportedProject, importRefused, ImportResult } from './project-import.ts';

const ImportRepositoryBody = z
  .strictObject({
    url: z
      .string()
      .max(2000)
      .openapi({ description: 'The clone URL (https), such as https://github.com/you/app.git.' }),
    token: z.string().max(1000).optional().openapi({
      description:
        'An access token that can read the repository (none for a public one). Used once, never stored.',
    }),
    branch: z
      .string()
      .trim()
      .max(200)
      .optional()
      .openapi({ description: "Default: the branch the repository's HEAD points at." }),
    name: z
      .string()
      .trim()
      .min(1, 'Give the project a name.')
      .max(120, 'Use at most 120 characters.')
      .optional()
      .openapi({ description: "Default: the repository's name." }),
    mode: z.enum(['autopilot', 'interactive']).default('interactive'),
  })
  .openapi('ImportRepositoryBody');

const importRepository = createRoute({
  method: 'post',
  path: '/import/repository',
  summary: `Create a project from a git repository's branch (its latest commit; at most ${IMPORT_LIMITS.archiveBytes / (1024 * 1024)} MB packed, ${IMPORT_LIMITS.files} files)`,
  security: signedIn,
  middleware: stack(requireUser, limitByUser('projectCreate')),
  request: { body: jsonBody(ImportRepositoryBody) },
  responses: {
    201: json(ImportResult, 'Created, with what was left out'),
    ...errors(400, 401, 403, 404, 413, 415, 422, 429, 503),
  },
});

/**
 * What the fetched objects may unpack to in memory, skipped folders included: three times the kept
 * files' limit, so a pack that inflates to far more (a pack bomb) is refused before the Worker's
 * memory runs out.
 */
const MAX_UNPACKED_BYTES = 3 * IMPORT_LIMITS.totalBytes;
const MB = (bytes: number) => `${bytes / (1024 * 1024)} MB`;

const invalid = (path: string, message: string) =>
  new ApiError(422, 'validation_failed', message, { fields: [{ path, message }] });

/** A remote's failure as the API's error (the messages name no token). */
function remoteRefused(err: RemoteError): ApiError {
  switch (err.kind) {
    case 'auth':
      return invalid('token', `The remote refused the token (HTTP ${err.status ?? 401}).`);
    case 'not_found':
      return new ApiError(404, 'not_found', `No such repository or branch: ${err.message}`);
    case 'unavailable':
      return new ApiError(503, 'dependency_unavailable', err.message, { headers: { 'Retry-After': '30' } });
    case 'protocol':
      return invalid('url', err.message);
  }
}

/** `https://host/team/shop.git` → `shop`. */
function repositoryName(url: string): string {
  const last = new URL(url).pathname.split('/').filter(Boolean).at(-1) ?? '';
  return last.replace(/\.git$/i, '').slice(0, 120) || 'Imported app';
}

export const projectImportRepository = newApi<AuthedEnv>().openapi(importRepository, async (c) => {
  const body = c.req.valid('json');
  const url = checkRemoteUrl(body.url, isLocalEnvironment(c.env.APP_ENV));
  if (!url.ok) throw invalid('url', url.message);
  const branch = body.branch || undefined;
  if (branch !== undefined && !isBranchName(branch)) {
    throw invalid('branch', 'Not a branch name git accepts.');
  }
  // The remote may be slow: no database connection is held while it answers.
  c.var.releaseDb();
  let source: RepositorySource;
  try {
    source = await readRepository(
      { url: url.url, token: body.token ?? '' },
      {
        ...(branch ? { branch } : {}),
        maxPackBytes: IMPORT_LIMITS.archiveBytes,
        maxUnpackedBytes: MAX_UNPACKED_BYTES,
      },
    );
  } catch (err) {
    if (err instanceof RemoteTooLargeError) {
      throw new ApiError(
        413,
        'payload_too_large',
        `The branch's latest commit is larger than the import allows: ${MB(IMPORT_LIMITS.archiveBytes)} packed, ${MB(MAX_UNPACKED_BYTES)} unpacked (skipped folders such as node_modules included).`,
      );
    }
    if (err instanceof PackError) throw invalid('url', `The remote sent a broken pack: ${err.message}`);
    if (!(err instanceof RemoteError)) throw err;
    log.info('repository import refused by the remote', {
      requestId: c.var.requestId,
      kind: err.kind,
      ...describeError(err),
    });
    throw remoteRefused(err);
  }

  let tree: ImportedTree;
  try {
    tree = await readImportSource({ kind: 'tree', entries: source.entries, from: 'repository' });
  } catch (err) {
    if (!(err instanceof ImportError)) throw err;
    throw importRefused(err);
  }
  const created = await createImportedProject(c, tree, {
    name: body.name ?? repositoryName(url.url),
    mode: body.mode,
    record: { source: 'repository', from: `${url.url} (${source.branch})`, files: tree.files.length },
  });
  c.header('Location', `/api/projects/${created.project.id}`);
  return c.json(created, 201);
});
