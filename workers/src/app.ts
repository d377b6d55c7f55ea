import { OpenAPIHono } from '@hono/zod-openapi';
import { secureHeaders } from 'hono/secure-headers';
import type { AppEnv } from './env.ts';
import { auth } from './api/auth.ts';
import { files } from './api/files.ts';
import { git } from './api/git.ts';
import { gitTokens } from './api/git-tokens.ts';
import { health } from './api/health.ts';
import { keys } from './api/keys.ts';
import { projectExport } from './api/project-export.ts';
import { appOutput } from './api/app-output.ts';
import { preview } from './api/preview.ts';
import { publishApi } from './api/publish.ts';
import { projects } from './api/projects.ts';
import { runControl } from './api/run-control.ts';
import { gitRemote } from './api/git-remote.ts';
import { modelChoices } from './api/model-choices.ts';
import { prices } from './api/prices.ts';
import { settings } from './api/settings.ts';
import { projectUsage, usage } from './api/usage.ts';
import { live } from './api/live.ts';
import { accessLog } from './api/middleware/access-log.ts';
import { bodyLimit } from './api/middleware/body-limit.ts';
import { IMPORT_PATH, projectImport } from './api/project-import.ts';
import { projectImportRepository } from './api/project-import-repository.ts';
import { IMPORT_LIMITS } from './projects/import-tree.ts';
import { database } from './api/middleware/database.ts';
import { originGuard } from './api/middleware/origin-guard.ts';
import { requestId } from './api/middleware/request-id.ts';
import { notFound, onError } from './api/on-error.ts';
import { newApi, registerSecuritySchemes } from './api/openapi.ts';

/** Largest request body the API accepts (a saved file travels in a JSON body too). */
export const MAX_BODY_BYTES = 256 * 1024;

const api = newApi<AppEnv>();
api.use(requestId);
api.use(
  secureHeaders({
    // The API serves JSON only: nothing may be framed, scripted or embedded from it. The UI's own
    // policy is set on its static assets (web/static/_headers and SvelteKit's CSP).
    contentSecurityPolicy: { defaultSrc: ["'none'"], frameAncestors: ["'none'"] },
    strictTransportSecurity: 'max-age=31536000; includeSubDomains',
  }),
);
api.use(accessLog);
const bodyWithinLimit = bodyLimit(MAX_BODY_BYTES);
// An imported app's zip is the one body larger than JSON: its route has its own limit.
const archiveWithinLimit = bodyLimit(IMPORT_LIMITS.archiveBytes);
api.use((c, next) =>
  c.req.path === IMPORT_PATH && c.req.method === 'POST'
    ? archiveWithinLimit(c, next)
    : bodyWithinLimit(c, next),
);
api.use(originGuard);
api.use(database);
registerSecuritySchemes(api);

const routes = api
  .route('/health', health)
  .route('/auth', auth)
  .route('/keys', keys)
  .route('/projects', projectImport)
  .route('/projects', projectImportRepository)
  .route('/projects', projects)
  .route('/projects', projectExport)
  .route('/projects', projectUsage)
  .route('/usage', usage)
  .route('/settings/prices', prices)
  .route('/settings/git-tokens', gitTokens)
  .route('/settings', settings)
  .route('/models', modelChoices)
  .route('/projects', live)
  .route('/projects', files)
  .route('/projects', preview)
  .route('/projects', publishApi)
  .route('/projects', appOutput)
  .route('/projects', runControl)
  .route('/projects', gitRemote);

/** The Worker's HTTP app: everything under `/api`. Static assets are served before it is reached. */
export const app = new OpenAPIHono<AppEnv>().route('/api', routes).route('/git', git);
// Registered on the outer app so the document's paths carry the `/api` prefix clients call.
app.doc31('/api/openapi.json', {
  openapi: '3.1.0',
  info: { title: 'Samokoder API', version: '1.0.0' },
});
app.onError(onError);
app.notFound(notFound);
api.onError(onError);
api.notFound(notFound);

export type AppType = typeof app;
