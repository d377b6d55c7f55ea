import { createRoute, z } from '@hono/zod-openapi';
import type { SnapshotFile } from '@samokoder/db';
import type { Context } from 'hono';
import { projectStub } from '../project-object/stub.ts';
import type { AuthedEnv } from '../env.ts';
import type { ProjectId } from '../ids.ts';
import { describeError, log } from '../platform/logger.ts';
import { snapshotZip } from '../projects/export.ts';
import { latestSnapshot } from '../projects/store.ts';
import { ApiError } from './errors.ts';
import { requireUser } from './middleware/require-user.ts';
import { ProjectIdParam, errors, newApi, signedIn } from './openapi.ts';
import { projectNotFound } from './project-access.ts';

const exportZip = createRoute({
  method: 'get',
  path: '/{id}/export',
  summary:
    "Download the project's files as a zip (as they are now; the latest snapshot if the run cannot answer)",
  security: signedIn,
  middleware: requireUser,
  request: { params: ProjectIdParam },
  responses: {
    200: {
      description: 'A zip archive with one folder named after the project',
      content: { 'application/zip': { schema: z.string().openapi({ format: 'binary' }) } },
    },
    ...errors(401, 404, 429),
  },
});

/**
 * The project's files as they are now, from its Durable Object (the source of truth: a user's last
 * edit and the README written after the last task are in it); null when the object cannot answer.
 */
async function currentFiles(c: Context<AuthedEnv>, id: ProjectId): Promise<SnapshotFile[] | null> {
  try {
    const files = await projectStub(c.env, id).currentFiles();
    return files.length > 0 ? files : null;
  } catch (err) {
    log.warn('export falls back to the latest snapshot', {
      requestId: c.var.requestId,
      projectId: id,
      ...describeError(err),
    });
    return null;
  }
}

/** `/api/projects/{id}/export`. */
export const projectExport = newApi<AuthedEnv>().openapi(exportZip, async (c) => {
  const { id } = c.req.valid('param');
  const found = await latestSnapshot(await c.var.db(), c.var.user.id, id);
  if (!found) throw projectNotFound();
  const current = await currentFiles(c, id);
  const files = current ?? found.snapshot?.files;
  if (!files) throw new ApiError(404, 'not_found', 'This project has no files to export yet.');
  const { zip, fileName, skipped } = await snapshotZip(
    found.projectName,
    files,
    current ? new Date() : found.snapshot!.createdAt,
  );
  if (skipped > 0)
    log.warn('export skipped unsafe paths', { requestId: c.var.requestId, projectId: id, skipped });
  return c.body(zip, 200, {
    'Content-Type': 'application/zip',
    'Content-Disposition': `attachment; filename="${fileName}"`,
    'Cache-Control': 'no-store',
  });
});
