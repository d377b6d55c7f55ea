import { OpenAPIHono, z } from '@hono/zod-openapi';
import type { Env, MiddlewareHandler } from 'hono';
import { ACCESS_COOKIE } from '../auth/cookies.ts';
import { parseKeyId, parseProjectId } from '../ids.ts';
import { validationHook } from './validation.ts';

/** A sub-app of the API: validation failures become the envelope through the shared hook. */
export function newApi<E extends Env>(): OpenAPIHono<E> {
  return new OpenAPIHono<E>({ defaultHook: validationHook });
}

/** The error envelope, as documented. */
export const ErrorSchema = z
  .object({
    error: z.object({
      code: z.string().openapi({ example: 'validation_failed' }),
      message: z.string(),
      requestId: z.string().optional(),
      fields: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
    }),
  })
  .openapi('Error');

const DESCRIPTIONS: Record<number, string> = {
  400: 'Malformed request (for example invalid JSON)',
  401: 'Not signed in, or the token is invalid or expired',
  403: 'Origin check failed',
  404: 'No such resource for this user',
  409: 'Conflicts with existing data',
  413: 'Body too large',
  415: 'Body is not JSON',
  422: 'A field is not valid (see `fields`)',
  429: 'Rate limited or locked; see Retry-After',
  503: 'A dependency is unavailable',
};

type ErrorResponses<S extends number> = {
  [K in S]: { description: string; content: { 'application/json': { schema: typeof ErrorSchema } } };
};

/** The error responses a route can give, for its OpenAPI description. */
export function errors<const S extends number>(...statuses: S[]): ErrorResponses<S> {
  const out: Record<number, unknown> = {};
  for (const status of statuses) {
    out[status] = {
      description: DESCRIPTIONS[status] ?? 'Error',
      content: { 'application/json': { schema: ErrorSchema } },
    };
  }
  return out as ErrorResponses<S>;
}

/** A required JSON request body. */
export function jsonBody<T extends z.ZodType>(schema: T) {
  return { required: true, content: { 'application/json': { schema } } } as const;
}

/** A JSON response. */
export function json<T extends z.ZodType>(schema: T, description: string) {
  return { description, content: { 'application/json': { schema } } } as const;
}

/** Routes that need a signed-in user: a bearer token or the access cookie. */
export const signedIn: Record<string, string[]>[] = [{ bearerAuth: [] }, { cookieAuth: [] }];

/** Register the security schemes the routes refer to. */
export function registerSecuritySchemes(app: Pick<OpenAPIHono, 'openAPIRegistry'>): void {
  app.openAPIRegistry.registerComponent('securitySchemes', 'bearerAuth', {
    type: 'http',
    scheme: 'bearer',
    bearerFormat: 'JWT',
  });
  app.openAPIRegistry.registerComponent('securitySchemes', 'cookieAuth', {
    type: 'apiKey',
    in: 'cookie',
    name: ACCESS_COOKIE,
  });
}

/**
 * The path parameter `id`, parsed into its canonical form (ids.ts) by `parse`: a handler only ever sees
 * the canonical id. A form that is not an id fails validation, which answers 404 (validation.ts).
 */
function idParam<T extends string>(parse: (text: string) => T | null) {
  return z.strictObject({
    id: z
      .string()
      .transform((text, ctx): T => {
        const id = parse(text);
        if (id !== null) return id;
        ctx.addIssue({ code: 'custom', message: 'Not an id.' });
        return z.NEVER;
      })
      .openapi({
        param: { name: 'id', in: 'path' },
        type: 'string',
        format: 'uuid',
        example: '6f1c2b7e-3a51-4c39-9d2f-0c6a8e1f4b21',
      }),
  });
}

/** A project's id in a path, canonical. */
export const ProjectIdParam = idParam(parseProjectId);
/** An LLM key's id in a path, canonical. */
export const KeyIdParam = idParam(parseKeyId);

/**
 * Route middleware as a tuple, so the variables each one sets (the signed-in user) are typed in the
 * handler: a plain array literal would be widened and lose them.
 */
export function stack<const M extends MiddlewareHandler[]>(...middleware: M): M {
  return middleware;
}
