import { z } from '@hono/zod-openapi';

export const CreateGitTokenBody = z
  .strictObject({
    name: z.string().trim().min(1, 'Give the token a name.').max(80, 'Use at most 80 characters.'),
    expiresInDays: z
      .number()
      .int('Give a whole number of days.')
      .min(1, 'At least 1 day.')
      .max(366, 'At most 366 days.')
      .optional()
      .openapi({ description: 'Days until the token stops working; without it, it never expires.' }),
  })
  .openapi('CreateGitTokenRequest');

export const GitToken = z
  .object({
    id: z.uuid(),
    name: z.string(),
    hint: z.string().openapi({ description: "The token's first characters, to tell tokens apart." }),
    createdAt: z.iso.datetime(),
    lastUsedAt: z.iso.datetime().nullable(),
    expiresAt: z.iso.datetime().nullable(),
  })
  .openapi('GitToken');

export const GitTokenList = z.object({ items: z.array(GitToken) }).openapi('GitTokenList');

export const CreatedGitToken = GitToken.extend({
  token: z.string().openapi({
    description: 'The token itself: shown this once, never again. Git sends it as the password.',
  }),
}).openapi('CreatedGitToken');
