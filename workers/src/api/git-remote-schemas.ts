import { z } from '@hono/zod-openapi';

// Printable ASCII without spaces: what GitHub, GitLab and Gitea tokens are made of. It also keeps
// header-injection characters (CR, LF) out of the Authorization header.
const Token = z
  .string()
  .trim()
  .min(1, 'Enter the access token.')
  .max(1024, 'A token has at most 1024 characters.')
  .regex(/^[\x21-\x7e]+$/, 'A token has no spaces or special characters.');

export const SaveRemoteBody = z
  .strictObject({
    url: z
      .string()
      .trim()
      .min(1, 'Enter the repository’s URL.')
      .max(2048)
      .openapi({ example: 'https://github.com/ada/todo-app.git' }),
    token: Token.optional().openapi({
      description: 'Required to connect, and when the URL changes; left out, the stored token is kept.',
    }),
    branch: z
      .string()
      .trim()
      .max(200)
      .optional()
      .openapi({ example: 'main', description: 'Default `main`.' }),
    pushAfterTask: z
      .boolean()
      .optional()
      .openapi({ description: 'Push after each completed task. Default off.' }),
  })
  .openapi('SaveRemoteRequest');

export const Remote = z
  .object({
    url: z.string(),
    branch: z.string(),
    pushAfterTask: z.boolean(),
    token: z
      .object({
        set: z.literal(true),
        last4: z.string().openapi({ description: 'The last four characters (empty for a token under 16).' }),
        setAt: z.iso.datetime(),
      })
      .openapi({ description: 'That a token is stored; never the token.' }),
    createdAt: z.iso.datetime(),
    updatedAt: z.iso.datetime(),
    lastCheckedAt: z.iso.datetime().nullable(),
    lastCheckOk: z.boolean().nullable(),
  })
  .openapi('Remote');

export const RemoteState = z.object({ remote: Remote.nullable() }).openapi('RemoteState');

export const RemoteCheck = z
  .object({
    ok: z.boolean(),
    result: z.enum(['ok', 'auth', 'not_found', 'unavailable', 'protocol']),
    message: z.string(),
    /** The remote's branches, when it could be read. */
    branches: z.array(z.string()),
    branchExists: z.boolean(),
    remote: Remote,
  })
  .openapi('RemoteCheck');

const CommitId = z.string().regex(/^[0-9a-f]{40}$/);

export const PushResult = z
  .discriminatedUnion('result', [
    z.object({
      result: z.literal('pushed'),
      branch: z.string(),
      commit: CommitId,
      previous: CommitId.nullable().openapi({ description: 'The remote branch before (null: created).' }),
      objects: z.number().int().openapi({ description: 'Git objects sent.' }),
    }),
    z.object({ result: z.literal('up_to_date'), branch: z.string(), commit: CommitId }),
    z.object({
      result: z.literal('rejected'),
      branch: z.string(),
      reason: z.enum(['remote_moved', 'refused']).openapi({
        description: '`remote_moved`: the remote has commits the project lacks — pull, then push again.',
      }),
      remoteCommit: CommitId.nullable(),
      message: z.string(),
    }),
  ])
  .openapi('PushResult');

const ConflictSide = z.object({
  text: z.string().nullable().openapi({ description: 'The file’s text (null: deleted, or binary).' }),
  binary: z.boolean(),
  deleted: z.boolean(),
  truncated: z.boolean().openapi({ description: 'Only the beginning of a very long file is shown.' }),
});

export const PullResult = z
  .discriminatedUnion('result', [
    z.object({ result: z.literal('up_to_date'), branch: z.string(), remoteCommit: CommitId.nullable() }),
    z.object({
      result: z.literal('pulled'),
      branch: z.string(),
      how: z.enum(['fast_forward', 'merged']),
      remoteCommit: CommitId,
      stepId: z.number().int().openapi({ description: 'The user’s step that brought the changes in.' }),
      files: z.number().int(),
    }),
    z.object({
      result: z.literal('conflict'),
      branch: z.string(),
      remoteCommit: CommitId,
      conflicts: z.array(z.object({ path: z.string(), ours: ConflictSide, theirs: ConflictSide })),
      message: z.string(),
    }),
  ])
  .openapi('PullResult');
