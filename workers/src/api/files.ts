/**
 * `/api/projects/:id/files`: the project's files, served by its object (the source of truth):
 * the tree, a file at a version, a user's edit saved as a new version (the agents see it), a file's
 * history, the diff between two versions, and what a step changed.
 */
import { createRoute, z } from '@hono/zod-openapi';
import type { AuthedEnv } from '../env.ts';
import { requireUser } from './middleware/require-user.ts';
import { ProjectIdParam, errors, json, jsonBody, newApi, signedIn } from './openapi.ts';
import { ownedObject } from './project-access.ts';
import { valueOf } from './refusal.ts';

const Branch = z.coerce.number().int().min(0).max(1_000_000).optional();
const Version = z.coerce.number().int().min(0).max(1_000_000_000);
const FilePath = z.string().min(1).max(1024);

/** `binary`: an imported image, font...: kept and exported as bytes, never shown to a model. */
const Binary = z.boolean().optional().openapi({ description: 'A binary file (absent: text).' });
const TreeEntry = z.object({
  path: z.string(),
  version: z.number().int(),
  size: z.number().int(),
  binary: Binary,
});
const Tree = z.object({ branch: z.number().int(), files: z.array(TreeEntry) }).openapi('FileTree');
const FileContent = z
  .object({
    path: z.string(),
    version: z.number().int(),
    branch: z.number().int(),
    content: z.string(),
    size: z.number().int(),
    hash: z.string(),
    stepId: z.number().int().nullable(),
    author: z.enum(['agent', 'user']),
    binary: Binary.openapi({ description: 'A binary file: `content` is its base64.' }),
  })
  .openapi('FileContent');
const FileChange = z
  .object({
    path: z.string(),
    version: z.number().int(),
    op: z.enum(['create', 'update', 'delete']),
    size: z.number().int(),
  })
  .openapi('FileChange');
const History = z
  .object({
    path: z.string(),
    versions: z.array(
      z.object({
        version: z.number().int(),
        branch: z.number().int(),
        size: z.number().int(),
        deleted: z.boolean(),
        stepId: z.number().int().nullable(),
        author: z.enum(['agent', 'user']),
        at: z.number(),
      }),
    ),
  })
  .openapi('FileHistory');
const Diff = z.object({
  added: z.number().int(),
  removed: z.number().int(),
  unified: z.string(),
  hunks: z.array(
    z.object({
      oldStart: z.number().int(),
      oldLines: z.number().int(),
      newStart: z.number().int(),
      newLines: z.number().int(),
      lines: z.array(z.object({ op: z.enum([' ', '-', '+']), text: z.string() })),
    }),
  ),
});
const FileDiff = z
  .object({ path: z.string(), from: z.number().int(), to: z.number().int(), diff: Diff })
  .openapi('FileDiff');
const StepChanges = z
  .object({
    stepId: z.number().int(),
    changes: z.array(
      z.object({
        path: z.string(),
        version: z.number().int(),
        op: z.enum(['create', 'update', 'delete']),
        diff: Diff,
      }),
    ),
  })
  .openapi('StepChanges');
const SaveBody = z
  .strictObject({
    path: FilePath,
    content: z.string(),
    /** The version the edit was made on: a newer one makes the save fail with 409. */
    baseVersion: z.number().int().min(0).optional(),
  })
  .openapi('SaveFile');

const base = { security: signedIn, middleware: requireUser } as const;

const treeRoute = createRoute({
  ...base,
  method: 'get',
  path: '/{id}/files',
  summary: "The project's file tree (current branch unless `branch` is given)",
  request: { params: ProjectIdParam, query: z.object({ branch: Branch }) },
  responses: { 200: json(Tree, 'Sorted by path'), ...errors(401, 404, 422, 429) },
});

const readRoute = createRoute({
  ...base,
  method: 'get',
  path: '/{id}/files/content',
  summary: 'A file, at its latest version or at `version`',
  request: {
    params: ProjectIdParam,
    query: z.object({ path: FilePath, version: Version.optional(), branch: Branch }),
  },
  responses: { 200: json(FileContent, 'The file'), ...errors(401, 404, 422, 429) },
});

const saveRoute = createRoute({
  ...base,
  method: 'put',
  path: '/{id}/files/content',
  summary: "Save a user's edit as a new version of the file (the agents will see it)",
  request: { params: ProjectIdParam, body: jsonBody(SaveBody) },
  responses: {
    200: json(FileChange, 'Saved (an unchanged content keeps its version)'),
    ...errors(400, 401, 403, 404, 409, 413, 415, 422, 429),
  },
});

const historyRoute = createRoute({
  ...base,
  method: 'get',
  path: '/{id}/files/history',
  summary: 'Every version of a file, newest first',
  request: { params: ProjectIdParam, query: z.object({ path: FilePath, branch: Branch }) },
  responses: { 200: json(History, 'Versions'), ...errors(401, 404, 422, 429) },
});

const diffRoute = createRoute({
  ...base,
  method: 'get',
  path: '/{id}/files/diff',
  summary: 'The line diff of a file between two versions (`from` 0: the empty file)',
  request: {
    params: ProjectIdParam,
    query: z.object({ path: FilePath, from: Version, to: Version, branch: Branch }),
  },
  responses: { 200: json(FileDiff, 'The diff'), ...errors(401, 404, 422, 429) },
});

const changesRoute = createRoute({
  ...base,
  method: 'get',
  path: '/{id}/files/changes',
  summary: 'What a step changed, each file with its diff',
  request: { params: ProjectIdParam, query: z.object({ step: z.coerce.number().int().min(1) }) },
  responses: { 200: json(StepChanges, 'The changes'), ...errors(401, 404, 422, 429) },
});

/** `/api/projects/:id/files...`. */
export const files = newApi<AuthedEnv>()
  .openapi(treeRoute, async (c) => {
    const { branch } = c.req.valid('query');
    const project = await ownedObject(c, c.req.valid('param').id);
    return c.json(valueOf(await project.tree(branch)), 200);
  })
  .openapi(readRoute, async (c) => {
    const { path, version, branch } = c.req.valid('query');
    const project = await ownedObject(c, c.req.valid('param').id);
    return c.json(valueOf(await project.readFile(path, version, branch)), 200);
  })
  .openapi(saveRoute, async (c) => {
    const { path, content, baseVersion } = c.req.valid('json');
    const project = await ownedObject(c, c.req.valid('param').id);
    return c.json(valueOf(await project.saveFile(path, content, baseVersion)), 200);
  })
  .openapi(historyRoute, async (c) => {
    const { path, branch } = c.req.valid('query');
    const project = await ownedObject(c, c.req.valid('param').id);
    return c.json(valueOf(await project.fileHistory(path, branch)), 200);
  })
  .openapi(diffRoute, async (c) => {
    const { path, from, to, branch } = c.req.valid('query');
    const project = await ownedObject(c, c.req.valid('param').id);
    return c.json(valueOf(await project.diffFile(path, from, to, branch)), 200);
  })
  .openapi(changesRoute, async (c) => {
    const project = await ownedObject(c, c.req.valid('param').id);
    return c.json(valueOf(await project.stepChanges(c.req.valid('query').step)), 200);
  });
