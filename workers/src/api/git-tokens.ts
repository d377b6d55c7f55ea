import { createRoute } from '@hono/zod-openapi';
import {
  MAX_GIT_TOKENS_PER_USER,
  createGitToken,
  listGitTokens,
  revokeGitToken,
} from '../auth/git-tokens.ts';
import type { AuthedEnv } from '../env.ts';
import { ApiError } from './errors.ts';
import { CreateGitTokenBody, CreatedGitToken, GitTokenList } from './git-tokens-schemas.ts';
import { requireUser } from './middleware/require-user.ts';
import { KeyIdParam, errors, json, jsonBody, newApi, signedIn } from './openapi.ts';

const DAY_MS = 24 * 3600 * 1000;

const list = createRoute({
  method: 'get',
  path: '/',
  summary: "The user's git access tokens (never the tokens themselves)",
  security: signedIn,
  middleware: requireUser,
  responses: { 200: json(GitTokenList, 'Newest first'), ...errors(401, 429) },
});

const create = createRoute({
  method: 'post',
  path: '/',
  summary: 'Create a git access token (clone and fetch of your projects); it is shown once',
  security: signedIn,
  middleware: requireUser,
  request: { body: jsonBody(CreateGitTokenBody) },
  responses: { 201: json(CreatedGitToken, 'Created'), ...errors(400, 401, 403, 409, 413, 415, 422, 429) },
});

const revoke = createRoute({
  method: 'delete',
  path: '/{id}',
  summary: 'Revoke a git access token: git stops accepting it at once',
  security: signedIn,
  middleware: requireUser,
  request: { params: KeyIdParam },
  responses: { 204: { description: 'Revoked' }, ...errors(401, 403, 404, 429) },
});

/** `/api/settings/git-tokens`: personal access tokens for git. */
export const gitTokens = newApi<AuthedEnv>()
  .openapi(list, async (c) => {
    c.header('Cache-Control', 'no-store');
    return c.json({ items: await listGitTokens(await c.var.db(), c.var.user.id) }, 200);
  })
  .openapi(create, async (c) => {
    const body = c.req.valid('json');
    const expiresAt = body.expiresInDays ? new Date(Date.now() + body.expiresInDays * DAY_MS) : null;
    const created = await createGitToken(await c.var.db(), c.var.user.id, { name: body.name, expiresAt });
    if (!created) {
      throw new ApiError(
        409,
        'conflict',
        `You can keep at most ${MAX_GIT_TOKENS_PER_USER} git tokens. Revoke one first.`,
      );
    }
    c.header('Cache-Control', 'no-store');
    return c.json({ ...created.info, token: created.token }, 201);
  })
  .openapi(revoke, async (c) => {
    const revoked = await revokeGitToken(await c.var.db(), c.var.user.id, c.req.valid('param').id);
    if (!revoked) throw new ApiError(404, 'not_found', 'No such token.');
    return c.body(null, 204);
  });
