import { z } from '@hono/zod-openapi';
import { passwordProblems } from '../auth/password-policy.ts';

/** Emails are trimmed and lower-cased before anything else sees them: one person, one account. */
export const Email = z
  .string()
  .trim()
  .toLowerCase()
  .max(254, 'An email address has at most 254 characters.')
  .pipe(z.email('Enter a valid email address.'))
  .openapi({ example: 'ada@example.com' });

const Delivery = z.enum(['cookie', 'token']).default('cookie').openapi({
  description:
    '`cookie` (browsers): tokens are set as httpOnly cookies and never appear in the body. `token` (API clients): they are returned in the body and no cookie is set.',
});

export const RegisterBody = z
  .strictObject({
    email: Email,
    // Length is checked by the policy below so that every problem comes back at once.
    password: z.string().max(1024, 'Use at most 1024 characters.'),
    delivery: Delivery,
  })
  .superRefine((value, ctx) => {
    for (const message of passwordProblems(value.password, value.email)) {
      ctx.addIssue({ code: 'custom', path: ['password'], message });
    }
  })
  .openapi('RegisterRequest', {
    example: { email: 'ada@example.com', password: 'correct horse battery', delivery: 'cookie' },
  });

export const LoginBody = z
  .strictObject({
    email: Email,
    password: z.string().min(1, 'Enter your password.').max(1024, 'Use at most 1024 characters.'),
    delivery: Delivery,
  })
  .openapi('LoginRequest');

/** Refresh and logout: the refresh token comes from the cookie, or from the body for API clients. */
export const RefreshBody = z
  .strictObject({
    refreshToken: z.string().min(1).max(200).optional(),
  })
  .openapi('RefreshRequest');

export const User = z
  .object({
    id: z.uuid(),
    email: z.string(),
    createdAt: z.iso.datetime(),
  })
  .openapi('User');

export const Session = z
  .object({
    user: User,
    accessTokenExpiresAt: z.iso.datetime(),
    refreshTokenExpiresAt: z.iso.datetime(),
    /** Only with `delivery: "token"` (or a refresh token sent in the body). */
    accessToken: z.string().optional(),
    refreshToken: z.string().optional(),
  })
  .openapi('Session');

export const Me = z.object({ user: User }).openapi('Me');
