import { OpenAPIHono } from '@hono/zod-openapi';
import { bodyLimit } from 'hono/body-limit';
import { secureHeaders } from 'hono/secure-headers';
import type { AppEnv } from './env.ts';
import { ApiError } from './api/errors.ts';
import { health } from './api/health.ts';
import { requestId } from './api/middleware/request-id.ts';
import { notFound, onError } from './api/on-error.ts';

/** Largest request body the API accepts; file uploads have their own, larger limit. */
export const MAX_BODY_BYTES = 256 * 1024;

const api = new OpenAPIHono<AppEnv>();
api.use(requestId);
api.use(
  secureHeaders({
    // The API serves JSON only: nothing may be framed, scripted or embedded from it.
    contentSecurityPolicy: { defaultSrc: ["'none'"], frameAncestors: ["'none'"] },
    strictTransportSecurity: 'max-age=31536000; includeSubDomains',
  }),
);
api.use(
  bodyLimit({
    maxSize: MAX_BODY_BYTES,
    onError: () => {
      throw new ApiError(
        413,
        'payload_too_large',
        `The request body is larger than ${MAX_BODY_BYTES} bytes.`,
      );
    },
  }),
);

const routes = api.route('/health', health);

api.doc31('/openapi.json', {
  openapi: '3.1.0',
  info: { title: 'Samokoder API', version: '1.0.0' },
});

/** The Worker's HTTP app: everything under `/api`. Static assets are served before it is reached. */
export const app = new OpenAPIHono<AppEnv>().route('/api', routes);
app.onError(onError);
app.notFound(notFound);
api.onError(onError);
api.notFound(notFound);

export type AppType = typeof app;
