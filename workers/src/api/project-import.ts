/**
 * `POST /api/projects/import`: a new project from an existing app, uploaded as a zip.
 *
 * The archive is the raw request body (`Content-Type: application/zip`), the project's name and mode
 * are query parameters. Why not multipart: the upload is one file, so a raw body needs no multipart
 * parser, its `Content-Length` is the archive's size (an oversize one is refused before it is read), and
 * the browser still reports upload progress for it.
 */
import { createRoute, z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import type { AuthedEnv } from '../env.ts';
import { projectIdOf } from '../ids.ts';
import { describeError, log } from '../platform/logger.ts';
import type { ImportRecord } from '../project-object/storage/meta.ts';
import { projectStub } from '../project-object/stub.ts';
import { readImportSource } from '../projects/import-source.ts';
import { ImportError, IMPORT_LIMITS, type ImportedTree } from '../projects/import-tree.ts';
import { createProject, deleteProject } from '../projects/store.ts';
import { ApiError } from './errors.ts';
import { limitByUser } from './middleware/rate-limit.ts';
import { requireUser } from './middleware/require-user.ts';
import { errors, json, newApi, signedIn, stack } from './openapi.ts';
import { pushProjectFacts } from './project-access.ts';
import { DEFAULT_BUDGET_MICROS, Project } from './projects-schemas.ts';

/** The path of the route, which takes larger bodies than the rest of the API (see app.ts). */
export const IMPORT_PATH = '/api/projects/import';

const ImportQuery = z.strictObject({
  name: z
    .string()
    .trim()
    .min(1, 'Give the project a name.')
    .max(120, 'Use at most 120 characters.')
    .optional()
    .openapi({
      param: { name: 'name', in: 'query' },
      description: "Default: the archive's top folder, else its file name.",
    }),
  file: z
    .string()
    .max(255)
    .optional()
    .openapi({
      param: { name: 'file', in: 'query' },
      description: "The archive's file name, for the record.",
    }),
  mode: z
    .enum(['autopilot', 'interactive'])
    .default('interactive')
    .openapi({ param: { name: 'mode', in: 'query' } }),
});

const SkippedGroup = z.object({
  reason: z.enum([
    'dependencies',
    'version control',
    'build output',
    'system files',
    'too large',
    'symbolic links',
    'submodules',
  ]),
  count: z.number().int(),
  examples: z.array(z.string()),
});

/** What an import answers: the new project, and what of the source it kept and left out. */
export const ImportResult = z
  .object({
    project: Project,
    files: z.number().int().openapi({ description: 'Files the project starts with.' }),
    bytes: z.number().int(),
    skipped: z.array(SkippedGroup).openapi({ description: 'Entries left out, by reason.' }),
  })
  .openapi('ImportResult');

const importZip = createRoute({
  method: 'post',
  path: '/import',
  summary: `Create a project from a zip of an existing app (at most ${IMPORT_LIMITS.archiveBytes / (1024 * 1024)} MB, ${IMPORT_LIMITS.files} files)`,
  security: signedIn,
  middleware: stack(requireUser, limitByUser('projectCreate')),
  request: {
    query: ImportQuery,
    body: {
      required: true,
      content: { 'application/zip': { schema: z.string().openapi({ format: 'binary' }) } },
    },
  },
  responses: {
    201: json(ImportResult, 'Created, with what was left out'),
    ...errors(400, 401, 403, 413, 415, 422, 429, 503),
  },
});

const ZIP_TYPES = new Set(['application/zip', 'application/x-zip-compressed', 'application/octet-stream']);

function defaultName(tree: ImportedTree, file: string | undefined): string {
  const fromFile = file?.replace(/\.zip$/i, '').trim();
  return (tree.folder ?? fromFile ?? '').slice(0, 120) || 'Imported app';
}

export const projectImport = newApi<AuthedEnv>().openapi(importZip, async (c) => {
  const query = c.req.valid('query');
  const type = c.req.header('content-type')?.split(';')[0]?.trim().toLowerCase();
  if (!type || !ZIP_TYPES.has(type)) {
    throw new ApiError(
      415,
      'unsupported_media_type',
      'Send the zip archive as the body, as application/zip.',
    );
  }
  const archive = new Uint8Array(await c.req.arrayBuffer());
  let tree: ImportedTree;
  try {
    tree = await readImportSource({ kind: 'zip', archive });
  } catch (err) {
    if (!(err instanceof ImportError)) throw err;
    throw importRefused(err);
  }

  const from = query.file ?? 'upload.zip';
  const created = await createImportedProject(c, tree, {
    name: query.name ?? defaultName(tree, query.file),
    mode: query.mode,
    record: { source: 'zip', from, files: tree.files.length },
  });
  c.header('Location', `/api/projects/${created.project.id}`);
  return c.json(created, 201);
});

/** A refused source as the API's error: 413 for too much, 422 for the rest. */
export function importRefused(err: ImportError): ApiError {
  return new ApiError(
    err.status,
    err.status === 413 ? 'payload_too_large' : 'validation_failed',
    err.message,
  );
}

/**
 * Creates the user's project from an imported tree: the project's row, its files written as the
 * user's, its facts passed to its object. A project whose files could not be written is deleted, and
 * the answer is a 503 the user may retry.
 */
export async function createImportedProject(
  c: Context<AuthedEnv>,
  tree: ImportedTree,
  opts: { name: string; mode: 'autopilot' | 'interactive'; record: ImportRecord },
): Promise<z.infer<typeof ImportResult>> {
  const db = await c.var.db();
  const userId = c.var.user.id;
  const project = await createProject(
    db,
    userId,
    {
      name: opts.name,
      description: `Imported from ${opts.record.from}: ${tree.files.length} files.`,
      mode: opts.mode,
      pipeline: 'agents',
      models: {},
      reviewChanges: false,
    },
    DEFAULT_BUDGET_MICROS,
  );
  const id = projectIdOf(project.id);
  // The files go in before the project's facts: its first run already sees it as imported.
  const written = await projectStub(c.env, id)
    .importFiles(tree.files, opts.record)
    .catch((err: unknown) => {
      log.warn('imported files not written', { projectId: id, ...describeError(err) });
      return null;
    });
  if (!written?.ok) {
    // A project without its files is no import: it goes, and the user may try again.
    await deleteProject(db, userId, id);
    throw new ApiError(503, 'dependency_unavailable', 'The project could not be created. Try again.', {
      headers: { 'Retry-After': '5' },
    });
  }
  await pushProjectFacts(c.env, db, userId, id).catch((err: unknown) =>
    log.warn('imported project facts not passed to its object', { projectId: id, ...describeError(err) }),
  );
  return { project, files: written.value.files, bytes: tree.bytes, skipped: tree.skipped };
}
