/**
 * `POST /api/projects/:id/preview`: a fresh link to the project's running app, through the
 * sandbox-runner's preview proxy. The app is started again (its sandbox recreated from the project's
 * files) when it stopped or was reaped, so the preview works whenever the user looks.
 */
import { createRoute, z } from '@hono/zod-openapi';
import type { AuthedEnv } from '../env.ts';
import { ApiError } from './errors.ts';
import { valueOf } from './refusal.ts';
import { ownedObject } from './project-access.ts';
import { requireUser } from './middleware/require-user.ts';
import { ProjectIdParam, errors, json, newApi, signedIn } from './openapi.ts';

const PreviewLink = z
  .object({
    url: z.string().openapi({ description: 'Carries a preview token: open it in a frame or a tab.' }),
  })
  .openapi('PreviewLink');

const route = createRoute({
  method: 'post',
  path: '/{id}/preview',
  summary: "A fresh link to the project's app (started again when it is not running)",
  security: signedIn,
  middleware: requireUser,
  request: { params: ProjectIdParam },
  responses: { 200: json(PreviewLink, 'The link'), ...errors(401, 403, 404, 409, 429, 503) },
});

export const preview = newApi<AuthedEnv>().openapi(route, async (c) => {
  const project = await ownedObject(c, c.req.valid('param').id);
  let result;
  try {
    result = await project.openPreview();
  } catch (err) {
    throw new ApiError(503, 'dependency_unavailable', 'The app cannot be reached right now.', { cause: err });
  }
  const link = valueOf(result);
  c.header('Cache-Control', 'no-store');
  return c.json({ url: link.url }, 200);
});
