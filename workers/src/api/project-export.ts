import { createRoute, z } from '@hono/zod-openapi';
import type { AuthedEnv } from '../env.ts';
import { log } from '../platform/logger.ts';
import { snapshotZip } from '../projects/export.ts';
import { latestSnapshot } from '../projects/store.ts';
import { ApiError } from './errors.ts';
import { requireUser } from './middleware/require-user.ts';
import { IdParam, errors, newApi, signedIn } from './openapi.ts';
import { projectNotFound } from './projects.ts';

const exportZip = createRoute({
  method: 'get',
  path: '/{id}/export',
  summary: "Download the project's latest snapshot as a zip",
  security: signedIn,
  middleware: requireUser,
  request: { params: IdParam },
  responses: {
    200: {
      description: 'A zip archive with one folder named after the project',
      content: { 'application/zip': { schema: z.string().openapi({ format: 'binary' }) } },
    },
    ...errors(401, 404, 429),
  },
});

/** `/api/projects/{id}/export`. */
export const projectExport = newApi<AuthedEnv>().openapi(exportZip, async (c) => {
  const { id } = c.req.valid('param');
  const found = await latestSnapshot(await c.var.db(), c.var.user.id, id);
  if (!found) throw projectNotFound();
  if (!found.snapshot) throw new ApiError(404, 'not_found', 'This project has no files to export yet.');
  const { zip, fileName, skipped } = await snapshotZip(
    found.projectName,
    found.snapshot.files,
    found.snapshot.createdAt,
  );
  if (skipped > 0)
    log.warn('export skipped unsafe paths', { requestId: c.var.requestId, projectId: id, skipped });
  return c.body(zip, 200, {
    'Content-Type': 'application/zip',
    'Content-Disposition': `attachment; filename="${fileName}"`,
    'Cache-Control': 'no-store',
  });
});
